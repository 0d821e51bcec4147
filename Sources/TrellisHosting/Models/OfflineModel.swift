import TrellisEngine

/// The model `trellis chat` falls back on when no provider is configured or found: it says
/// so, and instead of pretending to answer it shows what the turn graph did — how the input
/// was classified, the cognitive mode, which memories were recalled, which tools are on offer.
public struct OfflineModel: LLMAdapter {
    /// Why no real model is in use, repeated in every reply.
    public let reason: String

    /// An offline model that explains itself with `reason`.
    public init(reason: String) { self.reason = reason }

    /// Describes the turn instead of answering it.
    public func complete(_ request: LLMRequest) async throws -> LLMResponse {
        var lines = ["[offline: \(reason)]"]
        let input = request.prompt.isEmpty ? (request.messages.last { $0["role"] == "user" }?["content"]?.stringValue ?? "") : request.prompt
        lines.append("You said: \(input)")
        var facts: [String] = []
        if let type = request.options["input_type"]?.string, !type.isEmpty { facts.append("input type \(type)") }
        if let mode = request.options["cognitive_mode"]?.string, !mode.isEmpty { facts.append("cognitive mode \(mode)") }
        let memories = request.options["memories_recalled"]?.integer ?? 0
        facts.append(memories == 1 ? "1 memory recalled" : "\(memories) memories recalled")
        facts.append("\(request.messages.count) earlier message(s) in the conversation")
        if !request.tools.isEmpty { facts.append("tools on offer: " + request.tools.compactMap { $0["name"]?.string }.joined(separator: ", ")) }
        lines.append("The turn graph saw: " + facts.joined(separator: ", ") + ".")
        let text = lines.joined(separator: "\n")
        request.onDelta?(text)
        return LLMResponse(content: text)
    }
}
