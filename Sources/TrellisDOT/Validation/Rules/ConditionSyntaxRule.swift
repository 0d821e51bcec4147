/// `condition_syntax` (error): every edge `condition` parses (`ConditionParser`). The
/// diagnostic points at the offending character inside the attribute value.
public struct ConditionSyntaxRule: ValidationRule {
    /// Creates the rule.
    public init() {}

    /// `condition_syntax`.
    public var id: String { "condition_syntax" }

    /// Reports each edge whose condition does not parse.
    public func check(_ graph: Graph, in context: ValidationContext) -> [Diagnostic] {
        let index = context.graphIndex(for: graph)
        // Conditions are parsed once per distinct text by the index; edges are visited only when one fails.
        var failures: [Int: ConditionSyntaxError] = [:]
        for (number, result) in index.parsedConditions.enumerated() {
            if case .failure(let error) = result { failures[number] = error }
        }
        return index.edges(withConditions: Set(failures.keys)).compactMap { number in
            let edge = graph.edges[number]
            guard let condition = index.edgeConditionNumbers[number], let error = failures[condition],
                let value = edge.attributes["condition"]
            else { return nil }
            return Diagnostic(
                rule: id, severity: .error,
                message: "condition of edge \(edge.from) -> \(edge.to) at column \(error.column): \(error.message)",
                location: value.sourceLocation(scalarColumn: error.column) ?? edge.location,
                edge: EdgeReference(from: edge.from, to: edge.to),
                fix: "write conditions as key=value joined by && or ||, e.g. outcome=success && context.tests_passed=true")
        }
    }
}
