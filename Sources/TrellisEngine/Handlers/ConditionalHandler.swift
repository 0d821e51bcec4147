import TrellisDOT

/// A routing-only node (`diamond`, type `conditional`): succeeds without doing anything, so the
/// engine's edge selection decides where to go from the conditions of its outgoing edges.
///
/// The outcome it reports is `success`; conditions on its edges that test `outcome` therefore
/// see `success`, and conditions on `context.*` see the context as the previous nodes left it.
public struct ConditionalHandler: NodeHandler {
    /// Creates the handler.
    public init() {}

    /// Succeeds.
    public nonisolated(nonsending) func execute(_ request: HandlerRequest) async throws -> Outcome {
        Outcome(status: .success)
    }

    /// The built-in registration of type `conditional`.
    public static let registration = RegisteredHandler(
        typeID: NodeTypes.conditional, handler: ConditionalHandler(),
        summary: "a routing point: passes through, the outgoing edges' conditions choose the way")
}
