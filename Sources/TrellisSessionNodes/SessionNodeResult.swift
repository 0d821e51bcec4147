public import TrellisCore

/// How a session node finished: both sides turn it into their own outcome type (the engine's
/// `Outcome`, the SDK's `NodeResult`).
public struct SessionNodeResult: Sendable, Equatable {
    /// Context updates; empty for a failure.
    public var updates: [String: ContextValue]
    /// Why the node failed; `nil` on success.
    public var failureReason: String?
    /// The edge label the node prefers.
    public var preferredLabel: String?
    /// Free text for logs.
    public var notes: String?

    /// All fields (for the inlinable constructors below).
    @usableFromInline
    init(updates: [String: ContextValue], failureReason: String?, preferredLabel: String?, notes: String?) {
        self.updates = updates
        self.failureReason = failureReason
        self.preferredLabel = preferredLabel
        self.notes = notes
    }

    /// A success that sets `updates`.
    @inlinable
    public static func success(_ updates: [String: ContextValue] = [:], preferredLabel: String? = nil, notes: String? = nil) -> SessionNodeResult {
        SessionNodeResult(updates: updates, failureReason: nil, preferredLabel: preferredLabel, notes: notes)
    }

    /// A failure with its reason.
    @inlinable
    public static func failure(_ reason: String) -> SessionNodeResult {
        SessionNodeResult(updates: [:], failureReason: reason, preferredLabel: nil, notes: nil)
    }
}
