import TrellisEngine
import TrellisSessionNodes

/// `session.tool_dispatch`, built in: the behaviour is `SessionNodes.toolDispatch` (module TrellisSessionNodes), the
/// one implementation the standard session plugin runs too.
public struct ToolDispatchHandler: NodeHandler {
    /// Creates the handler.
    public init() {}

    /// The registration of type `session.tool_dispatch`.
    public static let registration = RegisteredHandler(
        typeID: "session.tool_dispatch", handler: ToolDispatchHandler(),
        summary: "run the model's tool calls through the tools adapter")

    /// Runs the tool calls.
    public nonisolated(nonsending) func execute(_ request: HandlerRequest) async throws -> Outcome {
        try await SessionNodeRunner.run(request) { try await SessionNodes.toolDispatch($0) }
    }
}
