public import TrellisCore

/// One visit of a session node, as the single implementation of each session node type sees
/// it: the node's attributes, the run's context and the run's adapters.
///
/// Two sides conform: TrellisSession's built-in handlers (over the engine's `HandlerRequest`)
/// and the standard session plugin (over the SDK's `NodeCall`, through the C ABI). The node
/// types in `SessionNodes` are written once against this protocol, so the two cannot drift.
public protocol SessionNodeCall: Sendable {
    /// The node's attribute `name` as written in the graph, or `nil`.
    func attribute(_ name: String) -> String?
    /// The context's value at `key`, or `nil`. Over the C ABI a structured value is copied:
    /// read large values (the message history) only when the node needs them.
    func value(_ key: String) -> ContextValue?
    /// The number of items of the list at `key` without reading the items; `nil` when absent or not a list.
    func listCount(_ key: String) -> Int?
    /// The string under `field` of the map that is item `index` of the list at `key`; `nil`
    /// when any of it is missing or not a string. Over the C ABI only that string is copied.
    func listItemText(_ key: String, at index: Int, field: String) -> String?
    /// The value under `field` of the map at `key`, or `nil`. Over the C ABI a string field
    /// crosses alone, without the map.
    func mapField(_ key: String, field: String) -> ContextValue?
    /// Whether `value(_:)` hands out the context's own storage (built in) rather than a copy
    /// made through the C ABI: a node reads a large value whole only when it does.
    var readsValuesInPlace: Bool { get }

    /// Memories for `agentID` relevant to `query`, for the node's output at `key`: returned when
    /// the node must write them itself (built in), nil when the run already has them at `key`
    /// (over the C ABI the host writes them, so the list never crosses into the plugin and back).
    /// Throws `SessionNodeError.missingAdapter` without a memory adapter.
    nonisolated(nonsending) func recall(agentID: String, query: String, storingAt key: String) async throws -> [ContextValue]?
    /// Records `entry` for `agentID`; throws `SessionNodeError.missingAdapter` without a memory adapter.
    nonisolated(nonsending) func update(agentID: String, entry: ContextValue) async throws
    /// Runs tool calls, one result per call; throws `SessionNodeError.missingAdapter` without a tools adapter.
    nonisolated(nonsending) func dispatch(_ calls: [ContextValue]) async throws -> [ContextValue]
    /// Asks the run's LLM adapter, offering the tools of the run's tools adapter (if any);
    /// throws `SessionNodeError.missingAdapter` without an LLM adapter.
    nonisolated(nonsending) func complete(_ request: SessionLLMRequest) async throws -> SessionLLMAnswer
}

extension SessionNodeCall {
    /// The text at `key` (`ContextValue.stringValue`), empty when absent.
    @inlinable
    func text(_ key: String) -> String { value(key)?.stringValue ?? "" }
}
