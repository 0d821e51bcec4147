import TrellisEngine
import TrellisSessionNodes

/// `session.format`, built in: the behaviour is `SessionNodes.format` (module TrellisSessionNodes), the
/// one implementation the standard session plugin runs too.
public struct FormatHandler: NodeHandler {
    /// Creates the handler.
    public init() {}

    /// The registration of type `session.format`.
    public static let registration = RegisteredHandler(
        typeID: "session.format", handler: FormatHandler(),
        summary: "write the reply from the model's answer")

    /// Writes `session.response`.
    public nonisolated(nonsending) func execute(_ request: HandlerRequest) async throws -> Outcome {
        try await SessionNodeRunner.run(request) { SessionNodes.format($0) }
    }
}
