import Foundation
import TrellisCore

/// This host's leases on sessions in a shared (PostgreSQL) store: one owner per session.
///
/// A `session_leases` row per session holds the owner's host id, an expiry set by the
/// database's clock, and a fencing token that grows on every acquisition. A host runs a
/// session only while it holds its lease; every write it makes carries the token, and the
/// store's commit checks it in the same transaction (`PostgresSessionBackend`), so a host
/// that paused or lost its network past the expiry cannot write once another host took over.
///
/// Renewal runs on one thread every third of the TTL; leases it finds taken (the token moved
/// on) are dropped and reported through `onLost`, and the session manager evicts those
/// sessions. A renewal that comes late, after the expiry, still succeeds when no other host
/// took the lease meanwhile: the token is unchanged, so nobody else has written.
/// Every database call runs on this object's own connection, on a serial dispatch queue,
/// never on the cooperative pool.
public final class SessionLeases: Sendable {
    /// This host's id, as it appears in `session_leases.owner`.
    public let hostID: String
    /// How long a lease lasts without renewal.
    public let ttl: Duration

    private let connection: LockedValue<PostgresConnection>
    private let queue = DispatchQueue(label: "trellis.session-leases")
    private let held = LockedValue<[String: Int64]>([:])
    private let lostHandler = LockedValue<(@Sendable (String) -> Void)?>(nil)
    private let renewal = LockedValue<(stopped: Bool, thread: Thread?)>((false, nil))
    private let stopSignal = NSCondition()

    init(connection: PostgresConnection, hostID: String, ttl: Duration) {
        self.connection = LockedValue(connection)
        self.hostID = hostID
        self.ttl = ttl
        let thread = Thread { [self] in
            nameCurrentThread("trellis-leases")
            self.renewLoop()
        }
        renewal.withLock { $0.thread = thread }
        thread.start()
    }

    private var interval: String { "\(Double(ttl.components.seconds) + Double(ttl.components.attoseconds) / 1e18) seconds" }

    /// Called with the id of each session whose lease this host lost.
    public func onLost(_ handler: @escaping @Sendable (String) -> Void) { lostHandler.withLock { $0 = handler } }

    /// The token of this host's lease on `sessionID`, or `nil` when it holds none.
    public func token(for sessionID: String) -> Int64? { held.withLock { $0[sessionID] } }

    /// Session ids this host holds leases on.
    public var heldSessions: [String] { held.withLock { Array($0.keys) }.sorted() }

    private func blocking<Value: Sendable>(_ body: @escaping @Sendable (PostgresConnection) throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { [connection] in
                continuation.resume(with: Swift.Result { try connection.withLock { try body($0) } })
            }
        }
    }

    /// Takes the lease on `sessionID` when it is free, expired, or this host's; the token
    /// grows with each acquisition. Throws `.leased` naming the owner when another host holds it.
    public func acquire(_ sessionID: String) async throws(SessionError) -> Int64 {
        let (host, interval) = (hostID, interval)
        let outcome: (token: Int64?, owner: String?, remainingMilliseconds: Int?)
        do {
            outcome = try await blocking { connection in
                let rows = try connection.execute("""
                    INSERT INTO session_leases(session_id, owner, token, expires_at)
                    VALUES($1, $2, 1, clock_timestamp() + $3::interval)
                    ON CONFLICT(session_id) DO UPDATE SET token = session_leases.token + 1, owner = $2,
                        expires_at = clock_timestamp() + $3::interval
                    WHERE session_leases.owner = $2 OR session_leases.expires_at <= clock_timestamp()
                    RETURNING token
                    """, [sessionID, host, interval])
                if let token = rows.first?[0].flatMap({ Int64($0) }) { return (token, nil, nil) }
                let holder = try connection.execute("""
                    SELECT owner, greatest(0, ceil(extract(epoch FROM expires_at - clock_timestamp()) * 1000))::bigint
                    FROM session_leases WHERE session_id = $1
                    """, [sessionID])
                return (nil, holder.first?[0] ?? "unknown", holder.first?[1].flatMap { Int($0) } ?? 0)
            }
        } catch {
            throw SessionError.store("cannot take the lease on session '\(sessionID)': \(error)")
        }
        if let token = outcome.token {
            held.withLock { $0[sessionID] = token }
            return token
        }
        let owner = outcome.owner ?? "unknown"
        throw SessionError.leased(
            "session '\(sessionID)' is leased by host '\(owner)' for \(outcome.remainingMilliseconds ?? 0) ms more; send it to that host, or retry after the lease expires",
            owner: owner)
    }

    /// Whether the database confirms that this host holds the lease on `sessionID` under its
    /// current token and that the lease has not expired — asked before work that only the
    /// owner may start (a heartbeat). A lease found taken over is dropped and reported as
    /// lost; an expired one nobody took yet is kept (the next renewal decides) but not
    /// confirmed; an unreachable database confirms nothing.
    public func confirm(_ sessionID: String) async -> Bool {
        guard let token = token(for: sessionID) else { return false }
        let host = hostID
        let found = try? await blocking { connection -> (held: Bool, live: Bool) in
            let rows = try connection.execute(
                "SELECT expires_at > clock_timestamp() FROM session_leases WHERE session_id = $1 AND owner = $2 AND token = $3",
                [sessionID, host, String(token)])
            return (!rows.isEmpty, rows.first?[0] == "t")
        }
        guard let found else { return false }
        if !found.held { lost(sessionID, token: token) }
        return found.held && found.live
    }

    /// Gives up the lease on `sessionID` at once (its token stays, so the next owner's is higher).
    public func release(_ sessionID: String) async {
        guard let token = held.withLock({ $0.removeValue(forKey: sessionID) }) else { return }
        let host = hostID
        _ = try? await blocking { connection in
            try connection.execute(
                "UPDATE session_leases SET expires_at = clock_timestamp() WHERE session_id = $1 AND owner = $2 AND token = $3",
                [sessionID, host, String(token)])
        }
    }

    /// Forgets a lease the store found lost (a write made under `token` was refused) and
    /// reports it — unless the lease was taken again since, under another token.
    func lost(_ sessionID: String, token: Int64?) {
        let dropped = held.withLock { table -> Bool in
            guard let current = table[sessionID], token == nil || current == token else { return false }
            table[sessionID] = nil
            return true
        }
        guard dropped else { return }
        lostHandler.withLock { $0 }?(sessionID)
    }

    /// Stops renewing and releases every lease this host holds (graceful shutdown).
    func close() {
        stopSignal.lock()
        let thread = renewal.withLock { state -> Thread? in
            state.stopped = true
            return state.thread
        }
        stopSignal.broadcast()
        stopSignal.unlock()
        _ = thread
        let tokens = held.withLock { table -> [String: Int64] in
            let all = table
            table.removeAll()
            return all
        }
        connection.withLock { connection in
            if !tokens.isEmpty {
                _ = try? connection.execute(
                    "UPDATE session_leases SET expires_at = clock_timestamp() WHERE owner = $1 AND session_id = ANY($2::text[])",
                    [hostID, PostgresArray.text(Array(tokens.keys))])
            }
            connection.close()
        }
    }

    private func renewLoop() {
        let period = Double(ttl.components.seconds) / 3 + Double(ttl.components.attoseconds) / 3e18
        var lastRenewed = Date()
        while true {
            stopSignal.lock()
            let deadline = Date(timeIntervalSinceNow: period)
            while !renewal.withLock({ $0.stopped }) && Date() < deadline { _ = stopSignal.wait(until: deadline) }
            stopSignal.unlock()
            if renewal.withLock({ $0.stopped }) { return }
            let tokens = held.withLock { $0 }
            if tokens.isEmpty {
                lastRenewed = Date()
                continue
            }
            let ids = Array(tokens.keys)
            do {
                let rows = try connection.withLock { connection in
                    try connection.execute("""
                        UPDATE session_leases l SET expires_at = clock_timestamp() + $4::interval
                        FROM unnest($1::text[], $2::bigint[]) AS h(session_id, token)
                        WHERE l.session_id = h.session_id AND l.token = h.token AND l.owner = $3
                        RETURNING l.session_id
                        """, [PostgresArray.text(ids), PostgresArray.text(ids.map { String(tokens[$0]!) }), hostID, interval])
                }
                lastRenewed = Date()
                let renewed = Set(rows.compactMap { $0[0] })
                for id in ids where !renewed.contains(id) { lost(id, token: tokens[id]) }
            } catch {
                // The database is unreachable: once a whole TTL has passed without renewal,
                // every lease may have been taken over, so stop serving them.
                if Date().timeIntervalSince(lastRenewed) >= period * 3 { for id in ids { lost(id, token: tokens[id]) } }
            }
        }
    }
}

/// PostgreSQL array literals for text parameters (`{"a","b"}`), quoting every element.
enum PostgresArray {
    static func text(_ values: [String]) -> String {
        "{" + values.map { value in
            "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }.joined(separator: ",") + "}"
    }
}
