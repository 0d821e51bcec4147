/// Runs tool calls the model asked for.
///
/// The engine never calls it; it is declared here because `AdapterSet`, which every
/// `HandlerRequest` carries, holds one, and the handlers that do call it live both in the
/// plugin host (plugin nodes) and in sessions.
public protocol ToolsAdapter: Sendable {
    /// Runs each call (`{id, name, arguments}`) and returns one result per call, in order: a
    /// map `{tool_call_id, name, content, is_error?}`, or any value whose text is the content.
    func dispatch(_ calls: [ContextValue]) async throws -> [ContextValue]

    /// The tools offered to the model, `{name, description, parameters}` each; an adapter
    /// whose tools the model should not be told about offers none.
    var offers: [ContextValue] { get }
}

extension ToolsAdapter {
    /// By default an adapter offers nothing: the model is not told about its tools.
    public var offers: [ContextValue] { [] }
}
