public import TrellisCore

extension SessionNodes {
    /// `session.classify`: sorts the input into `command` (starts with "/"), `blocked`
    /// (contains a word listed in the node's `blocked` attribute or the session config's
    /// `blocked_words`, comma separated, case-insensitive), `tool_result` (starts with
    /// "tool_result:"), else `query`. Writes `session.input_type` and prefers the edge
    /// labelled with that type.
    @inlinable
    public static func classify(_ call: some SessionNodeCall) -> SessionNodeResult {
        var lists: [String] = []
        if let attribute = call.attribute("blocked") { lists.append(attribute) }
        if let words = call.mapField(SessionContextKeys.config, field: "blocked_words") { lists.append(words.stringValue) }
        let blockedWords = lists.flatMap { $0.split(separator: ",") }
            .map { String($0).trimmedOfSpaces.lowercased() }
            .filter { !$0.isEmpty }
        let type = inputType(call.text(SessionContextKeys.input), blockedWords: blockedWords)
        return .success(classifyUpdateKeys.make(.string(type)), preferredLabel: type)
    }

    /// What `session.classify` writes.
    @usableFromInline static let classifyUpdateKeys = ContextMapTemplate(SessionContextKeys.inputType)

    /// The input type of `input` given the (lowercased) blocked words.
    @inlinable
    public static func inputType(_ input: String, blockedWords: [String]) -> String {
        if input.hasPrefix("/") { return "command" }
        if !blockedWords.isEmpty {
            let lowered = input.lowercased()
            if blockedWords.contains(where: { lowered.contains($0) }) { return "blocked" }
        }
        if input.hasPrefix("tool_result:") { return "tool_result" }
        return "query"
    }
}
