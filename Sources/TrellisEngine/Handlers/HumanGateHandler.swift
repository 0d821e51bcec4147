import TrellisDOT

/// The human gate (`wait.human`, shape `hexagon`): asks the run's interviewer to choose one
/// of the node's outgoing edges and routes there.
///
/// - The choices are the outgoing edges (`NodeSpec.outgoing`), labelled and keyed as
///   `choices(for:)` describes. A gate without outgoing edges fails.
/// - The question text is the node's `prompt`, else its label.
/// - `human.timeout` (a duration) bounds the wait: when it passes, or when the interviewer
///   reports a time-out itself, the gate takes `human.default_choice` (matched like an
///   answer: key, label, target id or number). Without a default a time-out ends the
///   visit with `retry` — never with a choice nobody made.
/// - The chosen edge becomes the outcome's preferred label and suggested next id, so edge
///   selection follows it; the context receives `human.gate.selected` (the key, else the
///   label), `human.gate.label` and `human.gate.target`.
/// - Events `human_question` (fields `prompt`, `choices`, `default_choice`) and
///   `human_answer` (fields `choice`, `target`, `key`, `timed_out`; with the wait's duration)
///   go to `services.events`.
/// - A run without an interviewer fails the node with a message saying how to configure one;
///   an interviewer that throws fails it with the interviewer's message.
///
/// An interviewer must honour task cancellation, because a node timeout or `human.timeout`
/// cancels the question.
public struct HumanGateHandler: NodeHandler {
    /// Creates the handler.
    public init() {}

    /// The registration for the `wait.human` node type.
    public static let registration = RegisteredHandler(
        typeID: "wait.human",
        handler: HumanGateHandler(),
        schema: AttributeSchema(attributes: [
            AttributeSpec(name: "prompt", type: .string, summary: "The question shown; the label is used when empty."),
            AttributeSpec(name: "label", type: .string, summary: "Display name; the question when no prompt is set."),
            AttributeSpec(name: "human.default_choice", type: .string, summary: "The choice taken on time-out: a key, label, target id or number."),
            AttributeSpec(name: "human.timeout", type: .duration, summary: "How long to wait for an answer before taking human.default_choice."),
        ]),
        summary: "Human gate: asks the interviewer to choose among the outgoing edges and routes to the choice."
    )

    /// Runs one visit of a human gate (see the type's summary).
    public nonisolated(nonsending) func execute(_ request: HandlerRequest) async throws -> Outcome {
        let node = request.node
        let choices = Self.choices(for: node.outgoing)
        guard !choices.isEmpty else {
            return .failure("human gate '\(node.id)' has no outgoing edges to offer as choices: add an edge per choice, labelled e.g. \"[Y] Yes\"")
        }
        guard let interviewer = request.services.interviewer else {
            return .failure(
                "human gate '\(node.id)' needs an interviewer, but none is configured: run with --interviewer console, auto, or a file of scripted answers"
            )
        }
        var timeout: Duration?
        if let written = node.attributes["human.timeout"] {
            guard let duration = written.duration else {
                return .failure("human gate '\(node.id)': human.timeout \(JSONText.quoted(written.raw)) is not a duration (write e.g. 30s or 5m)")
            }
            timeout = duration
        }
        let written = node.attributes["prompt"]?.text ?? ""
        let defaultChoice = node.attributes["human.default_choice"]?.text.trimmingSpacesAndNewlines()
        let question = HumanQuestion(
            nodeID: node.id,
            prompt: written.isEmpty ? node.label : written,
            choices: choices,
            defaultChoice: (defaultChoice?.isEmpty ?? true) ? nil : defaultChoice,
            timeout: timeout
        )

        let events = request.services.events
        events.emit(RunEvent("human_question", nodeID: node.id, fields: [
            "prompt": .string(question.prompt),
            "choices": .list(choices.map { .string($0.label) }),
            "default_choice": question.defaultChoice.map(ContextValue.string) ?? .null,
        ]))
        let clock = ContinuousClock()
        let asked = clock.now
        let answer: HumanAnswer
        do {
            answer = try await Self.ask(interviewer, question)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            try Task.checkCancellation()
            return .failure("human gate '\(node.id)': the interviewer gave no answer: \(error)")
        }
        let waited = clock.now - asked

        let chosen: HumanChoice
        let timedOut: Bool
        switch answer {
        case .chose(let choice):
            // Interviewers built elsewhere may rebuild the choice; the edge it names is what counts.
            let sameTarget = choices.filter { $0.target == choice.target }
            guard let offered = sameTarget.first(where: { $0.label == choice.label }) ?? (sameTarget.count == 1 ? sameTarget[0] : nil) else {
                return .failure("human gate '\(node.id)': the interviewer answered \(JSONText.quoted(choice.label)) → \(choice.target), which is not one of its choices (\(question.choiceSummary))")
            }
            chosen = offered
            timedOut = false
        case .timedOut:
            guard let defaultChoice = question.defaultChoice else {
                events.emit(RunEvent("human_answer", nodeID: node.id, duration: waited, fields: ["timed_out": .boolean(true)]))
                return Outcome(status: .retry, failureReason: "human gate '\(node.id)' timed out without an answer and has no human.default_choice")
            }
            switch question.choice(matching: defaultChoice) {
            case .matched(let choice):
                chosen = choice
            case .none:
                return .failure("human gate '\(node.id)': human.default_choice \(JSONText.quoted(defaultChoice)) names none of its choices (\(question.choiceSummary))")
            case .ambiguous(let several):
                return .failure("human gate '\(node.id)': human.default_choice \(JSONText.quoted(defaultChoice)) matches several choices (\(several.map(\.label).joined(separator: ", ")))")
            }
            timedOut = true
        }

        events.emit(RunEvent("human_answer", nodeID: node.id, duration: waited, fields: [
            "choice": .string(chosen.label),
            "target": .string(chosen.target),
            "key": chosen.key.map(ContextValue.string) ?? .null,
            "timed_out": .boolean(timedOut),
        ]))
        return Outcome(
            status: .success,
            preferredLabel: chosen.label,
            suggestedNextIDs: [chosen.target],
            contextUpdates: [
                "human.gate.selected": .string(chosen.key ?? chosen.label),
                "human.gate.label": .string(chosen.label),
                "human.gate.target": .string(chosen.target),
            ],
            notes: timedOut ? "No answer in time; took the default choice \(chosen.label)" : "Chose \(chosen.label)"
        )
    }

    /// Asks `question`, answering `.timedOut` when its timeout passes first (the question is
    /// then cancelled).
    static func ask(_ interviewer: any Interviewer, _ question: HumanQuestion) async throws -> HumanAnswer {
        guard let timeout = question.timeout else { return try await interviewer.ask(question) }
        return try await withThrowingTaskGroup(of: HumanAnswer.self) { group in
            group.addTask { try await interviewer.ask(question) }
            group.addTask {
                try await Task.sleep(for: timeout)
                return .timedOut
            }
            defer { group.cancelAll() }
            return try await group.next() ?? .timedOut
        }
    }
}
