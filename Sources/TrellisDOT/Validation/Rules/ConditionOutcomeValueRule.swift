/// `condition_outcome_value` (warning): a condition that compares `outcome` with `=` or `!=`
/// uses a status a node can finish with: `success`, `partial_success`, `retry`, `fail` or
/// `skipped`. A misspelt status (`outcome=sucess`) parses, but the edge then never (or always)
/// matches, which silently changes the route. Conditions that do not parse are left to `condition_syntax`.
public struct ConditionOutcomeValueRule: ValidationRule {
    /// Creates the rule.
    public init() {}

    /// `condition_outcome_value`.
    public var id: String { "condition_outcome_value" }

    /// The statuses a node outcome can have, as conditions spell them.
    public static let statuses = ["success", "partial_success", "retry", "fail", "skipped"]

    /// Reports each comparison of `outcome` with a value that is not a status.
    public func check(_ graph: Graph, in context: ValidationContext) -> [Diagnostic] {
        let index = context.graphIndex(for: graph)
        var strayByCondition: [Int: [String]] = [:]
        for (number, result) in index.parsedConditions.enumerated() {
            guard case .success(let expression) = result else { continue }
            var found: [String] = []
            Self.collectStray(expression, into: &found)
            if !found.isEmpty { strayByCondition[number] = found }
        }
        var diagnostics: [Diagnostic] = []
        for number in index.edges(withConditions: Set(strayByCondition.keys)) {
            let edge = graph.edges[number]
            guard let condition = index.edgeConditionNumbers[number], let stray = strayByCondition[condition],
                let value = edge.attributes["condition"]
            else { continue }
            for literal in stray {
                let close = CloseMatches.find(literal, among: Self.statuses, limit: 1)
                diagnostics.append(Diagnostic(
                    rule: id, severity: .warning,
                    message: "condition of edge \(edge.from) -> \(edge.to) compares outcome with '\(literal)', which is not an outcome status"
                        + (close.isEmpty ? "" : "; did you mean '\(close[0])'?"),
                    location: Self.column(of: literal, in: value.raw).flatMap { value.sourceLocation(scalarColumn: $0) }
                        ?? value.location ?? edge.location,
                    edge: EdgeReference(from: edge.from, to: edge.to),
                    fix: "compare outcome with one of: " + Self.statuses.joined(separator: ", ")))
            }
        }
        return diagnostics
    }

    private static func collectStray(_ expression: ConditionExpression, into found: inout [String]) {
        switch expression {
        case .always, .truthy:
            return
        case .comparison(let key, let op, let literal):
            if key == .outcome, op == .equal || op == .notEqual, !statuses.contains(literal), !found.contains(literal) {
                found.append(literal)
            }
        case .not(let inner):
            collectStray(inner, into: &found)
        case .and(let operands), .or(let operands):
            for operand in operands { collectStray(operand, into: &found) }
        }
    }

    /// The 1-based scalar column where `literal` first appears in `text`, if it does.
    private static func column(of literal: String, in text: String) -> Int? {
        guard !literal.isEmpty, let range = text.firstRange(of: literal) else { return nil }
        return text.unicodeScalars[..<range.lowerBound].count + 1
    }
}
