import Testing
@testable import TrellisDOT

/// Parses DOT text for validation tests (failing the test on syntax errors) and runs the standard rules.
enum ValidationHarness {
    /// The parsed graph of `text`, named `test.dot` in locations.
    static func graph(_ text: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> Graph? {
        let result = DOTParser.parse(text, file: "test.dot")
        #expect(result.diagnostics.isEmpty, "the test graph must parse: \(result.diagnostics)", sourceLocation: sourceLocation)
        return result.graph
    }

    /// Every diagnostic of the standard validator for `text`.
    static func diagnostics(
        _ text: String, knownTypes: [String: AttributeSchema]? = nil, sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) -> [Diagnostic] {
        guard let graph = graph(text, sourceLocation: sourceLocation) else { return [] }
        return Validator.standard.validate(graph, in: ValidationContext(knownTypes: knownTypes))
    }

    /// The diagnostics of one rule for `text`.
    static func diagnostics(
        of rule: String, _ text: String, knownTypes: [String: AttributeSchema]? = nil,
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) -> [Diagnostic] {
        diagnostics(text, knownTypes: knownTypes, sourceLocation: sourceLocation).filter { $0.rule == rule }
    }

    /// A graph that passes every rule: start -> work -> exit.
    static let valid = """
        digraph G {
          start [shape=Mdiamond]
          work [shape=box, prompt="do it"]
          exit [shape=Msquare]
          start -> work -> exit
        }
        """

    /// Every type the valid graphs here use, accepting any attribute.
    static let pipelineTypes: [String: AttributeSchema] = [
        NodeTypes.start: .any, NodeTypes.exit: .any, NodeTypes.llm: .any, NodeTypes.tool: .any,
    ]
}
