/// What parsing a DOT text produced: the graph when there were no errors, and every diagnostic.
public struct ParseResult: Sendable {
    /// The graph; non-nil exactly when `diagnostics` holds no error.
    public var graph: Graph?
    /// Syntax errors (rule `syntax`) in input order.
    public var diagnostics: [Diagnostic]

    /// Whether any diagnostic is an error.
    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

    /// Creates a result.
    public init(graph: Graph?, diagnostics: [Diagnostic]) {
        self.graph = graph
        self.diagnostics = diagnostics
    }
}
