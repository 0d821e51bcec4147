import Synchronization
import Testing
@testable import TrellisEngine

/// Keeps every event it receives.
private final class RecordingSink: EventSink, Sendable {
    private let events = Mutex<[RunEvent]>([])
    var recorded: [RunEvent] { events.withLock { $0 } }
    func emit(_ event: RunEvent) { events.withLock { $0.append(event) } }
}

/// An interviewer that never answers but honours cancellation.
private struct SilentInterviewer: Interviewer {
    func ask(_ question: HumanQuestion) async throws -> HumanAnswer {
        try await Task.sleep(for: .seconds(3_600))
        return .timedOut
    }
}

/// An interviewer that answers with a choice it builds itself.
private struct FixedInterviewer: Interviewer {
    var choice: HumanChoice
    func ask(_ question: HumanQuestion) async throws -> HumanAnswer { .chose(choice) }
}

@Suite("HumanGateHandler", .timeLimit(.minutes(1)))
struct HumanGateHandlerTests {
    private let releaseEdges = [
        OutgoingEdgeInfo(label: "[Y] Yes, release", target: "done"),
        OutgoingEdgeInfo(label: "[N] No, review again", target: "summarize"),
    ]

    private func gate(
        _ attributes: [(String, String)] = [("label", "Release now?")],
        edges: [OutgoingEdgeInfo]? = nil,
        interviewer: (any Interviewer)?,
        events: any EventSink = DiscardingEventSink()
    ) -> HandlerRequest {
        LeafTestSupport.request(
            id: "approve",
            type: "wait.human",
            attributes: attributes,
            outgoing: edges ?? releaseEdges,
            services: RunServices(events: events, interviewer: interviewer)
        )
    }

    @Test("accelerator keys come from [K] Label, K) Label and K - Label")
    func acceleratorKeys() {
        #expect(HumanGateHandler.explicitAcceleratorKey(in: "[Y] Yes, deploy") == "Y")
        #expect(HumanGateHandler.explicitAcceleratorKey(in: "Y) Yes, deploy") == "Y")
        #expect(HumanGateHandler.explicitAcceleratorKey(in: "Y - Yes, deploy") == "Y")
        #expect(HumanGateHandler.explicitAcceleratorKey(in: "[ok] Fine") == "ok")
        #expect(HumanGateHandler.explicitAcceleratorKey(in: "Yes, deploy") == nil)
        #expect(HumanGateHandler.explicitAcceleratorKey(in: "Yes-man") == nil)
        #expect(HumanGateHandler.labelText("[Y] Yes, deploy") == "Yes, deploy")
        #expect(HumanGateHandler.labelText("Y - Yes, deploy") == "Yes, deploy")
    }

    @Test("choices follow the edges; unlabelled edges use the target; derived keys never collide")
    func choicesFromEdges() {
        let choices = HumanGateHandler.choices(for: [
            OutgoingEdgeInfo(label: "[R] Run again", target: "run"),
            OutgoingEdgeInfo(label: "Reject", target: "reject"),
            OutgoingEdgeInfo(label: "accept", target: "ship"),
            OutgoingEdgeInfo(label: "", target: "later"),
        ])
        #expect(choices == [
            HumanChoice(label: "[R] Run again", key: "R", target: "run"),
            HumanChoice(label: "Reject", key: nil, target: "reject"),
            HumanChoice(label: "accept", key: "A", target: "ship"),
            HumanChoice(label: "later", key: "L", target: "later"),
        ])
    }

    @Test("answers match by key, label, label text, target or number")
    func answerMatching() {
        let question = HumanQuestion(nodeID: "g", prompt: "?", choices: HumanGateHandler.choices(for: releaseEdges))
        let yes = question.choices[0]
        let no = question.choices[1]
        #expect(question.choice(matching: "y") == .matched(yes))
        #expect(question.choice(matching: "[N] No, review again") == .matched(no))
        #expect(question.choice(matching: "yes, release") == .matched(yes))
        #expect(question.choice(matching: "summarize") == .matched(no))
        #expect(question.choice(matching: "2") == .matched(no))
        #expect(question.choice(matching: "3") == .none)
        #expect(question.choice(matching: "maybe") == .none)
    }

    @Test("the chosen edge becomes the preferred label and suggested next id")
    func routesToChoice() async throws {
        let interviewer = try ScriptedInterviewer(text: "approve=N")
        let outcome = try await HumanGateHandler().execute(gate(interviewer: interviewer))
        #expect(outcome.status == .success)
        #expect(outcome.preferredLabel == "[N] No, review again")
        #expect(outcome.suggestedNextIDs == ["summarize"])
        #expect(outcome.contextUpdates["human.gate.selected"] == .string("N"))
        #expect(outcome.contextUpdates["human.gate.label"] == .string("[N] No, review again"))
        #expect(outcome.contextUpdates["human.gate.target"] == .string("summarize"))
    }

    @Test("an answer is matched to the gate's edges by target; an edge it does not have fails the gate")
    func foreignChoices() async throws {
        let rebuilt = try await HumanGateHandler().execute(gate(interviewer: FixedInterviewer(choice: HumanChoice(label: "whatever", key: nil, target: "done"))))
        #expect(rebuilt.status == .success)
        #expect(rebuilt.preferredLabel == "[Y] Yes, release")
        let unknown = try await HumanGateHandler().execute(gate(interviewer: FixedInterviewer(choice: HumanChoice(label: "Elsewhere", key: nil, target: "elsewhere"))))
        #expect(unknown.status == .fail)
        #expect(unknown.failureReason?.contains("not one of its choices") == true)
    }

    @Test("question and answer events are emitted")
    func emitsEvents() async throws {
        let sink = RecordingSink()
        _ = try await HumanGateHandler().execute(gate(interviewer: AutoApproveInterviewer(), events: sink))
        let kinds = sink.recorded.map(\.kind.rawValue)
        #expect(kinds == ["human_question", "human_answer"])
        #expect(sink.recorded[0].fields["choices"] == .list([.string("[Y] Yes, release"), .string("[N] No, review again")]))
        #expect(sink.recorded[1].fields["choice"] == .string("[Y] Yes, release"))
        #expect(sink.recorded[1].fields["timed_out"] == .boolean(false))
    }

    @Test("a scripted time-out takes human.default_choice")
    func defaultChoiceOnScriptedTimeout() async throws {
        let interviewer = try ScriptedInterviewer(text: "approve=!timeout")
        let request = gate([("label", "Release now?"), ("human.default_choice", "N")], interviewer: interviewer)
        let outcome = try await HumanGateHandler().execute(request)
        #expect(outcome.status == .success)
        #expect(outcome.suggestedNextIDs == ["summarize"])
        #expect(outcome.notes?.contains("default choice") == true)
    }

    @Test("human.timeout ends a silent wait with the default choice")
    func defaultChoiceOnHumanTimeout() async throws {
        let request = gate(
            [("label", "Release now?"), ("human.default_choice", "summarize"), ("human.timeout", "100ms")],
            interviewer: SilentInterviewer()
        )
        let outcome = try await HumanGateHandler().execute(request)
        #expect(outcome.status == .success)
        #expect(outcome.preferredLabel == "[N] No, review again")
    }

    @Test("a time-out without a default asks for a retry, never a choice nobody made")
    func timeoutWithoutDefault() async throws {
        let outcome = try await HumanGateHandler().execute(gate(interviewer: try ScriptedInterviewer(text: "!timeout")))
        #expect(outcome.status == .retry)
        #expect(outcome.suggestedNextIDs.isEmpty)
        #expect(outcome.failureReason?.contains("no human.default_choice") == true)
    }

    @Test("a default choice that names no edge fails the gate")
    func badDefaultChoice() async throws {
        let request = gate([("human.default_choice", "Z")], interviewer: try ScriptedInterviewer(text: "!timeout"))
        let outcome = try await HumanGateHandler().execute(request)
        #expect(outcome.status == .fail)
        #expect(outcome.failureReason?.contains("human.default_choice \"Z\" names none of its choices") == true)
    }

    @Test("without an interviewer the gate fails saying how to configure one")
    func noInterviewer() async throws {
        let outcome = try await HumanGateHandler().execute(gate(interviewer: nil))
        #expect(outcome.status == .fail)
        #expect(outcome.failureReason?.contains("--interviewer") == true)
    }

    @Test("a gate without outgoing edges fails")
    func noEdges() async throws {
        let outcome = try await HumanGateHandler().execute(gate(edges: [], interviewer: AutoApproveInterviewer()))
        #expect(outcome.status == .fail)
        #expect(outcome.failureReason?.contains("no outgoing edges") == true)
    }

    @Test("an interviewer that runs out of answers fails the gate with its message")
    func interviewerErrorFails() async throws {
        let outcome = try await HumanGateHandler().execute(gate(interviewer: try ScriptedInterviewer(text: "", source: "answers.txt")))
        #expect(outcome.status == .fail)
        #expect(outcome.failureReason?.contains("answers.txt: no answer left for human gate 'approve'") == true)
    }

    @Test("cancelling the gate cancels the question")
    func cancellation() async throws {
        let request = gate(interviewer: SilentInterviewer())
        let task = Task { try await HumanGateHandler().execute(request) }
        task.cancel()
        await #expect(throws: CancellationError.self) { _ = try await task.value }
    }
}
