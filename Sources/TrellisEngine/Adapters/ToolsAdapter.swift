/// Runs tool calls the model asked for.
///
/// The engine never calls it; it is declared here because `AdapterSet`, which every
/// `HandlerRequest` carries, holds one, and the handlers that do call it live both in the
/// plugin host (plugin nodes) and in sessions.
public protocol ToolsAdapter: Sendable {
    /// Runs each call and returns one result per call, in order.
    func dispatch(_ calls: [ContextValue]) async throws -> [ContextValue]
}
