import TrellisEngine

/// Keeps a session's message list bounded: when it grows past `maxMessages`, the oldest
/// messages are dropped down to three quarters of the limit (so trimming, an O(n) move, happens
/// once every `maxMessages / 4` messages: O(1) per turn on average). With `summarize`, what is
/// dropped is folded into one leading `{role: system, summary: true}` message.
struct MessageWindow: Sendable {
    /// The most messages kept (the summary message not counted).
    var maxMessages: Int?
    /// Whether dropped messages are summarised.
    var summarize: Bool

    /// The longest summary text kept, in characters.
    static let summaryLimit = 2_000

    /// Trims `messages` (whose first element is the summary when `hasSummary`). Returns the
    /// number of non-summary messages dropped, 0 when nothing changed.
    func trim(_ messages: inout MessageList, hasSummary: inout Bool) -> Int {
        guard let maxMessages else { return 0 }
        let offset = hasSummary ? 1 : 0
        let count = messages.count - offset
        guard count > maxMessages else { return 0 }
        let keep = max(1, maxMessages - maxMessages / 4)
        let dropCount = count - keep
        let dropped = messages[offset..<(offset + dropCount)]
        if summarize {
            let previous = hasSummary ? Self.summaryText(messages[0]) : ""
            let summary = Self.summary(previous: previous, dropped: dropped)
            messages.replaceSubrange(0..<(offset + dropCount), with: [summary])
            hasSummary = true
        } else {
            messages.replaceSubrange(offset..<(offset + dropCount), with: [])
        }
        return dropCount
    }

    private static func summaryText(_ message: ContextValue) -> String {
        guard case .map(let fields) = message, case .string(let content)? = fields["content"] else { return "" }
        let prefix = "Summary of the earlier conversation: "
        return content.hasPrefix(prefix) ? String(content.dropFirst(prefix.count)) : content
    }

    /// A deterministic extractive summary: the previous summary, then each dropped message's
    /// role and first sentence, keeping the most recent `summaryLimit` characters.
    private static func summary(previous: String, dropped: Slice<MessageList>) -> ContextValue {
        var parts: [String] = previous.isEmpty ? [] : [previous]
        for message in dropped {
            guard case .map(let fields) = message else { continue }
            let role = fields["role"]?.stringValue ?? "?"
            let content = fields["content"]?.stringValue ?? ""
            let sentence = content.split(whereSeparator: { ".!?\n".contains($0) }).first.map(String.init) ?? ""
            parts.append("\(role): \(sentence.prefix(120))")
        }
        var text = parts.joined(separator: "; ")
        if text.count > summaryLimit { text = "…" + text.suffix(summaryLimit) }
        return .map([
            "role": .string("system"), "content": .string("Summary of the earlier conversation: " + text),
            "summary": .boolean(true),
        ])
    }
}
