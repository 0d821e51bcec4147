import TrellisDOT

/// The entry node (`Mdiamond`, type `start`): does nothing and succeeds.
public struct StartHandler: NodeHandler {
    /// Creates the handler.
    public init() {}

    /// Succeeds.
    public nonisolated(nonsending) func execute(_ request: HandlerRequest) async throws -> Outcome { Outcome(status: .success) }

    /// The built-in registration of type `start`.
    public static let registration = RegisteredHandler(
        typeID: NodeTypes.start, handler: StartHandler(), summary: "the pipeline's entry point; does nothing")
}
