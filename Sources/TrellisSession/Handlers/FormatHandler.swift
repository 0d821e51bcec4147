import TrellisEngine

/// `session.format`: turns the model's answer (`llm.content`) into the reply
/// (`session.response`). When the model only called tools, the reply lists the tool results.
/// A node `prefix` attribute is put in front of the reply.
public struct FormatHandler: NodeHandler {
    /// Creates the handler.
    public init() {}

    /// The registration of type `session.format`.
    public static let registration = RegisteredHandler(
        typeID: "session.format", handler: FormatHandler(), summary: "write the reply from the model's answer")

    /// Writes `session.response`.
    public func execute(_ request: HandlerRequest) async throws -> Outcome {
        var reply = request.context.string(SessionKeys.llmContent)
        if reply.isEmpty, case .list(let results) = request.context[SessionKeys.toolResults], !results.isEmpty {
            reply = results.map(\.stringValue).joined(separator: "\n")
        }
        if let prefix = request.node.attribute("prefix") { reply = prefix + reply }
        return .success([SessionKeys.response: .string(reply)])
    }
}
