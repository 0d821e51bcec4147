import Foundation
import Testing
import TrellisDOT
import TrellisEngine
import TrellisTestSupport

/// An LLM adapter that records every request and answers `answer from <node>`.
private final class RecordingLLM: LLMAdapter, @unchecked Sendable {
    private let lock = NSLock()
    private var requests: [LLMRequest] = []

    /// The requests so far, by node id.
    var byNode: [String: LLMRequest] {
        lock.withLock { Dictionary(requests.map { ($0.options["node_id"]?.stringValue ?? "", $0) }, uniquingKeysWith: { _, last in last }) }
    }

    func complete(_ request: LLMRequest) async throws -> LLMResponse {
        lock.withLock { requests.append(request) }
        return LLMResponse(content: "answer from \(request.options["node_id"]?.stringValue ?? "?")")
    }
}

/// Context fidelity and threads in real runs: what each LLM stage's request carries per
/// mode, the edge > node > graph precedence, and `prompt.md` showing what was sent.
@Suite(.timeLimit(.minutes(1))) struct ContextFidelityTests {
    private func run(_ dot: String) async throws -> (RecordingLLM, String) {
        let graph = try EnginePipelines.compile(dot)
        let directory = try EnginePipelines.temporaryDirectory()
        let model = RecordingLLM()
        let result = await Engine().run(graph, adapters: AdapterSet(llm: model), services: RunServices(runDirectory: directory))
        #expect(result.status == .success, "\(result.failureReason ?? "")")
        return (model, directory)
    }

    @Test func fullReusesTheThreadAcrossNodesAndOtherModesStartFresh() async throws {
        let (model, directory) = try await run("""
            digraph Threads {
                goal="ship it"
                start [shape=Mdiamond]
                a [prompt="first", fidelity="full", thread_id="work"]
                b [prompt="second", fidelity="full", thread_id="work"]
                other [prompt="elsewhere", fidelity="full", thread_id="other"]
                c [prompt="third", fidelity="full", thread_id="work"]
                t [prompt="fresh", fidelity="truncate"]
                exit [shape=Msquare]
                start -> a -> b -> other -> c -> t -> exit
            }
            """)
        let sent = model.byNode
        #expect(sent["a"]?.messages.isEmpty == true)
        #expect(sent["a"]?.prompt == "first")
        let bMessages = try #require(sent["b"]?.messages)
        #expect(bMessages.map { $0["role"]?.stringValue } == ["user", "assistant"])
        #expect(bMessages.map { $0["content"]?.stringValue } == ["first", "answer from a"])
        #expect(sent["b"]?.prompt == "second")
        #expect(sent["other"]?.messages.isEmpty == true, "another thread must start fresh")
        #expect(sent["c"]?.messages.map { $0["content"]?.stringValue } == ["first", "answer from a", "second", "answer from b"])
        #expect(sent["c"]?.options["thread_id"] == .string("work"))
        #expect(sent["t"]?.messages.isEmpty == true)
        #expect(sent["t"]?.prompt.hasPrefix("Goal: ship it\nRun: ") == true)
        #expect(sent["t"]?.prompt.hasSuffix("\n---\n\nfresh") == true)
        #expect(sent["t"]?.prompt.contains("Completed stages") == false, "truncate carries only the goal and run id")

        let promptFile = try String(contentsOfFile: directory + "/c/prompt.md", encoding: .utf8)
        #expect(promptFile == "## user\n\nfirst\n\n## assistant\n\nanswer from a\n\n## user\n\nsecond\n\n## assistant\n\nanswer from b\n\n## user\n\nthird")
        #expect(try String(contentsOfFile: directory + "/t/prompt.md", encoding: .utf8) == sent["t"]?.prompt)
    }

    @Test func edgeBeatsNodeBeatsGraphAndCompactIsTheDefault() async throws {
        let (model, _) = try await run("""
            digraph Precedence {
                goal="rank modes"
                default_fidelity="truncate"
                start [shape=Mdiamond]
                graphwide [prompt="g"]
                nodeset [prompt="n", fidelity="summary:low"]
                edgeset [prompt="e", fidelity="truncate"]
                exit [shape=Msquare]
                start -> graphwide -> nodeset
                nodeset -> edgeset [fidelity="compact"]
                edgeset -> exit
            }
            """)
        let sent = model.byNode
        #expect(sent["graphwide"]?.options["fidelity"] == .string("truncate"))
        #expect(sent["nodeset"]?.options["fidelity"] == .string("summary:low"))
        #expect(sent["nodeset"]?.prompt.contains("So far 2 stage(s) ran: 2 succeeded, 0 failed; the last was 'graphwide' (success).") == true)
        #expect(sent["edgeset"]?.options["fidelity"] == .string("compact"))
        let compact = try #require(sent["edgeset"]?.prompt)
        #expect(compact.contains("Completed stages:\n- start: success"))
        #expect(compact.contains("- nodeset: success"))
        #expect(compact.hasSuffix("\n---\n\ne"))

        let (defaults, _) = try await run("""
            digraph Defaults {
                start [shape=Mdiamond]
                only [prompt="p"]
                exit [shape=Msquare]
                start -> only -> exit
            }
            """)
        #expect(defaults.byNode["only"]?.options["fidelity"] == .string("compact"))
    }

    @Test func summaryDetailGrowsWithTheLevel() async throws {
        var lengths: [String: Int] = [:]
        for level in ["low", "medium", "high"] {
            var dot = "digraph Summary {\n goal=\"grow\"\n start [shape=Mdiamond]\n exit [shape=Msquare]\n"
            for number in 1...12 { dot += " s\(number) [prompt=\"step \(number)\", fidelity=\"compact\"]\n" }
            dot += " last [prompt=\"end\", fidelity=\"summary:\(level)\"]\n start -> s1\n"
            for number in 1..<12 { dot += " s\(number) -> s\(number + 1)\n" }
            dot += " s12 -> last -> exit\n}\n"
            let (model, _) = try await run(dot)
            let prompt = try #require(model.byNode["last"]?.prompt)
            lengths[level] = prompt.count
            #expect(prompt.contains("So far 13 stage(s) ran"))
            if level == "high" { #expect(prompt.contains("answer: answer from s12")) }
            if level == "low" { #expect(!prompt.contains("s9:"), "low keeps only the last three stages") }
        }
        #expect(lengths["low"]! < lengths["medium"]!)
        #expect(lengths["medium"]! < lengths["high"]!)
    }
    @Test func theFirstFullStageAfterAResumeGetsSummaryHigh() async throws {
        let pipeline = """
            digraph Resumed {
                goal="carry on"
                start [shape=Mdiamond]
                a [prompt="first", fidelity="full", thread_id="work"]
                gate [type="test.gate"]
                b [prompt="second", fidelity="full", thread_id="work"]
                c [prompt="third", fidelity="full", thread_id="work"]
                exit [shape=Msquare]
                start -> a -> gate -> b -> c -> exit
            }
            """
        let gate = EngineGate(open: false)
        let graph = try EnginePipelines.compile(pipeline, extra: [RegisteredHandler(typeID: "test.gate", handler: EngineGateHandler(gate: gate))])
        let directory = try EnginePipelines.temporaryDirectory()
        let before = RecordingLLM()
        let task = Task { await Engine().run(graph, adapters: AdapterSet(llm: before), services: RunServices(runDirectory: directory)) }
        try await waitUntil("the run to enter the gate node", interval: .milliseconds(5)) { await gate.entered }
        task.cancel()
        #expect(await task.value.status == .fail)
        #expect(before.byNode.keys.sorted() == ["a"])

        // The conversation of thread "work" lived in the stopped process; the resumed run has
        // only the checkpoint, so b cannot continue it and gets the fullest summary instead.
        await gate.openUp()
        let after = RecordingLLM()
        let resumed = await Engine().run(graph, adapters: AdapterSet(llm: after), options: RunOptions(resumeFrom: directory))
        #expect(resumed.status == .success, "\(resumed.failureReason ?? "")")
        let sent = after.byNode
        #expect(sent["a"] == nil, "a finished before the stop and must not run again")
        let b = try #require(sent["b"])
        #expect(b.options["fidelity"] == .string("summary:high"))
        #expect(b.messages.isEmpty)
        #expect(b.prompt.hasPrefix("Goal: carry on\n"))
        #expect(b.prompt.contains("- a: success"), "the summary lists the stages completed before the stop: \(b.prompt)")
        #expect(b.prompt.hasSuffix("\n---\n\nsecond"))
        // Only the first such stage degrades: c is `full` again.
        #expect(sent["c"]?.options["fidelity"] == .string("full"))
        #expect(try String(contentsOfFile: directory + "/b/prompt.md", encoding: .utf8) == b.prompt)
    }
}

