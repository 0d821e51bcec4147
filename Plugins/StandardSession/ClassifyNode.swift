import TrellisPluginKit

/// `session.classify`: `command` when the input starts with "/", `blocked` when it contains a
/// word of the node's `blocked` attribute or the config's `blocked_words` (comma separated,
/// case-insensitive), `tool_result` when it starts with "tool_result:", else `query`. Writes
/// `session.input_type` and prefers the edge labelled with the type.
struct ClassifyNode: SyncNodeHandler {
    func handle(_ call: inout NodeCall) throws -> NodeResult {
        let input = call.string(SessionContextKeys.input) ?? ""
        let type = Self.classify(input, blockedWords: blockedWords(call))
        var result = NodeResult.success([SessionContextKeys.inputType: .string(type)])
        result.preferredLabel = type
        return result
    }

    private func blockedWords(_ call: NodeCall) -> [String] {
        var lists: [String] = []
        if let attribute = call.attribute("blocked") { lists.append(attribute) }
        if let words = call.value(SessionContextKeys.config)?["blocked_words"] { lists.append(words.stringValue) }
        return lists.flatMap { $0.split(separator: ",") }
            .map { String($0).trimmedOfSpaces.lowercased() }
            .filter { !$0.isEmpty }
    }

    static func classify(_ input: String, blockedWords: [String]) -> String {
        if input.hasPrefix("/") { return "command" }
        if !blockedWords.isEmpty {
            let lowered = input.lowercased()
            if blockedWords.contains(where: { lowered.contains($0) }) { return "blocked" }
        }
        if input.hasPrefix("tool_result:") { return "tool_result" }
        return "query"
    }
}

extension String {
    /// The text without leading and trailing spaces and tabs.
    var trimmedOfSpaces: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
