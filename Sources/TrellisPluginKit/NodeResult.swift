import CTrellisPlugin

/// What a node handler returns: how the node finished, routing hints, and context updates.
public struct NodeResult: Sendable, Equatable {
    /// How a node finished (the pipeline's outcome statuses).
    public enum Status: Sendable, Hashable {
        /// The node did its work.
        case success
        /// The node did part of its work.
        case partialSuccess
        /// The node asks to be run again.
        case retry
        /// The node failed.
        case fail
        /// The node chose not to run.
        case skipped

        /// The header's TRELLIS_OUTCOME_* code.
        var code: Int32 {
            switch self {
            case .success: return TRELLIS_OUTCOME_SUCCESS
            case .partialSuccess: return TRELLIS_OUTCOME_PARTIAL_SUCCESS
            case .retry: return TRELLIS_OUTCOME_RETRY
            case .fail: return TRELLIS_OUTCOME_FAIL
            case .skipped: return TRELLIS_OUTCOME_SKIPPED
            }
        }
    }

    /// How the node finished.
    public var status: Status
    /// Context updates, applied after any `NodeCall.set` writes of the same call.
    public var updates: [String: PluginValue]
    /// Why the node failed (for `.fail` and `.retry`).
    public var failureReason: String?
    /// The edge label the node prefers.
    public var preferredLabel: String?
    /// Node ids the handler suggests going to next.
    public var suggestedNextIDs: [String]
    /// Free text for logs.
    public var notes: String?

    /// Creates a result.
    public init(
        status: Status,
        updates: [String: PluginValue] = [:],
        failureReason: String? = nil,
        preferredLabel: String? = nil,
        suggestedNextIDs: [String] = [],
        notes: String? = nil
    ) {
        self.status = status
        self.updates = updates
        self.failureReason = failureReason
        self.preferredLabel = preferredLabel
        self.suggestedNextIDs = suggestedNextIDs
        self.notes = notes
    }

    /// A success that sets `updates`.
    public static func success(_ updates: [String: PluginValue] = [:]) -> NodeResult {
        NodeResult(status: .success, updates: updates)
    }

    /// A failure with its reason.
    public static func failure(_ reason: String) -> NodeResult {
        NodeResult(status: .fail, failureReason: reason)
    }
}
