/// Why an edge `condition` does not parse, and where inside the condition text.
public struct ConditionSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong and what was expected, in one sentence.
    public var message: String
    /// The 1-based column inside the condition text (in Unicode scalars), where the problem starts.
    public var column: Int

    /// Creates an error.
    public init(message: String, column: Int) {
        self.message = message
        self.column = column
    }

    /// `column N: message`.
    public var description: String { "column \(column): \(message)" }
}
