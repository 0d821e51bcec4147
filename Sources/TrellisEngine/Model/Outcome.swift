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
///
/// The engine moves an outcome through several hands per node, so the fields most outcomes
/// leave empty (routing hints, notes, failure reason) share one optional copy-on-write box:
/// a typical outcome copies with one reference count (its updates), not five.
public struct Outcome: Sendable, Equatable {
    /// How the node finished.
    public var status: OutcomeStatus
    /// Context changes, applied by the engine after the node finishes.
    public var contextUpdates: [String: ContextValue]
    /// An edge label the handler prefers (edge selection step 2).
    public var preferredLabel: String? {
        get { details?.value.preferredLabel }
        set { if newValue != nil || details != nil { modifyDetails { $0.preferredLabel = newValue } } }
    }
    /// Node ids the handler suggests going to next (edge selection step 3).
    public var suggestedNextIDs: [String] {
        get { details?.value.suggestedNextIDs ?? [] }
        set { if !newValue.isEmpty || details != nil { modifyDetails { $0.suggestedNextIDs = newValue } } }
    }
    /// Free text for logs and `status.json`.
    public var notes: String? {
        get { details?.value.notes }
        set { if newValue != nil || details != nil { modifyDetails { $0.notes = newValue } } }
    }
    /// Why the node failed, when `status` is `.fail` or `.retry`.
    public var failureReason: String? {
        get { details?.value.failureReason }
        set { if newValue != nil || details != nil { modifyDetails { $0.failureReason = newValue } } }
    }

    /// The fields most outcomes leave empty; `nil` while all of them are.
    @usableFromInline var details: CopyOnWriteBox<Details>?

    @usableFromInline struct Details: Sendable {
        @usableFromInline var preferredLabel: String?
        @usableFromInline var suggestedNextIDs: [String]
        @usableFromInline var notes: String?
        @usableFromInline var failureReason: String?

        @usableFromInline init(preferredLabel: String?, suggestedNextIDs: [String], notes: String?, failureReason: String?) {
            self.preferredLabel = preferredLabel
            self.suggestedNextIDs = suggestedNextIDs
            self.notes = notes
            self.failureReason = failureReason
        }
    }

    /// Creates an outcome.
    @inlinable public init(
        status: OutcomeStatus,
        preferredLabel: String? = nil,
        suggestedNextIDs: [String] = [],
        contextUpdates: [String: ContextValue] = [:],
        notes: String? = nil,
        failureReason: String? = nil
    ) {
        self.status = status
        self.contextUpdates = contextUpdates
        if preferredLabel != nil || !suggestedNextIDs.isEmpty || notes != nil || failureReason != nil {
            details = CopyOnWriteBox(Details(preferredLabel: preferredLabel, suggestedNextIDs: suggestedNextIDs,
                                             notes: notes, failureReason: failureReason))
        }
    }

    /// Applies `change` to the details, boxing them first when there were none. Setting an
    /// empty field of an outcome without details leaves it without (see the setters).
    private mutating func modifyDetails(_ change: (inout Details) -> Void) {
        if details == nil {
            details = CopyOnWriteBox(Details(preferredLabel: nil, suggestedNextIDs: [], notes: nil, failureReason: nil))
        }
        details?.modify(change)
    }

    /// Equal when every field is, however the empty ones are stored.
    public static func == (lhs: Outcome, rhs: Outcome) -> Bool {
        lhs.status == rhs.status && lhs.contextUpdates == rhs.contextUpdates && lhs.preferredLabel == rhs.preferredLabel
            && lhs.suggestedNextIDs == rhs.suggestedNextIDs && lhs.notes == rhs.notes && lhs.failureReason == rhs.failureReason
    }

    /// A success with the given context updates.
    @inlinable public static func success(_ updates: [String: ContextValue] = [:], notes: String? = nil) -> Outcome {
        Outcome(status: .success, contextUpdates: updates, notes: notes)
    }

    /// A failure with a reason.
    @inlinable public static func failure(_ reason: String, updates: [String: ContextValue] = [:]) -> Outcome {
        Outcome(status: .fail, contextUpdates: updates, failureReason: reason)
    }
}
