import Testing
@testable import TrellisDOT

/// One test (or a pair) per built-in rule: DOT text that triggers it, checked for rule id,
/// severity, node or edge and source line, and text that does not.
@Suite("Validation rules")
struct ValidationRuleTests {
    @Test("a well-formed pipeline has no findings, with or without type checks")
    func validGraph() {
        #expect(ValidationHarness.diagnostics(ValidationHarness.valid).isEmpty)
        #expect(ValidationHarness.diagnostics(ValidationHarness.valid, knownTypes: ValidationHarness.pipelineTypes).isEmpty)
    }

    @Test("start_node: no start node is an error at the graph")
    func missingStart() {
        let found = ValidationHarness.diagnostics(of: "start_node", """
            digraph G {
              begin [prompt="x"]
              exit [shape=Msquare]
              begin -> exit
            }
            """)
        #expect(found.count == 1)
        #expect(found.first?.severity == .error)
        #expect(found.first?.location?.line == 1)
        #expect(found.first?.fix != nil)
    }

    @Test("start_node: a second start node is an error on that node")
    func secondStart() {
        let found = ValidationHarness.diagnostics(of: "start_node", """
            digraph G {
              start [shape=Mdiamond]
              again [shape=Mdiamond]
              work [prompt="x"]
              exit [shape=Msquare]
              start -> work -> exit
              again -> work
            }
            """)
        #expect(found.count == 1)
        #expect(found.first?.severity == .error)
        #expect(found.first?.node == "again")
        #expect(found.first?.location?.line == 3)
        #expect(found.first?.location?.column == 3)
    }

    @Test("start_node and terminal_node: ids start and exit count when no node has the shapes")
    func idFallback() {
        let found = ValidationHarness.diagnostics("""
            digraph G {
              work [prompt="x"]
              start -> work -> exit
            }
            """)
        #expect(found.isEmpty, "\(found)")
    }

    @Test("terminal_node: no exit node is an error")
    func missingExit() {
        let found = ValidationHarness.diagnostics(of: "terminal_node", """
            digraph G {
              start [shape=Mdiamond]
              work [prompt="x"]
              start -> work
            }
            """)
        #expect(found.count == 1)
        #expect(found.first?.severity == .error)
        #expect(found.first?.location?.line == 1)
    }

    @Test("terminal_node: a second exit node is an error, as the specification has exactly one")
    func secondExit() {
        let found = ValidationHarness.diagnostics(of: "terminal_node", """
            digraph G {
              start [shape=Mdiamond]
              work [prompt="x"]
              done [shape=Msquare]
              abort [shape=Msquare]
              start -> work -> done
              work -> abort [condition="outcome=fail"]
            }
            """)
        #expect(found.count == 1)
        #expect(found.first?.severity == .error)
        #expect(found.first?.node == "abort")
        #expect(found.first?.location?.line == 5)
    }

    @Test("start_no_incoming: an edge into the start node is an error on that edge")
    func edgeIntoStart() {
        let found = ValidationHarness.diagnostics(of: "start_no_incoming", """
            digraph G {
              start [shape=Mdiamond]
              work [prompt="x"]
              exit [shape=Msquare]
              start -> work -> exit
              work -> start [condition="outcome=fail"]
            }
            """)
        #expect(found.count == 1)
        #expect(found.first?.severity == .error)
        #expect(found.first?.edge == EdgeReference(from: "work", to: "start"))
        #expect(found.first?.location?.line == 6)
        #expect(found.first?.location?.column == 8)
        #expect(ValidationHarness.diagnostics(of: "start_no_incoming", ValidationHarness.valid).isEmpty)
    }

    @Test("exit_no_outgoing: an edge out of the exit node is an error on that edge")
    func edgeOutOfExit() {
        let found = ValidationHarness.diagnostics(of: "exit_no_outgoing", """
            digraph G {
              start [shape=Mdiamond]
              work [prompt="x"]
              exit [shape=Msquare]
              start -> work -> exit
              exit -> work
            }
            """)
        #expect(found.count == 1)
        #expect(found.first?.severity == .error)
        #expect(found.first?.edge == EdgeReference(from: "exit", to: "work"))
        #expect(found.first?.location?.line == 6)
        #expect(ValidationHarness.diagnostics(of: "exit_no_outgoing", ValidationHarness.valid).isEmpty)
    }

    @Test("reachability: a node nothing leads to is an error on that node")
    func unreachableNode() {
        let found = ValidationHarness.diagnostics(of: "reachability", """
            digraph G {
              start [shape=Mdiamond]
              work [prompt="x"]
              island [prompt="y"]
              exit [shape=Msquare]
              start -> work -> exit
              island -> exit
            }
            """)
        #expect(found.count == 1)
        #expect(found.first?.severity == .error)
        #expect(found.first?.node == "island")
        #expect(found.first?.location?.line == 4)
        #expect(ValidationHarness.diagnostics(of: "reachability", ValidationHarness.valid).isEmpty)
    }

    @Test("edge_target_exists: an edge built in code to a missing node is an error on that edge")
    func missingEdgeTarget() {
        let location = TrellisDOT.SourceLocation(file: "code", line: 7, column: 2)
        let graph = Graph(
            nodes: [
                GraphNode(id: "start", attributes: Attributes([("shape", AttributeValue("Mdiamond"))])),
                GraphNode(id: "exit", attributes: Attributes([("shape", AttributeValue("Msquare"))])),
            ],
            edges: [GraphEdge(from: "start", to: "exit"), GraphEdge(from: "start", to: "ghost", location: location)])
        let found = Validator.standard.validate(graph).filter { $0.rule == "edge_target_exists" }
        #expect(found.count == 1)
        #expect(found.first?.severity == .error)
        #expect(found.first?.edge == EdgeReference(from: "start", to: "ghost"))
        #expect(found.first?.location == location)
        #expect(ValidationHarness.diagnostics(of: "edge_target_exists", ValidationHarness.valid).isEmpty)
    }

    @Test("condition_syntax: a bad condition is an error pointing into the attribute value")
    func badCondition() {
        let found = ValidationHarness.diagnostics(of: "condition_syntax", """
            digraph G {
              start [shape=Mdiamond]
              work [prompt="x"]
              exit [shape=Msquare]
              start -> work
              work -> exit [condition="outcome=~success"]
              work -> work [condition="outcome=fail && context.tries<3"]
            }
            """)
        #expect(found.count == 1)
        #expect(found.first?.severity == .error)
        #expect(found.first?.edge == EdgeReference(from: "work", to: "exit"))
        #expect(found.first?.message.contains("unknown operator '=~'") == true)
        // `  work -> exit [condition="` puts the value's first character at column 28; the error is its 8th.
        #expect(found.first?.location?.line == 6)
        #expect(found.first?.location?.column == 35)
    }

    @Test("condition_outcome_value: comparing outcome with something that is not a status is a warning")
    func misspeltOutcome() {
        let found = ValidationHarness.diagnostics(of: "condition_outcome_value", """
            digraph G {
              start [shape=Mdiamond]
              work [prompt="x"]
              exit [shape=Msquare]
              start -> work
              work -> exit [condition="outcome=sucess"]
              work -> work [condition="outcome=fail || outcome=partial_success && context.outcome=whatever"]
            }
            """)
        #expect(found.count == 1)
        #expect(found.first?.severity == .warning)
        #expect(found.first?.edge == EdgeReference(from: "work", to: "exit"))
        #expect(found.first?.message.contains("did you mean 'success'") == true)
        // `  work -> exit [condition="` puts the value's first character at column 28; 'sucess' is its 9th.
        #expect(found.first?.location?.line == 6)
        #expect(found.first?.location?.column == 36)
    }

    @Test("retry_target_exists: retry targets on nodes and the graph must name nodes")
    func missingRetryTarget() {
        let found = ValidationHarness.diagnostics(of: "retry_target_exists", """
            digraph G {
              graph [fallback_retry_target=Strat]
              start [shape=Mdiamond]
              work [prompt="x", goal_gate=true, retry_target="nowhere"]
              exit [shape=Msquare]
              start -> work -> exit
            }
            """)
        #expect(found.count == 2)
        #expect(found.allSatisfy { $0.severity == .warning })
        #expect(found.map(\.location?.line) == [2, 4])
        #expect(found.first?.node == nil)
        #expect(found.first?.fix?.contains("did you mean 'start'") == true)
        #expect(found.last?.node == "work")
        let fine = ValidationHarness.diagnostics(of: "retry_target_exists", """
            digraph G {
              start [shape=Mdiamond]
              work [prompt="x", goal_gate=true, retry_target=work]
              exit [shape=Msquare]
              start -> work -> exit
            }
            """)
        #expect(fine.isEmpty)
    }

    @Test("goal_gate_has_retry: a goal gate without any retry target is a warning")
    func goalGateWithoutRetry() {
        let found = ValidationHarness.diagnostics(of: "goal_gate_has_retry", """
            digraph G {
              start [shape=Mdiamond]
              work [prompt="x",
                    goal_gate=true]
              exit [shape=Msquare]
              start -> work -> exit
            }
            """)
        #expect(found.count == 1)
        #expect(found.first?.severity == .warning)
        #expect(found.first?.node == "work")
        #expect(found.first?.location?.line == 4)
        let graphTarget = ValidationHarness.diagnostics(of: "goal_gate_has_retry", """
            digraph G {
              retry_target = work
              start [shape=Mdiamond]
              work [prompt="x", goal_gate=true]
              exit [shape=Msquare]
              start -> work -> exit
            }
            """)
        #expect(graphTarget.isEmpty)
    }

    @Test("prompt_on_llm_nodes: an LLM stage without prompt or label is a warning")
    func llmStageWithoutPrompt() {
        let found = ValidationHarness.diagnostics(of: "prompt_on_llm_nodes", """
            digraph G {
              start [shape=Mdiamond]
              work [shape=box]
              named [label="Summarize the findings"]
              exit [shape=Msquare]
              start -> work -> named -> exit
            }
            """)
        #expect(found.count == 1)
        #expect(found.first?.severity == .warning)
        #expect(found.first?.node == "work")
        #expect(found.first?.location?.line == 3)
    }

    @Test("type_known: an unknown type is a warning naming it, close matches and the fallback; skipped without known types")
    func unknownType() {
        let text = """
            digraph G {
              start [shape=Mdiamond]
              work [type="codergn", prompt="x"]
              exit [shape=Msquare]
              start -> work -> exit
            }
            """
        let found = ValidationHarness.diagnostics(of: "type_known", text, knownTypes: ValidationHarness.pipelineTypes)
        #expect(found.count == 1)
        #expect(found.first?.severity == .warning)
        #expect(found.first?.message.contains("runs as 'codergen' instead") == true)
        #expect(found.first?.node == "work")
        #expect(found.first?.location?.line == 3)
        #expect(found.first?.message.contains("'codergn'") == true)
        #expect(found.first?.message.contains("did you mean 'codergen'") == true)
        #expect(ValidationHarness.diagnostics(of: "type_known", text).isEmpty)
    }

    @Test("type_known: types resolved from shapes are checked too, and an empty registry knows none")
    func shapeTypes() {
        let found = ValidationHarness.diagnostics(of: "type_known", ValidationHarness.valid, knownTypes: [:])
        #expect(found.map(\.node) == ["start", "work", "exit"])
        // With nothing to fall back to, an unknown type is an error.
        #expect(found.allSatisfy { $0.severity == .error })
        #expect(found[1].message.contains("'codergen' (from shape=box)"))
    }

    @Test("attribute_schema: wrong value types and missing required attributes are errors, unlisted ones warnings")
    func schemaMismatch() {
        var types = ValidationHarness.pipelineTypes
        types["acme.summarize"] = AttributeSchema(
            attributes: [
                AttributeSpec(name: "temperature", type: .double),
                AttributeSpec(name: "param.style", type: .string, isRequired: true),
            ],
            allowsUnlisted: false)
        let found = ValidationHarness.diagnostics(of: "attribute_schema", """
            digraph G {
              start [shape=Mdiamond]
              work [type="acme.summarize", label="Sum", prompt="x",
                    temperature=hot, temperatur=1, color=red]
              exit [shape=Msquare]
              start -> work -> exit
            }
            """, knownTypes: types)
        #expect(found.count == 3, "\(found)")
        #expect(found.allSatisfy { $0.node == "work" })
        #expect(found.contains { $0.severity == .error && $0.message.contains("'temperature'") && $0.message.contains("a number") && $0.location?.line == 4 })
        #expect(found.contains { $0.severity == .error && $0.message.contains("required attribute 'param.style'") && $0.location?.line == 3 })
        #expect(found.contains { $0.severity == .warning && $0.message.contains("'temperatur'") && $0.message.contains("did you mean 'temperature'") })
    }

    @Test("fidelity_valid: fidelity values outside the modes are warnings on node, edge and graph")
    func badFidelity() {
        let found = ValidationHarness.diagnostics(of: "fidelity_valid", """
            digraph G {
              default_fidelity = "summary:hi"
              start [shape=Mdiamond]
              work [prompt="x", fidelity=compact]
              exit [shape=Msquare]
              start -> work
              work -> exit [fidelity=everything]
            }
            """)
        #expect(found.count == 2)
        #expect(found.allSatisfy { $0.severity == .warning })
        #expect(found[0].location?.line == 2)
        #expect(found[0].message.contains("did you mean 'summary:high'"))
        #expect(found[1].edge == EdgeReference(from: "work", to: "exit"))
        #expect(found[1].location?.line == 7)
    }

    @Test("stylesheet_syntax: a bad stylesheet is an error pointing into the value, across lines")
    func badStylesheet() {
        let oneLine = ValidationHarness.diagnostics(of: "stylesheet_syntax", """
            digraph G {
              model_stylesheet="* { llm_model gpt; }"
              start [shape=Mdiamond]
              exit [shape=Msquare]
              start -> exit
            }
            """)
        #expect(oneLine.count == 1)
        #expect(oneLine.first?.severity == .error)
        // The value's text starts at column 21; the missing ':' is its 15th character.
        #expect(oneLine.first?.location?.line == 2)
        #expect(oneLine.first?.location?.column == 35)
        let multiLine = ValidationHarness.diagnostics(of: "stylesheet_syntax", """
            digraph G {
              graph [model_stylesheet="
                * { llm_model: a; }
                .code { llm_model b; }
              "]
              start [shape=Mdiamond]
              exit [shape=Msquare]
              start -> exit
            }
            """)
        #expect(multiLine.count == 1)
        #expect(multiLine.first?.location?.line == 4)
        #expect(multiLine.first?.location?.column == 23)
    }

    @Test("stylesheet_syntax: a property the specification does not give the stylesheet is an error at its name")
    func stylesheetPropertyOutsideTheSpecification() {
        let found = ValidationHarness.diagnostics(of: "stylesheet_syntax", """
            digraph G {
              model_stylesheet="#t1 { tool_command: \\"touch PWNED\\"; }"
              start [shape=Mdiamond]
              t1 [shape=parallelogram]
              exit [shape=Msquare]
              start -> t1 -> exit
            }
            """)
        #expect(found.count == 1)
        #expect(found.first?.severity == .error)
        #expect(found.first?.message.contains("'tool_command' is not a stylesheet property") == true)
        // The value's text starts at column 21; 'tool_command' is its 7th character.
        #expect(found.first?.location?.line == 2)
        #expect(found.first?.location?.column == 27)
    }

    @Test("attribute_value: typed attributes with values of the wrong type are errors")
    func badTypedValues() {
        let found = ValidationHarness.diagnostics(of: "attribute_value", """
            digraph G {
              default_max_retry = lots
              start [shape=Mdiamond]
              work [prompt="x", max_retries=-1, timeout=soon, timeout_ok=1, auto_status=perhaps]
              exit [shape=Msquare]
              start -> work
              work -> exit [weight=heavy, loop_restart=true]
            }
            """)
        #expect(found.count == 5, "\(found)")
        #expect(found.allSatisfy { $0.severity == .error })
        #expect(found.map(\.location?.line) == [2, 4, 4, 4, 7])
        #expect(found.last?.edge == EdgeReference(from: "work", to: "exit"))
        let fine = ValidationHarness.diagnostics(of: "attribute_value", """
            digraph G {
              default_max_retry = 5
              start [shape=Mdiamond]
              work [prompt="x", max_retries=2, timeout=600, goal_gate=true, retry_target=work]
              exit [shape=Msquare]
              start -> work
              work -> exit [weight=-2, loop_restart=false]
            }
            """)
        #expect(fine.isEmpty)
    }

    @Test("directed_graph: an undirected graph is an error")
    func undirected() {
        let found = ValidationHarness.diagnostics(of: "directed_graph", """
            graph G {
              start [shape=Mdiamond]
              exit [shape=Msquare]
              start -- exit
            }
            """)
        #expect(found.count == 1)
        #expect(found.first?.severity == .error)
        #expect(found.first?.location?.line == 1)
    }

    @Test("diagnostics come back ordered by position")
    func ordering() {
        let found = ValidationHarness.diagnostics("""
            digraph G {
              start [shape=Mdiamond]
              b [shape=box]
              a [prompt="x", max_retries=many]
              exit [shape=Msquare]
              start -> b -> exit
            }
            """)
        #expect(found.map(\.rule) == ["prompt_on_llm_nodes", "reachability", "attribute_value"])
        #expect(found.map(\.location?.line) == [3, 4, 4])
    }
}
