/// Why a `model_stylesheet` does not parse, and where inside the stylesheet text.
public struct StylesheetSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong and what was expected, in one sentence.
    public var message: String
    /// The 1-based line inside the stylesheet text.
    public var line: Int
    /// The 1-based column on that line (in Unicode scalars).
    public var column: Int

    /// Creates an error.
    public init(message: String, line: Int, column: Int) {
        self.message = message
        self.line = line
        self.column = column
    }

    /// `line L, column C: message`.
    public var description: String { "line \(line), column \(column): \(message)" }
}
