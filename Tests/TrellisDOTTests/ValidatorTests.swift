import Testing
@testable import TrellisDOT

/// The validator as a whole: the standard rule list, extension with custom rules, the shared
/// graph index, and the attractor sample corpus.
@Suite("Validator")
struct ValidatorTests {
    /// A custom rule: every LLM stage must name its model.
    struct RequireModelRule: ValidationRule {
        var id: String { "require_model" }

        func check(_ graph: Graph, in context: ValidationContext) -> [Diagnostic] {
            let index = context.graphIndex(for: graph)
            return graph.nodes.enumerated().compactMap { number, node in
                guard index.nodeTypes[number] == NodeTypes.llm, node.attributes["llm_model"] == nil else { return nil }
                return Diagnostic(
                    rule: id, severity: .warning, message: "no model on \(node.id)", location: node.location, node: node.id,
                    fix: "set llm_model")
            }
        }
    }

    @Test("the standard rules have distinct ids and include the specification's")
    func standardRules() {
        let ids = Validator.standard.rules.map(\.id)
        #expect(Set(ids).count == ids.count)
        for id in [
            "start_node", "terminal_node", "reachability", "edge_target_exists", "start_no_incoming", "exit_no_outgoing",
            "condition_syntax", "stylesheet_syntax", "type_known", "fidelity_valid", "retry_target_exists",
            "goal_gate_has_retry", "prompt_on_llm_nodes",
        ] {
            #expect(ids.contains(id), "missing \(id)")
        }
    }

    @Test("a caller extends the rule list with its own rule value")
    func customRule() throws {
        let graph = try #require(ValidationHarness.graph(ValidationHarness.valid))
        var validator = Validator.standard
        #expect(validator.validate(graph).isEmpty)
        validator.rules.append(RequireModelRule())
        let found = validator.validate(graph)
        #expect(found.count == 1)
        #expect(found.first?.rule == "require_model")
        #expect(found.first?.node == "work")
        #expect(found.first?.location?.line == 3)
    }

    @Test("a rule run on its own builds the graph index itself")
    func ruleOutsideValidator() throws {
        let graph = try #require(ValidationHarness.graph(ValidationHarness.valid))
        #expect(RequireModelRule().check(graph, in: ValidationContext()).map(\.node) == ["work"])
        #expect(ReachabilityRule().check(graph, in: ValidationContext()).isEmpty)
    }

    @Test("the graph index: types, start and exit, adjacency")
    func graphIndex() throws {
        let graph = try #require(ValidationHarness.graph("""
            digraph G {
              start [shape=Mdiamond]
              a [shape=parallelogram]
              b [type="acme.x"]
              exit [shape=Msquare]
              start -> a -> exit
              start -> b -> exit
              a -> b
            }
            """))
        let index = GraphIndex(graph)
        #expect(index.nodeTypes == ["start", "tool", "acme.x", "exit"])
        #expect(index.startNodes == [0])
        #expect(index.exitNodes == [3])
        #expect(index.outgoingEdges(of: 0).map { graph.edges[$0].to } == ["a", "b"])
        #expect(index.incomingEdges(of: 2).map { graph.edges[$0].from } == ["start", "a"])
        #expect(index.incomingEdges(of: 0).isEmpty)
        #expect(index.reachable(from: [1]) == [false, true, true, true])
    }

    @Test("a 10,000-node graph validates with linear work (one finding per unreachable node)")
    func largeGraph() throws {
        var lines = ["digraph big {", "start [shape=Mdiamond]", "exit [shape=Msquare]"]
        for number in 0..<10_000 { lines.append("n\(number) [prompt=\"step \(number)\"]") }
        lines.append("start -> n0")
        for number in 0..<9_999 {
            lines.append("n\(number) -> n\(number + 1) [condition=\"outcome=success\"]")
            lines.append("n\(number) -> n\((number * 7) % 10_000) [condition=\"outcome=fail\"]")
        }
        lines.append("n9999 -> exit")
        lines.append("island -> exit")
        lines.append("}")
        let result = DOTParser.parse(lines.joined(separator: "\n"), file: "big.dot")
        let graph = try #require(result.graph)
        let found = Validator.standard.validate(graph)
        #expect(Set(found.map(\.rule)) == ["prompt_on_llm_nodes", "reachability"])
        #expect(found.count == 2)
        #expect(found.allSatisfy { $0.node == "island" })
    }

    @Test("every attractor sample validates without errors when node types are not checked",
          arguments: Fixtures.dotFiles(in: "attractor-samples"))
    func samplesValidate(path: String) throws {
        let graph = try #require(try DOTParser.parse(fileAt: path).graph)
        let errors = Validator.standard.validate(graph).filter { $0.severity == .error }
        #expect(errors.isEmpty, "\(errors)")
    }

    @Test("against a host that knows no types, the samples' only errors are unknown types",
          arguments: Fixtures.dotFiles(in: "attractor-samples"))
    func samplesAgainstEmptyRegistry(path: String) throws {
        let graph = try #require(try DOTParser.parse(fileAt: path).graph)
        let errors = Validator.standard.validate(graph, in: ValidationContext(knownTypes: [:])).filter { $0.severity == .error }
        #expect(errors.count == graph.nodes.count)
        #expect(errors.allSatisfy { $0.rule == "type_known" })
    }

    @Test("there are 21 samples to validate")
    func sampleCount() {
        #expect(Fixtures.dotFiles(in: "attractor-samples").count == 21)
    }
}
