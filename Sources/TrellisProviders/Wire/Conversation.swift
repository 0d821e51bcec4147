import TrellisEngine

/// What is sent to a model, in Trellis's neutral form, before a wire protocol shapes it.
public struct Conversation: Sendable {
    /// System instructions (`role: system` messages joined), empty for none.
    public var system: String
    /// The turns in order: `{role: user|assistant|tool, content, ...}` (see `ToolCallForm`).
    public var messages: [ContextValue]
    /// Tools the model may call: `{name, description, parameters}` with a JSON Schema.
    public var tools: [ContextValue]
    /// The model to use.
    public var model: String
    /// `reasoning_effort` (`low`, `medium`, `high`), when given.
    public var reasoningEffort: String?

    /// Creates a conversation.
    public init(system: String = "", messages: [ContextValue], tools: [ContextValue] = [], model: String, reasoningEffort: String? = nil) {
        self.system = system
        self.messages = messages
        self.tools = tools
        self.model = model
        self.reasoningEffort = reasoningEffort
    }

    /// The conversation an engine request describes: its history, then its prompt as the
    /// newest user message; system messages are lifted into `system`.
    public init(_ request: LLMRequest, defaultModel: String) {
        var system: [String] = []
        var messages: [ContextValue] = []
        for message in request.messages {
            if message["role"]?.string == "system" {
                system.append(message["content"]?.stringValue ?? "")
            } else {
                messages.append(message)
            }
        }
        if !request.prompt.isEmpty {
            messages.append(.map(["role": .string("user"), "content": .string(request.prompt)]))
        }
        if let extra = request.options["system"]?.string, !extra.isEmpty { system.insert(extra, at: 0) }
        self.init(
            system: system.joined(separator: "\n\n"), messages: messages,
            tools: request.tools,
            model: request.model.isEmpty ? defaultModel : request.model,
            reasoningEffort: request.options["reasoning_effort"]?.string)
    }
}
