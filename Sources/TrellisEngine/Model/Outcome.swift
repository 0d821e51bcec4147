/// The status a node finishes with (pipeline specification).
public enum OutcomeStatus: String, Sendable, Hashable, CaseIterable, Codable {
    /// The node did its work.
    case success
    /// The node did part of its work; counts as success only where `allow_partial` says so.
    case partialSuccess = "partial_success"
    /// The node asks to be run again.
    case retry
    /// The node failed.
    case fail
    /// The node chose not to run.
    case skipped
}

/// What a handler returns: its status, routing hints, and the context changes to apply.
public struct Outcome: Sendable, Equatable {
    /// How the node finished.
    public var status: OutcomeStatus
    /// An edge label the handler prefers (edge selection step 2).
    public var preferredLabel: String?
    /// Node ids the handler suggests going to next (edge selection step 3).
    public var suggestedNextIDs: [String]
    /// Context changes, applied by the engine after the node finishes.
    public var contextUpdates: [String: ContextValue]
    /// Free text for logs and `status.json`.
    public var notes: String?
    /// Why the node failed, when `status` is `.fail` or `.retry`.
    public var failureReason: String?

    /// Creates an outcome.
    public init(
        status: OutcomeStatus,
        preferredLabel: String? = nil,
        suggestedNextIDs: [String] = [],
        contextUpdates: [String: ContextValue] = [:],
        notes: String? = nil,
        failureReason: String? = nil
    ) {
        self.status = status
        self.preferredLabel = preferredLabel
        self.suggestedNextIDs = suggestedNextIDs
        self.contextUpdates = contextUpdates
        self.notes = notes
        self.failureReason = failureReason
    }

    /// A success with the given context updates.
    public static func success(_ updates: [String: ContextValue] = [:], notes: String? = nil) -> Outcome {
        Outcome(status: .success, contextUpdates: updates, notes: notes)
    }

    /// A failure with a reason.
    public static func failure(_ reason: String, updates: [String: ContextValue] = [:]) -> Outcome {
        Outcome(status: .fail, contextUpdates: updates, failureReason: reason)
    }
}
