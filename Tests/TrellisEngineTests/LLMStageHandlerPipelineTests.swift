import Foundation
import Testing
import TrellisDOT
@testable import TrellisEngine

/// The three leaf handlers inside a real run: compiled from DOT, run by the engine.
@Suite("Leaf handlers in a pipeline", .timeLimit(.minutes(1)))
struct LLMStageHandlerPipelineTests {
    private let pipeline = #"""
    digraph Ship {
      graph [goal = "ship the release"]
      start  [shape = Mdiamond]
      done   [shape = Msquare]
      count  [shape = parallelogram, tool_command = "printf '%s' \"$TRELLIS_CTX_GREETING\" | wc -c | tr -d ' '"]
      review [shape = box, prompt = "Review ${context.tool_stdout} characters for $goal.\nSIMULATE_OUTCOME: success"]
      gate   [shape = hexagon, label = "Ship it?"]
      start -> count -> review -> gate
      gate -> done   [label = "[Y] Yes, ship"]
      gate -> review [label = "[N] No, review again"]
    }
    """#

    @Test("tool output feeds the prompt, the LLM stage leaves its files, and the gate routes by the script")
    func runsEndToEnd() async throws {
        let parsed = DOTParser.parse(pipeline, file: "ship.dot")
        let graph = try #require(parsed.graph, "\(parsed.diagnostics.map(\.message))")
        let compiled = try GraphCompiler.compile(graph, registry: .builtin)
        let runDirectory = try LeafTestSupport.makeScratchDirectory()
        defer { LeafTestSupport.remove(runDirectory) }
        let workingDirectory = try LeafTestSupport.makeScratchDirectory()
        defer { LeafTestSupport.remove(workingDirectory) }
        let interviewer = try ScriptedInterviewer(text: "gate=N\ngate=Y\n", source: "answers.txt")

        let result = await Engine().run(
            compiled,
            context: Context(["greeting": .string("hello")]),
            adapters: AdapterSet(llm: SimulatedLLM()),
            services: RunServices(runDirectory: runDirectory, workingDirectory: workingDirectory, interviewer: interviewer)
        )

        #expect(result.status == .success, "\(result.failureReason ?? "")")
        #expect(result.completedNodes.filter { $0 == "review" }.count == 2)
        #expect(result.completedNodes.contains("done"))
        #expect(result.context["tool_stdout"] == .string("5"))
        #expect(result.context["human.gate.label"] == .string("[Y] Yes, ship"))
        #expect(interviewer.remainingAnswers == 0)
        let prompt = LeafTestSupport.read(runDirectory + "/review/prompt.md")
        // The default fidelity (compact) puts a preamble about the run before the node's prompt.
        #expect(prompt.hasPrefix("Goal: "))
        #expect(prompt.contains("\n---\n\nReview 5 characters for ship the release.\n"))
        #expect(LeafTestSupport.read(runDirectory + "/review/response.md").hasPrefix("[Simulated] Response "))
        #expect(LeafTestSupport.read(runDirectory + "/count/stdout.txt") == "5\n")
    }
}
