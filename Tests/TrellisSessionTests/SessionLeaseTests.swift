import Foundation
import Testing
import TrellisCore
import TrellisEngine
import TrellisPostgresCluster
import TrellisTestSupport
@testable import TrellisSession

/// Leases on a shared PostgreSQL store, with two stores in one process standing for two
/// hosts: one owner per session, the owner named to others, takeover only after expiry
/// (or a graceful release), and a write under a stale token refused by the database.
@Suite(.timeLimit(.minutes(2))) struct SessionLeaseTests {
    private struct Host {
        var store: SessionStore
        var manager: SessionManager

        init(_ url: String, id: String, ttl: Duration = .seconds(2), heartbeats: HeartbeatPolicy = .disabled) throws {
            store = try SessionStore(location: .postgres(url: url), hostID: id, leaseTTL: ttl)
            manager = try SessionManager(options: SessionManagerOptions(watchGraphs: false, heartbeats: heartbeats, store: store))
        }

        /// Heartbeats this host's manager started for `sessionID`, as their events arrive.
        func countHeartbeats(of sessionID: String) -> HeartbeatCount {
            let count = HeartbeatCount()
            _ = manager.events.subscribe { event in
                if event.sessionID == sessionID && event.kind == .heartbeatStarted { count.add() }
            }
            return count
        }

        func close() {
            manager.shutdown()
            store.close()
        }
    }

    @Test func aSessionLeasedElsewhereIsRefusedNamingItsOwnerAndReleasedOnShutdown() async throws {
        let url = try await PostgresCluster.newDatabase()
        let first = try Host(url, id: "host-a")
        let second = try Host(url, id: "host-b")
        let session = try await first.manager.create(SessionConfiguration(sessionID: "s"))
        for turn in 1...3 { _ = try await session.send("turn \(turn)") }
        do {
            _ = try await second.manager.resolve("s")
            Issue.record("a session leased by host-a ran on host-b")
        } catch {
            guard case .leased(let message, let owner) = error else { Issue.record("expected .leased, got \(error)"); return }
            #expect(owner == "host-a")
            #expect(message.contains("host-a"))
        }
        // Creating it again elsewhere is refused too.
        await #expect(throws: SessionError.self) { try await second.manager.create(SessionConfiguration(sessionID: "s")) }

        // A graceful shutdown releases the lease at once: no wait for the expiry.
        first.close()
        let taken = try await second.manager.resolve("s")
        #expect(taken.turnCount == 3)
        #expect(try await taken.send("turn 4").reply == "Response 4")
        #expect(try await second.store.journal(sessionID: "s").map(\.turn) == [1, 2, 3, 4])
        second.close()
    }

    @Test func aWriteUnderALostLeaseIsRefusedByTheDatabase() async throws {
        let url = try await PostgresCluster.newDatabase()
        // A TTL the test never reaches: host-a renews every third of it, and a renewal that
        // noticed the takeover would stop the session before the stale write this test is
        // about (a sanitized run under load took 37 s).
        let first = try Host(url, id: "host-a", ttl: .seconds(300))
        let second = try Host(url, id: "host-b", ttl: .seconds(300))
        let stale = try await first.manager.create(SessionConfiguration(sessionID: "p"))
        _ = try await stale.send("one")
        let staleToken = try #require(first.store.leases?.token(for: "p"))

        // host-a stalls past its lease (its expiry forced into the past, as a long pause would
        // leave it); host-b takes the session over with a higher token.
        let connection = try PostgresConnection(url: url, redacted: "test")
        try connection.execute("UPDATE session_leases SET expires_at = clock_timestamp() - interval '1 second' WHERE session_id = 'p'")
        let taken = try await second.manager.resolve("p")
        #expect(try #require(second.store.leases?.token(for: "p")) > staleToken)
        #expect(try await taken.send("two").turnCount == 2)

        // host-a still holds its copy and tries to write: the database refuses the stale token.
        do {
            _ = try await stale.send("stale")
            Issue.record("a host that lost its lease wrote a turn")
        } catch {
            guard case .leaseLost = error else { Issue.record("expected .leaseLost, got \(error)"); return }
        }
        let journal = try await second.store.journal(sessionID: "p")
        #expect(journal.map(\.input) == ["one", "two"])
        // host-a dropped its copy: the next request there is sent to the owner.
        try await waitUntil("host-a evicts the session it lost") { first.manager.session("p") == nil }
        await #expect(throws: SessionError.self) { try await first.manager.resolve("p") }
        connection.close()
        first.close()
        second.close()
    }

    @Test func heartbeatsRunOnlyOnTheLeaseHolderAndMoveWithATakeover() async throws {
        let url = try await PostgresCluster.newDatabase()
        var every100ms = HeartbeatPolicy()
        every100ms[.primary] = HeartbeatSettings(enabled: true, interval: .milliseconds(100))
        // A long TTL: the renewal thread must not be what notices the takeover. Nor may it
        // renew host-a's expired lease before host-b takes it (a late renewal succeeds while
        // nobody else took the lease): it renews every third of the TTL, and under the thread
        // sanitizer's load this test once ran past the 20 s of a 60 s TTL.
        let first = try Host(url, id: "host-a", ttl: .seconds(600), heartbeats: every100ms)
        let second = try Host(url, id: "host-b", ttl: .seconds(600), heartbeats: every100ms)
        let onFirst = first.countHeartbeats(of: "h")
        let onSecond = second.countHeartbeats(of: "h")
        _ = try await first.manager.create(SessionConfiguration(sessionID: "h"))
        try await waitUntil("heartbeats run on the owner") { onFirst.value >= 3 }
        // The other host is refused the session and so runs none of its heartbeats.
        await #expect(throws: SessionError.self) { try await second.manager.resolve("h") }
        try await Task.sleep(for: .milliseconds(500))
        #expect(onSecond.value == 0)
        #expect(second.manager.session("h") == nil)

        // host-a stalls past its lease. Before each heartbeat it asks the database, finds
        // the lease expired and runs none — at most one already past that check runs on.
        let connection = try PostgresConnection(url: url, redacted: "test")
        try connection.execute("UPDATE session_leases SET expires_at = clock_timestamp() - interval '1 second' WHERE session_id = 'h'")
        let firstAtExpiry = onFirst.value
        try await Task.sleep(for: .seconds(1))
        // Once no heartbeat is in flight on host-a, any later one is checked after the expiry.
        try await waitUntil("host-a's heartbeat in flight ends") {
            first.manager.session("h")?.status.snapshot.heartbeatInFlight == false
        }
        let firstSettled = onFirst.value
        #expect(firstSettled <= firstAtExpiry + 1, "host-a ran heartbeats on an expired lease")

        // host-b takes the session over, and its heartbeats with it; host-a runs none more
        // and drops the session at its next heartbeat's check.
        _ = try await second.manager.resolve("h")
        try await waitUntil("heartbeats run on the new owner") { onSecond.value >= 3 }
        try await waitUntil("host-a drops the session it lost") { first.manager.session("h") == nil }
        let secondBefore = onSecond.value
        try await waitUntil("more heartbeats on host-b") { onSecond.value >= secondBefore + 3 }
        #expect(onFirst.value == firstSettled, "host-a ran heartbeats of a session it no longer owns")
        connection.close()
        first.close()
        second.close()
    }

    /// Takeovers whose reads wait on the database hold no thread of the cooperative pool: with
    /// more of them stuck than the pool has threads, other sessions still run turns. (Were the
    /// reads made on the pool, this test would hang: the pool could not even run its time limit.)
    @Test func takeoversWaitingOnTheDatabaseLeaveThePoolFree() async throws {
        let url = try await PostgresCluster.newDatabase()
        let first = try Host(url, id: "host-a")
        let second = try Host(url, id: "host-b")
        let ids = (0..<(ProcessInfo.processInfo.activeProcessorCount + 2)).map { "w\($0)" }
        for id in ids { _ = try await first.manager.create(SessionConfiguration(sessionID: id)).send("before") }
        first.close()

        // Another connection locks the sessions table: every read of a takeover now waits.
        let locker = try PostgresConnection(url: url, redacted: "test")
        try locker.execute("BEGIN")
        try locker.execute("LOCK TABLE sessions IN ACCESS EXCLUSIVE MODE")
        let takeovers = Task {
            try await withThrowingTaskGroup(of: Int.self) { group in
                for id in ids { group.addTask { try await second.manager.resolve(id).turnCount } }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
        }
        let watcher = try PostgresConnection(url: url, redacted: "test")
        try await waitUntil("a takeover's read waits on the lock") {
            try watcher.execute("SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'sessions'::regclass").first?[0] != "0"
        }
        // A session without a store still runs its turns meanwhile.
        let unshared = try SessionManager(options: SessionManagerOptions(watchGraphs: false, heartbeats: .disabled))
        let probe = try await unshared.create(SessionConfiguration(sessionID: "probe"))
        #expect(try await probe.send("while the takeovers wait").reply == "Response 1")

        try locker.execute("ROLLBACK")
        #expect(try await takeovers.value == Array(repeating: 1, count: ids.count))
        unshared.shutdown()
        locker.close()
        watcher.close()
        second.close()
    }

    @Test func leasesAreRenewedWhileTheOwnerLives() async throws {
        let url = try await PostgresCluster.newDatabase()
        let first = try Host(url, id: "host-a", ttl: .seconds(3))
        let second = try Host(url, id: "host-b", ttl: .seconds(3))
        _ = try await first.manager.create(SessionConfiguration(sessionID: "r"))
        // Three TTLs later the owner has renewed its lease, so the other host is still refused.
        try await Task.sleep(for: .seconds(7))
        await #expect(throws: SessionError.self) { try await second.manager.resolve("r") }
        #expect(first.store.leases?.token(for: "r") != nil)
        first.close()
        second.close()
    }
}

/// A count that event handlers (on any thread) increment and the test reads.
final class HeartbeatCount: Sendable {
    private let count = LockedValue(0)
    /// The count so far.
    var value: Int { count.withLock { $0 } }
    /// Adds one.
    func add() { count.withLock { $0 += 1 } }
}
