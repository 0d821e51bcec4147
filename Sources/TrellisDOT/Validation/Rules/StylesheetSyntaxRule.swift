/// `stylesheet_syntax` (error): the graph's `model_stylesheet` parses (`ModelStylesheetParser`).
/// The diagnostic points at the offending character inside the attribute value.
public struct StylesheetSyntaxRule: ValidationRule {
    /// Creates the rule.
    public init() {}

    /// `stylesheet_syntax`.
    public var id: String { "stylesheet_syntax" }

    /// Reports a model stylesheet that does not parse.
    public func check(_ graph: Graph, in context: ValidationContext) -> [Diagnostic] {
        guard let value = graph.attributes["model_stylesheet"] else { return [] }
        do {
            _ = try ModelStylesheetParser.parse(value.raw)
            return []
        } catch {
            return [
                Diagnostic(
                    rule: id, severity: .error,
                    message: "model_stylesheet, line \(error.line), column \(error.column): \(error.message)",
                    location: value.sourceLocation(line: error.line, column: error.column) ?? graph.location,
                    fix: "write rules as selector { key: value; }, e.g. * { llm_model: claude-sonnet-4-5; }")
            ]
        }
    }
}
