import TrellisEngine

/// Tokens a request consumed, as the provider counted them.
public struct TokenUsage: Sendable, Equatable {
    /// Tokens of the prompt (input).
    public var input: Int
    /// Tokens of the answer (output).
    public var output: Int

    /// Creates a count.
    public init(input: Int = 0, output: Int = 0) {
        self.input = input
        self.output = output
    }
}

/// A provider's answer in Trellis's neutral form.
public struct ModelReply: Sendable, Equatable {
    /// The answer text (empty when the model only asked for tools).
    public var content: String
    /// Tool calls, each `{id, name, arguments}` with `arguments` a map.
    public var toolCalls: [ContextValue]
    /// What the request cost.
    public var usage: TokenUsage
    /// Why the model stopped, in the provider's words (`stop`, `end_turn`, `tool_use`, ...).
    public var stopReason: String?

    /// Creates a reply.
    public init(content: String = "", toolCalls: [ContextValue] = [], usage: TokenUsage = TokenUsage(), stopReason: String? = nil) {
        self.content = content
        self.toolCalls = toolCalls
        self.usage = usage
        self.stopReason = stopReason
    }
}

/// A provider answered something Trellis cannot read as its protocol.
public struct WireFormatError: Error, Sendable, CustomStringConvertible {
    /// What was wrong.
    public var description: String

    /// Creates an error.
    public init(_ description: String) { self.description = description }
}
