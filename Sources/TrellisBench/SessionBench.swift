import Foundation
import Synchronization
import TrellisEngine
import TrellisSession

/// `trellis bench session`: the reference system's six session benchmarks (see
/// `shared/reference/benchmarks.md`), each reported beside the reference figure, plus scale,
/// memory per idle session, hot reload and durable turns. Figures issue 13 sets a target for
/// carry that target (`Targets`); the others are held against the reference.
struct SessionBench: BenchSuite {
    package static let name = "session"
    package static let summary = "session turns: the six reference benchmarks, scale, memory, durable turns"

    package static func run(_ options: BenchOptions) async throws -> [BenchResult] {
        // Drive sessions from a pool task: the main actor stays off the per-turn path.
        try await Task.detached { try await measure(options) }.value
    }

    private static func measure(_ options: BenchOptions) async throws -> [BenchResult] {
        let quick = options.quick
        let graphs = try defaultGraphs()
        func session(_ type: SessionType = .primary, latency: Duration = .zero, store: SessionStore? = nil) throws -> Session {
            try benchSession(graphs: graphs, type: type, latency: latency, store: store)
        }
        var results: [BenchResult] = []

        // 9. Memory per idle session, over 10,000 sessions each (the definition's count).
        let idleCount = quick ? 1_000 : 10_000
        let before = residentBytes()
        var idle: [Session] = []
        idle.reserveCapacity(idleCount)
        for _ in 0..<idleCount { idle.append(try session()) }
        let emptyBytes = Double(residentBytes() - before) / Double(idleCount)
        results.append(BenchResult(name: "9 memory per idle session (empty)", value: emptyBytes, unit: "bytes",
                                   detail: "over \(idleCount) sessions; reference ~20-50 KB per agent",
                                   targets: [.atMost(Targets.emptySessionBytes, "bytes", measured: emptyBytes)]))
        // Quick runs still use enough sessions that their growth outweighs the allocator handing
        // freed pages back meanwhile (at 17 KB a session, 50 of them could measure below zero).
        let fullCount = quick ? 250 : 10_000
        let beforeFull = residentBytes()
        var full = try await sessionsWithHistory(fullCount, turns: 200, make: { try session() })
        let fullBytes = Double(residentBytes() - beforeFull) / Double(fullCount)
        results.append(BenchResult(name: "9 memory per idle session (400 messages)", value: fullBytes, unit: "bytes",
                                   detail: "over \(fullCount) sessions; reference ~27 KB state at 400 messages (serialized)",
                                   targets: [.atMost(Targets.fullSessionBytes, "bytes", measured: fullBytes)]))
        idle.removeAll()
        full.removeAll()

        // 1. Turn overhead.
        let overhead = try await turnSamples(try session(), count: quick ? 20 : 100)
        results.append(distribution("1 turn overhead", overhead, referenceMilliseconds: 7.7, targets: [
            .atMost(Targets.turnAverage, "us", measured: average(overhead), figure: "avg"),
            .atMost(Targets.turnP99, "us", measured: Measure.percentile(overhead, 99), figure: "p99"),
        ]))

        // 2. History growth.
        let growing = try session()
        let history = try await Measure.samples(quick ? 60 : 200) { _ = try await growing.send("message") }
        let first = average(Array(history.prefix(50)))
        let last = average(Array(history.suffix(50)))
        let state = await growing.state()
        let stateBytes = state.contextValue.jsonText.utf8.count
        results.append(BenchResult(
            name: "2 history growth last/first", value: last / first, unit: "x",
            detail: String(format: "first 50 avg %.1f us, last 50 avg %.1f us, %d messages, state %d bytes; reference 2.2x (6.6 -> 14.6 ms), ~27 KB",
                           first, last, state.messages.count, stateBytes),
            target: "< 2.2x", meetsTarget: last / first < 2.2))
        results.append(try await longHistoryGrowth(try session(), turns: quick ? 400 : 10_000, window: quick ? 100 : 1_000))

        // 3. Concurrent throughput.
        let reference3: [Int: Double] = [1: 192, 5: 200, 10: 230, 25: 230, 50: 263]
        for count in [1, 5, 10, 25, 50] {
            let throughput = try await concurrentThroughput(sessions: (0..<count).map { _ in try session() }, turns: 10)
            var figure = BenchResult(
                name: "3 throughput \(count) sessions", value: throughput, unit: "turns/s",
                detail: String(format: "reference %.0f turns/s, %.0fx", reference3[count]!, throughput / reference3[count]!))
            // Issue 13 sets the bar at 50 sessions; below that the reference is the bar.
            figure.targets = count == 50 ? [.atLeast(Targets.throughput50, "turns/s", measured: throughput)]
                : [BenchTarget(measured: throughput, text: "> reference", met: throughput > reference3[count]!)]
            results.append(figure)
        }

        // 4. Concurrency under LLM latency.
        let parallel = try await latencyParallelism(sessions: (0..<10).map { _ in try session(latency: .milliseconds(50)) }, turns: 5)
        results.append(BenchResult(
            name: "4 parallelism 10 sessions x 5 turns, lat 50 ms", value: parallel.parallelism, unit: "x",
            detail: String(format: "%.3f s, %.0f turns/s; reference 6.0x (0.46 s, 109 turns/s), ideal 10x", parallel.seconds, parallel.throughput),
            targets: [.atLeast(Targets.parallelism10, "x", measured: parallel.parallelism)]))

        // 5. Heartbeat interleaving: `lat = 10 ms` simulates 11 ms inside each turn (the model's
        // 10 ms and the memory recall's tenth of it).
        let beatLatency = Duration.milliseconds(10)
        let simulated = Measure.microseconds(beatLatency + beatLatency / 10) / 1000
        let beating = try session(latency: beatLatency)
        var started = 0
        for _ in 0..<5 where beating.triggerHeartbeat() { started += 1 }
        let interleaved = try await Measure.samples(20) { _ = try await beating.send("message") }
        await beating.waitForHeartbeat()
        let allDone = beating.turnCount == 20 && beating.phase == .idle
        let interleavedAverage = average(interleaved) / 1000
        results.append(BenchResult(
            name: "5 heartbeat interleaving avg turn, 11 ms simulated", value: interleavedAverage, unit: "ms",
            detail: String(format: "%.2fx the %.0f ms simulated; %d of 5 heartbeats started (in-flight guard), 20/20 turns %@, final phase %@; reference 16.9 ms",
                           interleavedAverage / simulated, simulated, started, allDone ? "completed" : "NOT completed", beating.phase.rawValue),
            targets: [
                .atMost(simulated * Targets.heartbeatTurnOverSimulated, "ms", measured: interleavedAverage),
                BenchTarget(text: "all 20 turns done, phase idle", met: allDone),
            ]))

        // 6. Session types.
        let reference6: [SessionType: Double] = [.primary: 6.2, .background: 5.9, .delegation: 6.1, .consultation: 6.0]
        for type in SessionType.allCases {
            let samples = try await turnSamples(try session(type), count: quick ? 10 : 50)
            let milliseconds = average(samples) / 1000
            results.append(BenchResult(
                name: "6 session type \(type.rawValue) avg", value: average(samples), unit: "us",
                detail: String(format: "reference %.1f ms, %.0fx faster", reference6[type]!, reference6[type]! / milliseconds),
                target: "< \(reference6[type]!) ms", meetsTarget: milliseconds < reference6[type]!))
        }

        // 7. Scale.
        for count in quick ? [1_000] : [1_000, 10_000] {
            let throughput = try await concurrentThroughput(sessions: (0..<count).map { _ in try session() }, turns: 10)
            results.append(BenchResult(name: "7 throughput \(count) sessions x 10 turns", value: throughput, unit: "turns/s",
                                       detail: "reference 263 turns/s at 50 sessions",
                                       targets: Targets.scaleThroughput[count].map { [.atLeast($0, "turns/s", measured: throughput)] } ?? []))
            let latency = try await latencyParallelism(
                sessions: (0..<count).map { _ in try session(latency: .milliseconds(50)) }, turns: 5)
            results.append(BenchResult(
                name: "7 parallelism \(count) sessions x 5 turns, lat 50 ms", value: latency.parallelism, unit: "x",
                detail: String(format: "%.2f s, %.0f turns/s; ideal %dx", latency.seconds, latency.throughput, count),
                targets: Targets.scaleParallelism[count].map { [.atLeast($0, "x", measured: latency.parallelism)] } ?? []))
        }

        let directory = NSTemporaryDirectory() + "trellis-bench-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }

        // 10. Hot reload under load (the turn graph file; plugins are the plugin suite's).
        results += try await reloadUnderLoad(directory: directory, sessions: quick ? 10 : 50)

        // 11. Durable turns. Batched is held against the same 50 x 10 run without a store; one
        // run of 500 turns takes milliseconds, so the two alternate over several rounds and
        // their medians are compared, which keeps a burst of load from deciding the ratio.
        let rounds = quick ? 1 : 7
        var withoutStore: [Double] = []
        var batched: [Double] = []
        for durability in Durability.allCases {
            let store = try SessionStore(path: directory + "/\(durability.rawValue).sqlite",
                                         options: SessionStoreOptions(durability: durability))
            let samples = try await turnSamples(try session(store: store), count: quick ? 20 : 100)
            results.append(distribution("11 durable turn (\(durability.rawValue))", samples, referenceMilliseconds: 7.7))
            var runs: [Double] = []
            for _ in 0..<(durability == .batched ? rounds : 1) {
                if durability == .batched {
                    withoutStore.append(try await concurrentThroughput(sessions: (0..<50).map { _ in try session() }, turns: 10))
                }
                runs.append(try await concurrentThroughput(sessions: (0..<50).map { _ in try session(store: store) }, turns: 10, persistedBy: store))
            }
            if durability == .batched { batched = runs }
            let throughput = Measure.median(runs)
            results.append(BenchResult(name: "11 durable throughput 50 sessions (\(durability.rawValue))", value: throughput,
                                       unit: "turns/s",
                                       detail: (runs.count > 1 ? "median of \(runs.count) runs; " : "") + "counted to the commit; reference 263 turns/s (not durable)",
                                       target: "> 263", meetsTarget: throughput > 263))
            try await store.flush()
            store.close()
        }
        let durableRatio = Measure.median(batched) / Measure.median(withoutStore)
        results.append(BenchResult(
            name: "11 durable throughput 50 sessions, batched / no store", value: durableRatio, unit: "x",
            detail: String(format: "medians of %d alternating runs: %.0f turns/s batched, counted to the commit, %.0f turns/s without a store",
                           rounds, Measure.median(batched), Measure.median(withoutStore)),
            targets: [.atLeast(Targets.durableOverPlain, "x", measured: durableRatio)]))

        return results
    }

    /// Rewrites the watched turn graph 10 times while sessions run turns at full speed:
    /// failed and lost turns (must be 0), and the time from the file change to the new generation serving.
    private static func reloadUnderLoad(directory: String, sessions count: Int) async throws -> [BenchResult] {
        let path = directory + "/turn.dot"
        try DefaultSessionGraphs.turn.write(toFile: path, atomically: true, encoding: .utf8)
        let manager = try SessionManager(options: SessionManagerOptions(turnGraphPath: path, heartbeats: .disabled))
        defer { manager.shutdown() }
        var sessions: [Session] = []
        for index in 0..<count { sessions.append(try await manager.create(SessionConfiguration(sessionID: "reload\(index)"))) }
        let running = RunningFlag()
        let loaded = sessions
        let load = Task {
            try await withThrowingTaskGroup(of: (turns: Int, failures: Int).self) { group in
                for session in loaded {
                    group.addTask {
                        var turns = 0
                        var failures = 0
                        while running.isOn {
                            do { _ = try await session.send("message"); turns += 1 } catch { failures += 1 }
                        }
                        return (turns, failures)
                    }
                }
                var total = (turns: 0, failures: 0)
                for try await part in group { total = (total.turns + part.turns, total.failures + part.failures) }
                return total
            }
        }
        let clock = ContinuousClock()
        var delays: [Double] = []
        for version in 1...10 {
            try ("// version \(version)\n" + DefaultSessionGraphs.turn).write(toFile: path, atomically: true, encoding: .utf8)
            let changed = clock.now
            while manager.graphs.current.number < UInt64(version + 1) {
                guard clock.now - changed < .seconds(30) else {
                    running.turnOff()
                    _ = try? await load.value
                    throw SessionError.graph("the graph reload of version \(version) was not picked up within 30 s")
                }
                try await Task.sleep(for: .milliseconds(1))
            }
            delays.append(Measure.microseconds(clock.now - changed) / 1000)
        }
        running.turnOff()
        let total = try await load.value
        let recorded = sessions.reduce(0) { $0 + $1.turnCount }
        let lost = total.turns - recorded
        return [
            BenchResult(name: "10 reload under load: failed + lost turns", value: Double(total.failures + abs(lost)), unit: "turns",
                        detail: "\(total.turns) turns on \(count) sessions during 10 graph reloads", target: "0",
                        meetsTarget: total.failures == 0 && lost == 0),
            BenchResult(name: "10 reload: file change to new generation serving", value: Measure.median(delays), unit: "ms",
                        detail: String(format: "median of 10; max %.1f ms; inotify on the graph directory", delays.max() ?? 0),
                        targets: [.atMost(Targets.reloadMilliseconds, "ms", measured: Measure.median(delays))]),
        ]
    }

    /// `count` sessions with `turns` turns each, driven by a few workers at once so that
    /// 10,000 sessions x 200 turns take seconds, not minutes; the sessions end idle.
    private static func sessionsWithHistory(_ count: Int, turns: Int, make: () throws -> Session) async throws -> [Session] {
        let sessions = try (0..<count).map { _ in try make() }
        let workers = 4
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<workers {
                group.addTask {
                    for index in stride(from: worker, to: sessions.count, by: workers) {
                        for _ in 0..<turns { _ = try await sessions[index].send("a short user message") }
                    }
                }
            }
            try await group.waitForAll()
        }
        return sessions
    }

    /// Benchmark 2 over a long run: the average turn of the last `window` turns against the
    /// first `window`, of `turns` timed turns on one session after one warm-up turn (as in
    /// benchmark 1), so that first-call costs are not counted as growth.
    private static func longHistoryGrowth(_ session: Session, turns: Int, window: Int) async throws -> BenchResult {
        _ = try await session.send("warm-up")
        let samples = try await Measure.samples(turns) { _ = try await session.send("message") }
        let first = Array(samples.prefix(window))
        let last = Array(samples.suffix(window))
        let ratio = average(last) / average(first)
        let messages = await session.state().messages.count
        return BenchResult(
            name: "2 history growth over \(turns) turns last/first", value: ratio, unit: "x",
            detail: String(format: "first %d avg %.1f us, last %d avg %.1f us (medians %.1f -> %.1f us), %d messages at the end",
                           window, average(first), window, average(last), Measure.median(first), Measure.median(last), messages),
            targets: [.atMost(Targets.longHistoryGrowth, "x", measured: ratio)])
    }

    /// The embedded default turn and heartbeat graphs on the built-in node types.
    static func defaultGraphs() throws -> SessionGraphs {
        try SessionGraphs(
            turn: SessionGraphs.compile(text: DefaultSessionGraphs.turn, file: "<turn>", registry: SessionHandlers.registry),
            heartbeat: SessionGraphs.compile(text: DefaultSessionGraphs.heartbeat, file: "<heartbeat>", registry: SessionHandlers.registry))
    }

    /// A session as every session benchmark makes one: built-in simulated adapters, no heartbeats.
    static func benchSession(graphs: SessionGraphs, type: SessionType = .primary, latency: Duration = .zero,
                             store: SessionStore? = nil) throws -> Session {
        try Session(configuration: SessionConfiguration(sessionType: type), graphs: graphs,
                    adapters: .builtIn(llmLatency: latency, checkpoint: store),
                    heartbeat: HeartbeatSettings(enabled: false, interval: .seconds(60)), store: store)
    }

    /// Benchmark 12 (run by the `store` suite, on its own cluster): benchmarks 1 and 3 on a
    /// PostgreSQL store at `url`, `batched` and `sync`, each session leased first and every
    /// write fenced.
    static func postgresTurns(url: String, quick: Bool) async throws -> [BenchResult] {
        let graphs = try defaultGraphs()
        var results: [BenchResult] = []
        for durability in [Durability.batched, .sync] {
            let store = try SessionStore(location: .postgres(url: url), options: SessionStoreOptions(durability: durability))
            guard let leases = store.leases else { throw BenchFailure("a PostgreSQL store without leases") }
            var sessions: [Session] = []
            for _ in 0..<51 {
                let leased = try benchSession(graphs: graphs, store: store)
                _ = try await leases.acquire(leased.id)
                sessions.append(leased)
            }
            let samples = try await turnSamples(sessions[50], count: quick ? 20 : 100)
            results.append(distribution("12 postgres turn (\(durability.rawValue))", samples, referenceMilliseconds: 7.7))
            let throughput = try await concurrentThroughput(sessions: Array(sessions.prefix(50)), turns: 10, persistedBy: store)
            results.append(BenchResult(name: "12 postgres throughput 50 sessions (\(durability.rawValue))", value: throughput,
                                       unit: "turns/s", detail: "a cluster of the bench's own, over its Unix socket"))
            try await store.flush()
            store.close()
        }
        return results
    }

    private static func turnSamples(_ session: Session, count: Int) async throws -> [Double] {
        _ = try await session.send("warm-up")
        return try await Measure.samples(count) { _ = try await session.send("message") }
    }

    /// Turns per second of `turns` turns on every session at once. With `store`, a turn counts
    /// once it is committed (benchmark 11: "each turn persisted"): the store is flushed before
    /// the clock starts, so the sessions' own rows stay out of the window, and again before it
    /// stops, so a batched store's last group is in it. Without that final flush a batched run
    /// of a few milliseconds ended before its first commit, and its writes were made while the
    /// bench timed whatever it ran next.
    private static func concurrentThroughput(sessions: [Session], turns: Int, persistedBy store: SessionStore? = nil) async throws -> Double {
        try await store?.flush()
        let seconds = try await sendConcurrently(sessions: sessions, turns: turns, persistedBy: store)
        return Double(sessions.count * turns) / seconds
    }

    private static func latencyParallelism(sessions: [Session], turns: Int) async throws -> (seconds: Double, throughput: Double, parallelism: Double) {
        let seconds = try await sendConcurrently(sessions: sessions, turns: turns)
        let sequential = Double(sessions.count * turns) * 0.055
        return (seconds, Double(sessions.count * turns) / seconds, sequential / seconds)
    }

    /// Sends `turns` messages to every session, the sessions concurrently; the seconds it took,
    /// up to `store` having committed them when one is given.
    private static func sendConcurrently(sessions: [Session], turns: Int, persistedBy store: SessionStore? = nil) async throws -> Double {
        let clock = ContinuousClock()
        let start = clock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for session in sessions {
                group.addTask { for _ in 0..<turns { _ = try await session.send("message") } }
            }
            try await group.waitForAll()
        }
        try await store?.flush()
        return Measure.microseconds(clock.now - start) / 1e6
    }

    /// The p50 of `samples` with avg, p99, min, max and the reference beside it; held against
    /// `targets` when given, else against the reference's average.
    private static func distribution(_ name: String, _ samples: [Double], referenceMilliseconds: Double,
                                     targets: [BenchTarget] = []) -> BenchResult {
        let p50 = Measure.median(samples)
        var result = BenchResult(
            name: name + " p50", value: p50, unit: "us",
            detail: String(format: "avg %.1f, p99 %.1f, min %.1f, max %.1f us; reference avg %.1f ms (%.0fx)",
                           average(samples), Measure.percentile(samples, 99), samples.min() ?? 0, samples.max() ?? 0,
                           referenceMilliseconds, referenceMilliseconds * 1000 / max(average(samples), 0.001)),
            target: "< \(referenceMilliseconds) ms avg", meetsTarget: average(samples) < referenceMilliseconds * 1000)
        if !targets.isEmpty { result.targets = targets }
        return result
    }

    private static func average(_ values: [Double]) -> Double {
        values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)
    }

    /// Resident set size from `/proc/self/statm`. Benchmark 9 runs first so that pages freed
    /// by earlier benchmarks do not hide growth.
    private static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}

/// Issue 13's targets for the session suite, in one place so that the docs and the output agree.
private enum Targets {
    /// 1: turn overhead, average and p99, microseconds.
    static let turnAverage = 5.0
    static let turnP99 = 25.0
    /// 2: last / first average turn over 10,000 turns.
    static let longHistoryGrowth = 1.10
    /// 3: 50 sessions x 10 turns, turns per second.
    static let throughput50 = 300_000.0
    /// 4: 10 sessions x 5 turns at 50 ms, parallelism.
    static let parallelism10 = 9.9
    /// 5: the average turn as a multiple of the latency simulated inside it.
    static let heartbeatTurnOverSimulated = 1.02
    /// 7: throughput (x 10 turns) and parallelism (x 5 turns at 50 ms) by session count.
    static let scaleThroughput: [Int: Double] = [10_000: 200_000]
    static let scaleParallelism: [Int: Double] = [1_000: 950, 10_000: 5_000]
    /// 9: resident bytes per session, empty and at 400 messages (1 KB = 1,000 bytes).
    static let emptySessionBytes = 2_000.0
    static let fullSessionBytes = 27_000.0
    /// 10: graph file change to the new graph serving, median, milliseconds.
    static let reloadMilliseconds = 20.0
    /// 11: batched durable throughput over the same run without a store.
    static let durableOverPlain = 0.8
}

/// A flag the reload benchmark's load tasks poll.
private final class RunningFlag: Sendable {
    private let flag = Atomic<Bool>(true)
    var isOn: Bool { flag.load(ordering: .relaxed) }
    func turnOff() { flag.store(false, ordering: .relaxed) }
}
