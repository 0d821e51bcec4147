/// Answers every question without a person: with the question's default choice
/// (`human.default_choice`) when it has one that names a choice, else with the first
/// choice (the first outgoing edge). For CI and for walking pipelines unattended.
public struct AutoApproveInterviewer: Interviewer {
    /// Creates the interviewer.
    public init() {}

    /// Picks the default choice, else the first one; throws when there is no choice at all.
    public func ask(_ question: HumanQuestion) async throws -> HumanAnswer {
        if let defaultChoice = question.defaultChoice, case .matched(let choice) = question.choice(matching: defaultChoice) {
            return .chose(choice)
        }
        guard let first = question.choices.first else {
            throw AutoApproveInterviewerError(nodeID: question.nodeID)
        }
        return .chose(first)
    }
}

/// The auto-approve interviewer was asked a question without choices.
public struct AutoApproveInterviewerError: Error, Sendable, CustomStringConvertible {
    /// The gate that asked.
    public var nodeID: String
    /// A sentence for failure reasons.
    public var description: String { "human gate '\(nodeID)' offers no choices, so there is nothing to approve" }
}
