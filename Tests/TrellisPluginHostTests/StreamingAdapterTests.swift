import Foundation
import Testing
import TrellisEngine
import TrellisPluginHost
import TrellisTestSupport

/// ABI 1.1 for plugin LLM adapters: deltas published from a plugin thread reach the engine's
/// delta sink in order, the conversation is read by accessor instead of JSON, a 1.0 adapter
/// struct keeps working, and unknown adapter flags are refused.
@Suite(.timeLimit(.minutes(1))) struct StreamingAdapterTests {
    /// Pieces a delta sink received, from whatever thread the plugin publishes on. An `NSLock`
    /// (a pthread mutex) so the thread sanitizer sees the synchronization.
    private final class Pieces: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [String] = []
        func append(_ piece: String) { lock.withLock { items.append(piece) } }
        var all: [String] { lock.withLock { items } }
    }

    private static let conversation: [ContextValue] = [
        .map(["role": .string("user"), "content": .string("hello")]),
        .map(["role": .string("assistant"), "content": .string("hi there"),
              "tool_calls": .list([.map(["id": .string("call_1"), "name": .string("ls"), "arguments": .map([:])])])]),
        .map(["role": .string("tool"), "tool_call_id": .string("call_1"), "name": .string("ls"), "content": .string("files")]),
    ]

    private func loadStreamPlugin() throws -> (PluginSandbox, PluginHost) {
        let sandbox = try PluginSandbox()
        try sandbox.install(TestPlugins.library("stream", source: StreamingAdapterSources.stream), as: "libstream.so")
        let host = sandbox.host()
        let reports = host.reload()
        #expect(reports.allSatisfy { $0.status == .loaded }, "\(reports)")
        return (sandbox, host)
    }

    private func llm(_ host: PluginHost, _ name: String) throws -> any LLMAdapter {
        try #require(host.current.adapters[name]?.llm, "no adapter \(name) in \(host.current.adapters.keys.sorted())")
    }

    @Test func pluginStreamsFromItsOwnThreadAndReadsMessagesByAccessor() async throws {
        let (_, host) = try loadStreamPlugin()
        let pieces = Pieces()
        let request = LLMRequest(prompt: "next", messages: Self.conversation, onDelta: { pieces.append($0) })
        let response = try await llm(host, "stream.talk").complete(request)

        #expect(pieces.all == [
            "user=hello;", "assistant=hi there;", "tool=files;",
            "json_at=1;oob=3;bad_utf8=1;",
            "json_has_messages=0;stream=1;first=0",
        ], "the plugin saw the request's messages by accessor, and the JSON had no messages")
        #expect(response.content == pieces.all.joined())
        #expect(response.usage == LLMUsage(input: 12, output: 5))

        // After the reply, the plugin's late delta and accessors were refused.
        let late = try await invoke(host.current.registry, "stream.late")
        #expect(late.contextUpdates["late_delta"] == .integer(5), "TRELLIS_UNAVAILABLE")
        #expect(late.contextUpdates["late_count"] == .integer(-1))
        #expect(late.contextUpdates["late_message"] == .integer(5))
        #expect(!pieces.all.contains("late"))
    }

    @Test func withoutADeltaSinkDeltasAreRefusedAndTheRequestHasNoStreamKey() async throws {
        let (_, host) = try loadStreamPlugin()
        let response = try await llm(host, "stream.talk").complete(LLMRequest(prompt: "next", messages: Self.conversation))
        #expect(response.content.hasSuffix("json_has_messages=0;stream=0;first=5"), "\(response.content)")
        #expect(response.content.hasPrefix("user=hello;assistant=hi there;tool=files;"))
    }

    @Test func oneDotZeroAdapterStructStillWorks() async throws {
        let (_, host) = try loadStreamPlugin()
        let adapter = try llm(host, "stream.legacy")
        let pieces = Pieces()
        let streamed = try await adapter.complete(LLMRequest(prompt: "x", messages: Self.conversation, onDelta: { pieces.append($0) }))
        // Messages in the JSON (the 0xFF bytes past its struct were not read as flags); a plugin
        // that does not stream has its whole answer passed on as one piece.
        #expect(streamed.content == "legacy messages=1 stream=1 count=3")
        #expect(pieces.all == [streamed.content])
        let plain = try await adapter.complete(LLMRequest(prompt: "x", messages: Self.conversation))
        #expect(plain.content == "legacy messages=1 stream=0 count=3")
        #expect(plain.usage == LLMUsage())
    }

    @Test func streamedContentMayBeLeftOutButMustNotDiffer() async throws {
        let (_, host) = try loadStreamPlugin()
        let pieces = Pieces()
        let response = try await llm(host, "stream.nocontent").complete(LLMRequest(prompt: "x", onDelta: { pieces.append($0) }))
        #expect(response.content == "left out")
        #expect(pieces.all == ["left ", "out"])

        await #expect {
            _ = try await llm(host, "stream.mismatch").complete(LLMRequest(prompt: "x", onDelta: { _ in }))
        } throws: { error in
            "\(error)".contains("stream.mismatch") && "\(error)".contains("must equal the concatenation of the deltas")
        }
    }

    /// The sink cancels the request from inside a delta, on the plugin's thread (as a session
    /// event subscriber may): no deadlock, the request ends cancelled, no piece arrives after.
    @Test func cancellingFromInsideADeltaEndsTheRequestWithoutDeadlock() async throws {
        let (_, host) = try loadStreamPlugin()
        let ticker = try llm(host, "stream.ticker")
        final class Run: @unchecked Sendable {
            let lock = NSLock()
            var task: Task<LLMResponse, any Error>?
            var ended = false
            var piecesAfterEnd = 0
            var pieces = 0
        }
        let run = Run()
        let request = LLMRequest(prompt: "x", onDelta: { _ in
            let task: Task<LLMResponse, any Error>? = run.lock.withLock {
                run.pieces += 1
                if run.ended { run.piecesAfterEnd += 1 }
                return run.pieces >= 3 ? run.task : nil
            }
            task?.cancel()
        })
        let task = Task { try await ticker.complete(request) }
        run.lock.withLock { run.task = task }
        let result = await task.result
        run.lock.withLock { run.ended = true }
        #expect(throws: CancellationError.self) { try result.get() }
        try await Task.sleep(for: .milliseconds(20))
        run.lock.withLock {
            #expect(run.pieces >= 3)
            #expect(run.piecesAfterEnd == 0)
        }
    }

    @Test func unknownAdapterFlagsRefuseThePluginNamingIt() throws {
        let sandbox = try PluginSandbox()
        try sandbox.install(TestPlugins.library("badflags", source: StreamingAdapterSources.unknownFlags), as: "libbadflags.so")
        let host = sandbox.host()
        let report = try #require(host.reload().first { $0.path.hasSuffix("libbadflags.so") })
        #expect(report.status == .failed)
        #expect(report.message.contains("adapter 'badflags.future'"), "\(report)")
        #expect(report.message.contains("unknown flag bits 0xc"), "\(report)")
        #expect(host.current.adapters["badflags.future"] == nil)
    }
}
