import TrellisPluginKit

/// `session.format`: the reply (`session.response`) is the model's answer (`llm.content`), or,
/// when the model only called tools, the tool results one per line; the node's `prefix`
/// attribute goes in front.
struct FormatNode: SyncNodeHandler {
    func handle(_ call: inout NodeCall) throws -> NodeResult {
        var reply = call.text(SessionContextKeys.llmContent)
        if reply.isEmpty, let count = call.listCount(SessionContextKeys.toolResults), count > 0 {
            reply = (0..<count).compactMap { call.listItem(SessionContextKeys.toolResults, at: $0)?.stringValue }.joined(separator: "\n")
        }
        if let prefix = call.attribute("prefix") { reply = prefix + reply }
        return .success([SessionContextKeys.response: .string(reply)])
    }
}
