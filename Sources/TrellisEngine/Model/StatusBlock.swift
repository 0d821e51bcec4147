import Foundation

/// An outcome in the JSON form of the pipeline specification's status-file contract:
///
///     {"outcome": "success", "preferred_next_label": "Fix", "suggested_next_ids": ["fix"],
///      "context_updates": {"key": "value"}, "notes": "...", "failure_reason": "..."}
///
/// An LLM stage's response sets its node's outcome with such an object (see
/// `StatusBlock.find(in:)`), an external agent can write it to `<run>/<node>/status.json`,
/// and the same form is what `jsonText` writes.
///
/// Reading is lenient where the meaning is clear and strict where it is not:
/// `outcome` accepts `success`/`succeeded`, `partial_success`/`partial`, `retry`,
/// `fail`/`failed`/`failure` and `skipped`/`skip` in any case, and defaults to `success`
/// when the object only carries routing hints; any other outcome word is an error, so a
/// typo can never be read as success. `preferred_label` is accepted for
/// `preferred_next_label`, and a single string for `suggested_next_ids`.
///
/// The block is the wire form of an `Outcome` and wraps one rather than repeating its
/// fields: `block.status`, `block.notes` and the rest read and write the wrapped outcome's
/// fields through dynamic member lookup.
@dynamicMemberLookup
public struct StatusBlock: Sendable, Equatable {
    /// The outcome the block describes.
    public var outcome: Outcome

    /// The keys that make a JSON object a status block; an object with none of them is ordinary data.
    public static let routingKeys: Set<String> = [
        "outcome", "preferred_next_label", "preferred_label", "suggested_next_ids", "context_updates",
    ]

    /// The block describing `outcome`.
    public init(outcome: Outcome) {
        self.outcome = outcome
    }

    /// A block with the given fields (see `Outcome.init` for their meaning).
    public init(
        status: OutcomeStatus,
        preferredLabel: String? = nil,
        suggestedNextIDs: [String] = [],
        contextUpdates: [String: ContextValue] = [:],
        notes: String? = nil,
        failureReason: String? = nil
    ) {
        self.init(outcome: Outcome(
            status: status, preferredLabel: preferredLabel, suggestedNextIDs: suggestedNextIDs,
            contextUpdates: contextUpdates, notes: notes, failureReason: failureReason
        ))
    }

    /// A field of the wrapped outcome, e.g. `block.status` for `block.outcome.status`.
    public subscript<Field>(dynamicMember field: WritableKeyPath<Outcome, Field>) -> Field {
        get { outcome[keyPath: field] }
        set { outcome[keyPath: field] = newValue }
    }

    /// Reads a block from JSON text (a whole `status.json` file, or one object cut out of a response).
    public init(jsonText: String) throws(StatusBlockError) {
        let value: ContextValue
        do {
            value = try ContextValue(jsonText: jsonText)
        } catch {
            throw StatusBlockError(reason: "status block is not valid JSON: \(error.reason)")
        }
        try self.init(json: value)
    }

    /// Reads a block from a parsed JSON value, which must be an object.
    public init(json: ContextValue) throws(StatusBlockError) {
        guard case .map(let fields) = json else {
            throw StatusBlockError(reason: "status block must be a JSON object, found \(json.jsonText.prefix(40))")
        }
        let status = try Self.readStatus(fields["outcome"])
        let preferredLabel = try Self.readText(fields["preferred_next_label"] ?? fields["preferred_label"], key: "preferred_next_label")
        let notes = try Self.readText(fields["notes"], key: "notes")
        let failureReason = try Self.readText(fields["failure_reason"], key: "failure_reason")
        let suggestedNextIDs: [String]
        switch fields["suggested_next_ids"] {
        case nil, .null?:
            suggestedNextIDs = []
        case .string(let id)?:
            suggestedNextIDs = id.isEmpty ? [] : [id]
        case .list(let items)?:
            suggestedNextIDs = try items.map { item throws(StatusBlockError) in
                guard case .string(let id) = item else {
                    throw StatusBlockError(reason: "suggested_next_ids must hold node id strings, found \(item.jsonText)")
                }
                return id
            }
        case let other?:
            throw StatusBlockError(reason: "suggested_next_ids must be a list of node ids, found \(other.jsonText)")
        }
        let contextUpdates: [String: ContextValue]
        switch fields["context_updates"] {
        case nil, .null?:
            contextUpdates = [:]
        case .map(let updates)?:
            contextUpdates = updates
        case let other?:
            throw StatusBlockError(reason: "context_updates must be a JSON object, found \(other.jsonText.prefix(40))")
        }
        outcome = Outcome(
            status: status, preferredLabel: preferredLabel, suggestedNextIDs: suggestedNextIDs,
            contextUpdates: contextUpdates, notes: notes, failureReason: failureReason
        )
    }

    /// The block as compact JSON in the contract's field names (empty fields left out).
    public var jsonText: String {
        let outcome = outcome
        var fields: [String: ContextValue] = ["outcome": .string(outcome.status.rawValue)]
        if let label = outcome.preferredLabel, !label.isEmpty { fields["preferred_next_label"] = .string(label) }
        if !outcome.suggestedNextIDs.isEmpty { fields["suggested_next_ids"] = .list(outcome.suggestedNextIDs.map(ContextValue.string)) }
        if !outcome.contextUpdates.isEmpty { fields["context_updates"] = .map(outcome.contextUpdates) }
        if let notes = outcome.notes, !notes.isEmpty { fields["notes"] = .string(notes) }
        if let reason = outcome.failureReason, !reason.isEmpty { fields["failure_reason"] = .string(reason) }
        return ContextValue.map(fields).jsonText
    }

    /// The status named by an `outcome` word (see the type's summary for the accepted words).
    public static func status(named word: String) -> OutcomeStatus? {
        switch word.trimmingCharacters(in: .whitespaces).lowercased() {
        case "success", "succeeded", "successful": return .success
        case "partial_success", "partial", "partially_succeeded": return .partialSuccess
        case "retry": return .retry
        case "fail", "failed", "failure": return .fail
        case "skipped", "skip": return .skipped
        default: return nil
        }
    }

    private static func readStatus(_ value: ContextValue?) throws(StatusBlockError) -> OutcomeStatus {
        switch value {
        case nil, .null?:
            return .success
        case .string(let word)?:
            guard let status = status(named: word) else {
                throw StatusBlockError(
                    reason: "unknown outcome \(JSONText.quoted(word)) in status block (expected success, partial_success, retry, fail or skipped)"
                )
            }
            return status
        case let other?:
            throw StatusBlockError(reason: "outcome must be a string such as \"success\", found \(other.jsonText)")
        }
    }

    private static func readText(_ value: ContextValue?, key: String) throws(StatusBlockError) -> String? {
        switch value {
        case nil, .null?: return nil
        case .string(let text)?: return text.isEmpty ? nil : text
        case let other?: throw StatusBlockError(reason: "\(key) must be a string, found \(other.jsonText.prefix(40))")
        }
    }
}

/// A status block could not be read.
public struct StatusBlockError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was wrong with the block.
    public var reason: String
    /// Creates an error.
    public init(reason: String) { self.reason = reason }
    /// The reason, for printing.
    public var description: String { reason }
}
