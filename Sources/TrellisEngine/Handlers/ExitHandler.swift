import TrellisDOT

/// The exit node (`Msquare`, type `exit`): does nothing and succeeds. The engine checks the
/// goal gates before it runs this node, and ends the run after it.
public struct ExitHandler: NodeHandler {
    /// Creates the handler.
    public init() {}

    /// Succeeds.
    public nonisolated(nonsending) func execute(_ request: HandlerRequest) async throws -> Outcome { Outcome(status: .success) }

    /// The built-in registration of type `exit`.
    public static let registration = RegisteredHandler(
        typeID: NodeTypes.exit, handler: ExitHandler(), summary: "the pipeline's exit; the run ends here once every goal gate is satisfied")
}
