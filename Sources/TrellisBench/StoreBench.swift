import Foundation
import TrellisPostgresCluster

/// `trellis bench store`: failover of sessions shared through PostgreSQL. Two real
/// `trellis serve --stdio --store postgres://…` processes on a throwaway cluster; sessions
/// are created and turned on host A, A is killed with SIGKILL, and host B is sent a turn for
/// one of them until it serves it. The figure is the time from the SIGKILL to that first
/// turn served by B (median of several runs), held against the target TTL + 1 s. Then
/// benchmark 12: turn latency and 50-session throughput on a PostgreSQL store in process.
///
/// Needs PostgreSQL's server programs (`scripts/install-deps` installs them); without them
/// the suite fails saying so.
struct StoreBench: BenchSuite {
    package static let name = "store"
    package static let summary = "sessions on PostgreSQL: SIGKILL of a host to the first turn another host serves; turns and throughput, batched and sync"

    /// The hosts' lease TTL: short, so a run takes seconds.
    static let leaseTTLMilliseconds = 2_000
    /// How often host B retries a turn answered `leased` (a router would do the same).
    static let retryMilliseconds = 20

    package static func run(_ options: BenchOptions) async throws -> [BenchResult] {
        let database: String
        do {
            database = try await PostgresCluster.newDatabase()
        } catch {
            throw BenchFailure("the store benchmark needs a PostgreSQL cluster of its own: \(error)")
        }
        // Every step below blocks on a child's pipe or sleeps between retries: off the pool.
        var results = try await onOwnThread { try failover(database: database, runs: options.quick ? 2 : 7) }
        // Benchmark 12, turns on PostgreSQL in process, in a database of its own.
        let turnsDatabase: String
        do {
            turnsDatabase = try await PostgresCluster.newDatabase()
        } catch {
            throw BenchFailure("the store benchmark could not create a second database in its cluster: \(error)")
        }
        results += try await SessionBench.postgresTurns(url: turnsDatabase, quick: options.quick)
        return results
    }

    /// Runs `body` on a new thread and waits for it without holding a cooperative thread.
    private static func onOwnThread<Value: Sendable>(_ body: @escaping @Sendable () throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }

    private static func failover(database: String, runs: Int) throws -> [BenchResult] {
        let directory = NSTemporaryDirectory() + "trellis-bench-store-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let hostArguments = ["--store", database, "--durability", "sync", "--lease-ttl", "\(leaseTTLMilliseconds)ms", "--no-heartbeats"]
        let survivor = try ServeHost(hostID: "bench-b", arguments: hostArguments, in: directory)
        defer { survivor.finish() }
        let sessionsPerRun = 5
        let turnsPerSession = 10
        var failovers: [Double] = []
        var takeoverTurns: [Double] = []
        var refusals = 0
        for run in 1...runs {
            let victim = try ServeHost(hostID: "bench-a\(run)", arguments: hostArguments, in: directory)
            var killed = false
            defer { if !killed { victim.kill9() } }
            let ids = (1...sessionsPerRun).map { "run\(run)-s\($0)" }
            for id in ids {
                _ = try victim.call("session.create", ["session_id": id])
                for turn in 1...turnsPerSession { _ = try victim.call("session.send", ["session_id": id, "message": "turn \(turn)"]) }
            }
            // Every turn above was acknowledged, so each must be there after the takeover.
            let target = ids[ids.count / 2]
            // A crash comes at any moment of the renewal cycle (every TTL/3): without this
            // pause every run would kill A at the same point of it and measure one case.
            usleep(useconds_t.random(in: 0..<useconds_t(leaseTTLMilliseconds * 1000 / 3)))
            let clock = ContinuousClock()
            let killedAt = clock.now
            victim.kill9()
            killed = true
            while true {
                let sent = clock.now
                let answer = try survivor.request("session.send", ["session_id": target, "message": "after the kill"])
                if let result = answer["result"] as? [String: Any] {
                    let served = clock.now
                    failovers.append(Measure.microseconds(served - killedAt) / 1000)
                    takeoverTurns.append(Measure.microseconds(served - sent) / 1000)
                    guard result["turn_count"] as? Int == turnsPerSession + 1 else {
                        throw BenchFailure("host B took session \(target) over at turn \(result["turn_count"] ?? "?"), not \(turnsPerSession + 1): acknowledged turns were lost or applied twice")
                    }
                    break
                }
                let data = (answer["error"] as? [String: Any])?["data"] as? [String: Any]
                guard data?["kind"] as? String == "leased", data?["owner"] as? String == victim.hostID else {
                    throw BenchFailure("host B answered the turn for \(target) with \(answer) instead of 'leased' by \(victim.hostID) or a reply")
                }
                guard clock.now - killedAt < .seconds(60) else {
                    throw BenchFailure("host B had not taken session \(target) over 60 s after host A was killed")
                }
                refusals += 1
                usleep(useconds_t(retryMilliseconds * 1000))
            }
        }
        let targetMilliseconds = Double(leaseTTLMilliseconds + 1000)
        let median = Measure.median(failovers)
        return [
            BenchResult(
                name: "1 failover: SIGKILL to first turn served by another host", value: median, unit: "ms",
                detail: String(format: "median of %d runs, min %.0f, max %.0f ms; SIGKILL at a random point of the renewal cycle; lease TTL %d ms (renewed every third), target TTL + 1 s = %.0f ms; host B retried every %d ms while answered 'leased' (%d refusals in all); the takeover turn itself p50 %.1f ms; %d sessions x %d synced turns on host A per run, all present after the takeover",
                               failovers.count, failovers.min() ?? 0, failovers.max() ?? 0, leaseTTLMilliseconds,
                               targetMilliseconds, retryMilliseconds, refusals, Measure.median(takeoverTurns),
                               sessionsPerRun, turnsPerSession),
                target: "<= \(Int(targetMilliseconds)) ms", meetsTarget: median <= targetMilliseconds),
        ]
    }
}
