import Foundation
import Testing
import TrellisDOT
import TrellisEngine

/// Human gate routing through the engine with scripted answers.
@Suite(.timeLimit(.minutes(1))) struct EngineHumanGateTests {
    static let pipeline = """
        digraph Review {
            start [shape=Mdiamond]
            review [shape=hexagon, label="Ship it?"]
            ship [type="test.step"]
            fix [type="test.step"]
            exit [shape=Msquare]
            start -> review
            review -> ship [label="[S] Ship"]
            review -> fix [label="[F] Fix"]
            ship -> exit
            fix -> review
        }
        """

    @Test func scriptedAnswersRouteThroughTheGate() async throws {
        let graph = try EnginePipelines.compile(Self.pipeline)
        let interviewer = try ScriptedInterviewer(text: "review=F\nreview=S\n")
        let result = await Engine().run(graph, services: RunServices(interviewer: interviewer))
        #expect(result.status == .success, "\(result.failureReason ?? "")")
        #expect(result.completedNodes == ["start", "review", "fix", "review", "ship", "exit"])
        #expect(result.context["human.gate.label"] == .string("[S] Ship"))
    }

    @Test func gateWithoutInterviewerFailsTheRun() async throws {
        let graph = try EnginePipelines.compile(Self.pipeline)
        let result = await Engine().run(graph)
        #expect(result.status == .fail)
        #expect(result.completedNodes == ["start", "review"])
    }
}
