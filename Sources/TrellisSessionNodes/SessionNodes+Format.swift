public import TrellisCore

extension SessionNodes {
    /// `session.format`: turns the model's answer (`llm.content`) into the reply
    /// (`session.response`). When the model only called tools, the reply lists the tool
    /// results, one per line. A node `prefix` attribute is put in front of the reply.
    @inlinable
    public static func format(_ call: some SessionNodeCall) -> SessionNodeResult {
        var reply = call.text(SessionContextKeys.llmContent)
        if reply.isEmpty, (call.listCount(SessionContextKeys.toolResults) ?? 0) > 0,
           let results = call.value(SessionContextKeys.toolResults)?.list {
            reply = results.map(\.stringValue).joined(separator: "\n")
        }
        if let prefix = call.attribute("prefix") { reply = prefix + reply }
        return .success(formatUpdateKeys.make(.string(reply)))
    }

    /// What `session.format` writes.
    @usableFromInline static let formatUpdateKeys = ContextMapTemplate(SessionContextKeys.response)
}
