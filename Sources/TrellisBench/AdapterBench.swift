import Foundation
import Synchronization
import TrellisEngine
import TrellisProviders
import TrellisSession

/// `trellis bench adapters`: the model provider adapters (`TrellisProviders`) against a
/// single-threaded loopback server (`LoopbackModelServer`) — the cost of a request beyond the
/// server's own time, how soon a streamed first token becomes a session event, and a thousand
/// sessions waiting on a slow model without a thread each.
struct AdapterBench: BenchSuite {
    package static let name = "adapters"
    package static let summary = "model adapters: request overhead, first streamed token to session event, 1,000 sessions on a slow model"

    package static func run(_ options: BenchOptions) async throws -> [BenchResult] {
        // Drive requests from a pool task: the main actor stays off the measured path.
        try await Task.detached { try await measure(options) }.value
    }

    private static func measure(_ options: BenchOptions) async throws -> [BenchResult] {
        let quick = options.quick
        var results: [BenchResult] = []
        let sessions = quick ? 100 : 1_000
        // The thread census first, while the process holds only what sessions need: the
        // latency series below leave idle Dispatch workers behind.
        // As shipped: every adapter shares one client (HTTPClient.defaultMaximumConnectionsPerHost).
        results += try await slowModel(sessions: sessions, clients: 1, label: "one shared HTTPClient")
        results += try await requestOverhead(count: quick ? 200 : 2_000, warmUp: quick ? 20 : 200)
        results += try await firstTokenRelay(count: quick ? 50 : 300, warmUp: quick ? 5 : 20)
        return results
    }

    // MARK: 1. Overhead per non-streamed request

    /// `ProviderLLM.complete` (OpenAI wire, not streamed) beside two baselines on the same
    /// server: `HTTPClient.send` with the same body, and a raw blocking socket. Each request's
    /// figure is the client's latency minus the time the server spent on that very request.
    private static func requestOverhead(count: Int, warmUp: Int) async throws -> [BenchResult] {
        let server = try LoopbackModelServer(mode: .immediate)
        defer { server.stop() }
        let body = Array(#"{"model":"bench","messages":[{"role":"user","content":"Hello"}]}"#.utf8)
        let raw = try RawSocketHTTPClient(port: server.port)
        let rawRequest = Array("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:\(server.port)\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body
        let client = HTTPClient()
        let httpRequest = HTTPRequest(url: server.baseURL + "/chat/completions", headers: [("Content-Type", "application/json")], body: body)
        let llm = ProviderLLM(settings: ProviderSettings(kind: .openai, model: "bench", baseURL: server.baseURL,
                                                         retry: RetryPolicy(maxAttempts: 1)), client: client)
        let request = LLMRequest(prompt: "Hello")

        func series(_ body: () async throws -> Void) async throws -> (client: [Double], server: [Double], beyond: [Double], switches: Double) {
            server.reset()
            for _ in 0..<warmUp { try await body() }
            await server.waitUntilServed(warmUp)
            server.reset()
            let switchesBefore = contextSwitches()
            let latencies = try await Measure.samples(count, body)
            let switches = Double(contextSwitches() - switchesBefore) / Double(count)
            await server.waitUntilServed(count)
            let handling = server.measured.handling.map { Double($0) / 1000 }
            guard handling.count == latencies.count else {
                throw BenchFailure("the loopback server saw \(handling.count) requests for \(latencies.count) sent")
            }
            return (latencies, handling, zip(latencies, handling).map { $0 - $1 }, switches)
        }
        let rawSeries = try await series { try raw.exchange(rawRequest) }
        let httpSeries = try await series {
            let answer = try await client.send(httpRequest)
            guard answer.head.status == 200 else { throw BenchFailure("HTTPClient baseline: status \(answer.head.status)") }
        }
        let llmSeries = try await series {
            let reply = try await llm.complete(request)
            guard reply.content == "Hello from the loopback model." else { throw BenchFailure("ProviderLLM: unexpected answer '\(reply.content)'") }
        }

        func line(_ name: String, _ figures: (client: [Double], server: [Double], beyond: [Double], switches: Double), extra: String = "") -> BenchResult {
            BenchResult(name: name, value: Measure.median(figures.beyond), unit: "us",
                        detail: String(format: "p99 %.1f us; client p50 %.1f us, server's own p50 %.1f us; %.1f context switches per request (process); %d requests after %d warm-up%@",
                                       Measure.percentile(figures.beyond, 99), Measure.median(figures.client),
                                       Measure.median(figures.server), figures.switches, count, warmUp, extra))
        }
        var adapter = line("1 ProviderLLM.complete beyond server p50", llmSeries,
                           extra: String(format: "; beyond the raw socket %.1f us", Measure.median(llmSeries.beyond) - Measure.median(rawSeries.beyond)))
        adapter.target = "<= 200 us median"
        adapter.meetsTarget = adapter.value <= 200
        return [
            adapter,
            line("1 baseline HTTPClient.send beyond server p50", httpSeries),
            line("1 baseline raw socket beyond server p50", rawSeries),
        ]
    }

    // MARK: 2. First streamed token to session event

    /// A streamed OpenAI answer whose first token the server writes 5 ms after the head (a
    /// model thinking): from just before that write to the first `llm_delta` event on a real
    /// session's bus, and, as a split, to `ProviderLLM`'s own `onText` callback.
    private static func firstTokenRelay(count: Int, warmUp: Int) async throws -> [BenchResult] {
        let server = try LoopbackModelServer(mode: .streamed(firstTokenAfter: .milliseconds(5)))
        defer { server.stop() }
        let llm = ProviderLLM(settings: ProviderSettings(kind: .openai, model: "bench", baseURL: server.baseURL,
                                                         retry: RetryPolicy(maxAttempts: 1)), client: HTTPClient())
        let graphs = try sessionGraphs()
        let session = try Session(
            configuration: SessionConfiguration(sessionType: .primary), graphs: graphs,
            adapters: SessionAdapters(set: AdapterSet(llm: llm, memory: InMemoryMemory()), names: [.llm: "provider", .memory: "in_memory"]),
            heartbeat: HeartbeatSettings(enabled: false, interval: .seconds(60)))
        let firstDelta = FirstStamp()
        session.events.subscribe { event in
            if event.kind == "llm_delta" { firstDelta.mark() }
        }

        func series(_ turn: () async throws -> Void) async throws -> [Double] {
            for _ in 0..<warmUp {
                firstDelta.clear()
                try await turn()
            }
            var gaps: [Double] = []
            for _ in 0..<count {
                firstDelta.clear()
                server.reset()
                try await turn()
                guard let written = server.measured.firstTokenWritten.first, let relayed = firstDelta.stamp else {
                    throw BenchFailure("a streamed turn relayed no first token")
                }
                gaps.append(Double(Int64(relayed) - Int64(written)) / 1000)
            }
            return gaps
        }
        let sessionGaps = try await series {
            let reply = try await session.send("Hello")
            guard reply.reply.contains("Hello from the loopback model.") else { throw BenchFailure("session: unexpected reply '\(reply.reply)'") }
        }
        let adapterGaps = try await series {
            _ = try await llm.reply(to: Conversation(LLMRequest(prompt: "Hello"), defaultModel: "bench"), onText: { _ in firstDelta.mark() })
        }
        func detail(_ gaps: [Double]) -> String {
            String(format: "p99 %.1f us, max %.1f us; %d streamed answers after %d warm-up", Measure.percentile(gaps, 99), gaps.max() ?? 0, count, warmUp)
        }
        return [
            BenchResult(name: "2 first token written -> session llm_delta p50", value: Measure.median(sessionGaps), unit: "us",
                        detail: detail(sessionGaps), target: "<= 1 ms", meetsTarget: Measure.median(sessionGaps) <= 1000),
            BenchResult(name: "2 first token written -> ProviderLLM onText p50", value: Measure.median(adapterGaps), unit: "us",
                        detail: detail(adapterGaps)),
        ]
    }

    // MARK: 3. Many sessions on a slow model

    /// `sessions` sessions send one turn each at once to a server that answers after 2 s, over
    /// `clients` HTTP clients; the process's thread count is sampled while the turns wait.
    private static func slowModel(sessions count: Int, clients: Int, label: String) async throws -> [BenchResult] {
        let server = try LoopbackModelServer(mode: .delayed(.seconds(2)))
        defer { server.stop() }
        let pools = (0..<clients).map { _ in HTTPClient() }
        let graphs = try sessionGraphs()
        let sessions = try (0..<count).map { index in
            let llm = ProviderLLM(settings: ProviderSettings(kind: .openai, model: "bench", baseURL: server.baseURL,
                                                             retry: RetryPolicy(maxAttempts: 1)), client: pools[index % clients])
            return try Session(
                configuration: SessionConfiguration(sessionType: .primary), graphs: graphs,
                adapters: SessionAdapters(set: AdapterSet(llm: llm, memory: InMemoryMemory()), names: [.llm: "provider", .memory: "in_memory"]),
                heartbeat: HeartbeatSettings(enabled: false, interval: .seconds(60)))
        }
        let before = threadCount()
        let cpuBefore = cpuSeconds()
        let sent = LoopbackModelServer.now()
        let peak = ThreadPeak(before, names: threadNames())
        let clock = ContinuousClock()
        let start = clock.now
        let (times, failures) = try await withThrowingTaskGroup(of: Double?.self) { group in
            group.addTask {
                // Sampled every 5 ms while the turns wait; the sampler is itself a pool task, no thread.
                while peak.sampling {
                    let now = threadCount()
                    // Names only at a new peak: reading every thread's `comm` costs more than the count.
                    if now > peak.value { peak.record(now, names: threadNames()) }
                    try await Task.sleep(for: .milliseconds(5))
                }
                return nil
            }
            var times: [Double] = []
            var failures = 0
            await withTaskGroup(of: Double?.self) { turns in
                for session in sessions {
                    turns.addTask {
                        let started = clock.now
                        do { _ = try await session.send("Hello") } catch { return nil }
                        return Measure.microseconds(clock.now - started) / 1e6
                    }
                }
                for await time in turns {
                    if let time { times.append(time) } else { failures += 1 }
                }
            }
            peak.stop()
            try await group.waitForAll()
            return (times, failures)
        }
        let wall = Measure.microseconds(clock.now - start) / 1e6
        let cpu = cpuSeconds() - cpuBefore
        let served = server.measured
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let threadLimit = cores + 8
        let worst = times.max() ?? .infinity
        let threadPeak = peak.value
        return [
            BenchResult(
                name: "3 \(count) sessions on a 2 s model, \(label): max turn", value: worst, unit: "s",
                detail: String(format: "median %.3f s, all done in %.2f s, %d failed; process CPU %.2f s (server thread %.2f s); requests reached the server from %.3f to %.3f s; at most %d connections, %d requests waiting at once",
                               Measure.median(times), wall, failures, cpu, served.cpuSeconds, Double(served.firstArrival &- sent) / 1e9,
                               Double(served.lastArrival &- sent) / 1e9, served.peakConnections, served.peakPending),
                target: "<= 2.5 s, all done", meetsTarget: failures == 0 && worst <= 2.5),
            BenchResult(
                name: "3 \(count) sessions on a 2 s model, \(label): peak threads", value: Double(threadPeak), unit: "threads",
                detail: "\(threadPeak - 1) without the loopback server's own thread; \(before) before the turns; \(cores) cores; at the peak: \(peak.names)",
                target: "<= \(threadLimit) (cores + 8)", meetsTarget: threadPeak <= threadLimit),
        ]
    }

    /// User plus system CPU time of the whole process so far, in seconds.
    private static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    private static func sessionGraphs() throws -> SessionGraphs {
        try SessionGraphs(
            turn: SessionGraphs.compile(text: DefaultSessionGraphs.turn, file: "<turn>", registry: SessionHandlers.registry),
            heartbeat: SessionGraphs.compile(text: DefaultSessionGraphs.heartbeat, file: "<heartbeat>", registry: SessionHandlers.registry))
    }

    /// The process's threads by name (`/proc/self/task/*/comm`), `name x count`, most first.
    private static func threadNames() -> String {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        var counts: [String: Int] = [:]
        for task in tasks {
            let name = (try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
            counts[name, default: 0] += 1
        }
        return counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .map { "\($0.key) x\($0.value)" }.joined(separator: ", ")
    }

    /// Voluntary and involuntary context switches of the whole process so far: each is a
    /// thread handing the request to another (or being pushed off a core).
    private static func contextSwitches() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_nvcsw + usage.ru_nivcsw
    }

    /// The process's thread count (`Threads:` in `/proc/self/status`), 0 where unreadable.
    private static func threadCount() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix("Threads:") {
            return Int(line.dropFirst("Threads:".count).trimmingCharacters(in: .whitespaces)) ?? 0
        }
        return 0
    }
}

/// The monotonic time of the first streamed piece of the current answer, set from the
/// adapter's or the event bus's thread and read by the benchmark after the turn.
private final class FirstStamp: Sendable {
    private let value = Atomic<UInt64>(0)

    /// Records now, unless a piece of this answer was already stamped.
    func mark() {
        _ = value.compareExchange(expected: 0, desired: LoopbackModelServer.now(), ordering: .relaxed)
    }

    /// Forgets the stamp before the next answer.
    func clear() { value.store(0, ordering: .relaxed) }

    /// The stamp, or `nil` when nothing was relayed.
    var stamp: UInt64? {
        let stamp = value.load(ordering: .relaxed)
        return stamp == 0 ? nil : stamp
    }
}

/// The most threads seen while the slow-model turns wait, and whether to keep sampling.
private final class ThreadPeak: Sendable {
    private let peak: Atomic<Int>
    private let running = Atomic<Bool>(true)
    private let census = Mutex("")

    init(_ start: Int, names: String) {
        peak = Atomic(start)
        census.withLock { $0 = names }
    }


    /// Keeps `count`, and the threads' `names`, if it is the highest yet.
    func record(_ count: Int, names: String) {
        if peak.max(count, ordering: .relaxed).oldValue < count { census.withLock { $0 = names } }
    }

    /// The threads at the peak, by name and count.
    var names: String { census.withLock { $0 } }

    /// The highest count seen.
    var value: Int { peak.load(ordering: .relaxed) }

    /// Whether the turns are still waiting.
    var sampling: Bool { running.load(ordering: .relaxed) }

    /// The turns are done.
    func stop() { running.store(false, ordering: .relaxed) }
}
