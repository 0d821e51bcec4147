/// Runs validation rules over a graph (pipeline specification, section 7).
///
/// `Validator.standard` holds the built-in rules; `rules` is a plain list, so callers
/// extend it (`validator.rules.append(MyRule())`) or filter it. A graph with any
/// `.error` diagnostic must not be run.
public struct Validator: Sendable {
    /// The rules, run in order.
    public var rules: [any ValidationRule]

    /// Creates a validator with the given rules.
    public init(rules: [any ValidationRule]) {
        self.rules = rules
    }

    /// The built-in rules of the pipeline specification plus Trellis's value checks.
    public static var standard: Validator {
        Validator(rules: [
            DirectedGraphRule(),
            StartNodeRule(),
            TerminalNodeRule(),
            StartNoIncomingRule(),
            ExitNoOutgoingRule(),
            EdgeTargetExistsRule(),
            ReachabilityRule(),
            ConditionSyntaxRule(),
            ConditionOutcomeValueRule(),
            RetryTargetExistsRule(),
            GoalGateHasRetryRule(),
            PromptOnLLMNodesRule(),
            TypeKnownRule(),
            AttributeSchemaRule(),
            FidelityValidRule(),
            StylesheetSyntaxRule(),
            AttributeValueRule(),
        ])
    }

    /// Runs every rule on `graph` and returns the findings ordered by source position
    /// (findings without a position first; ties keep rule order).
    public func validate(_ graph: Graph, in context: ValidationContext = ValidationContext()) -> [Diagnostic] {
        var shared = context
        shared.index = GraphIndex(graph)
        var diagnostics: [Diagnostic] = []
        for rule in rules {
            diagnostics.append(contentsOf: rule.check(graph, in: shared))
        }
        return Self.sortedByPosition(diagnostics)
    }

    /// Whether any of `diagnostics` is an error.
    public static func hasErrors(_ diagnostics: [Diagnostic]) -> Bool {
        diagnostics.contains { $0.severity == .error }
    }

    private static func sortedByPosition(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
        diagnostics.enumerated().sorted { lhs, rhs in
            let left = (lhs.element.location?.line ?? 0, lhs.element.location?.column ?? 0, lhs.offset)
            let right = (rhs.element.location?.line ?? 0, rhs.element.location?.column ?? 0, rhs.offset)
            return left < right
        }.map(\.element)
    }
}
