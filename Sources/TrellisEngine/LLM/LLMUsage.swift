/// Tokens a model request consumed, as the provider counted them.
public struct LLMUsage: Sendable, Equatable {
    /// Tokens of the prompt (input).
    public var input: Int
    /// Tokens of the answer (output).
    public var output: Int

    /// Creates a count.
    public init(input: Int = 0, output: Int = 0) {
        self.input = input
        self.output = output
    }

    /// The sum of two counts.
    public static func + (left: LLMUsage, right: LLMUsage) -> LLMUsage {
        LLMUsage(input: left.input + right.input, output: left.output + right.output)
    }

    /// Adds `other` to this count.
    public static func += (left: inout LLMUsage, right: LLMUsage) { left = left + right }

    /// `{input_tokens, output_tokens}`, the form events, manifests and session state use.
    public var contextValue: ContextValue {
        .map(["input_tokens": .integer(input), "output_tokens": .integer(output)])
    }
}
