import Testing
@testable import TrellisDOT

/// One test per grammar feature and per Graphviz semantic rule, on small inline graphs.
@Suite("DOT grammar")
struct DOTGrammarTests {
    static func graph(_ text: String) throws -> Graph {
        let result = DOTParser.parse(text, file: "test.dot")
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics.map { $0.rendered(source: text) })")
        return try #require(result.graph)
    }

    @Test("header: strict, graph kind and optional id")
    func header() throws {
        let strict = try Self.graph("strict digraph \"My Graph\" { }")
        #expect(strict.isStrict && strict.isDirected && strict.name == "My Graph")
        let plain = try Self.graph("graph { }")
        #expect(!plain.isStrict && !plain.isDirected && plain.name == nil)
        #expect(plain.location == SourceLocation(file: "test.dot", line: 1, column: 1))
    }

    @Test("keywords in any case")
    func keywordCase() throws {
        let graph = try Self.graph("STRICT DiGrApH g { NODE [shape=box]; EDGE [color=red]; SubGraph s { a } a -> b; GRAPH [x=1] }")
        #expect(graph.isStrict && graph.isDirected)
        #expect(graph.node("b")?.attributes.raw("shape") == "box")
        #expect(graph.edges.first?.attributes.raw("color") == "red")
        #expect(graph.subgraphs.first?.id == "s")
        #expect(graph.attributes.raw("x") == "1")
    }

    @Test("nodes are in first-mention order, edges in declaration order")
    func order() throws {
        let graph = try Self.graph("digraph { c -> a; b; a -> b; d }")
        #expect(graph.nodes.map(\.id) == ["c", "a", "b", "d"])
        #expect(graph.edges.map { "\($0.from)>\($0.to)" } == ["c>a", "a>b"])
    }

    @Test("node defaults apply to nodes created after them, including in edges")
    func nodeDefaults() throws {
        let graph = try Self.graph("digraph { a; node [shape=box]; b; a -> c; node [shape=circle, color=red]; d }")
        #expect(graph.node("a")?.attributes.raw("shape") == nil)
        #expect(graph.node("b")?.attributes.raw("shape") == "box")
        #expect(graph.node("c")?.attributes.raw("shape") == "box")
        #expect(graph.node("d")?.attributes.raw("shape") == "circle")
        #expect(graph.node("b")?.attributes.raw("color") == nil, "a later default does not change existing nodes")
    }

    @Test("edge defaults apply to later edges and explicit attributes win")
    func edgeDefaults() throws {
        let graph = try Self.graph("digraph { a -> b; edge [color=red, style=bold]; b -> c [color=blue]; c -> d }")
        #expect(graph.edges[0].attributes.isEmpty)
        #expect(graph.edges[1].attributes.raw("color") == "blue")
        #expect(graph.edges[1].attributes.raw("style") == "bold")
        #expect(graph.edges[2].attributes.raw("color") == "red")
    }

    @Test("subgraph scopes inherit the enclosing defaults and end with the subgraph")
    func scopes() throws {
        let graph = try Self.graph("""
            digraph {
              node [shape=box]
              subgraph s { node [color=red]; a; subgraph t { node [style=filled]; b } c }
              d
            }
            """)
        #expect(graph.node("a")?.attributes == Attributes([("shape", .init("box")), ("color", .init("red"))]))
        #expect(graph.node("b")?.attributes.raw("style") == "filled")
        #expect(graph.node("b")?.attributes.raw("color") == "red")
        #expect(graph.node("c")?.attributes.raw("style") == nil)
        #expect(graph.node("d")?.attributes == Attributes([("shape", .init("box"))]))
    }

    @Test("redeclaring a node merges attributes; a later mention in a subgraph with defaults changes nothing")
    func redeclaration() throws {
        let graph = try Self.graph("digraph { a [color=red, label=one]; a [label=two]; subgraph s { node [shape=box]; a } }")
        #expect(graph.node("a")?.attributes == Attributes([("color", .init("red")), ("label", .init("two"))]))
        #expect(graph.subgraphs[0].nodes == ["a"])
    }

    @Test("chained edges give one edge per link, all with the statement's attributes")
    func chains() throws {
        let graph = try Self.graph("digraph { a -> b -> c [w=1] }")
        #expect(graph.edges.map { "\($0.from)>\($0.to)" } == ["a>b", "b>c"])
        #expect(graph.edges.allSatisfy { $0.attributes.raw("w") == "1" })
    }

    @Test("subgraphs as edge endpoints give one edge per member pair")
    func subgraphEndpoints() throws {
        let graph = try Self.graph("digraph { {a b} -> {c d}; x -> subgraph s { y z } }")
        #expect(graph.edges.map { "\($0.from)>\($0.to)" } == ["a>c", "a>d", "b>c", "b>d", "x>y", "x>z"])
        #expect(graph.subgraphs.map(\.id) == [nil, nil, "s"])
    }

    @Test("a reopened named subgraph is one subgraph, and as an endpoint it stands for all its members")
    func reopenedSubgraph() throws {
        let graph = try Self.graph("digraph { subgraph s { a } subgraph s { b } x -> subgraph s { } }")
        #expect(graph.subgraphs.count == 1)
        #expect(graph.subgraphs[0].nodes == ["a", "b"])
        #expect(graph.edges.map(\.to) == ["a", "b"])
    }

    @Test("nested subgraph members are members of every enclosing subgraph")
    func nestedMembership() throws {
        let graph = try Self.graph("digraph { subgraph p { a subgraph c { b } } subgraph q { b } }")
        #expect(graph.subgraphs.map(\.id) == ["p", "c", "q"])
        #expect(graph.subgraphs.map(\.parent) == [nil, 0, nil])
        #expect(graph.subgraphs[0].nodes == ["a", "b"])
        #expect(graph.subgraphs[1].nodes == ["b"])
        #expect(graph.subgraphs[2].nodes == ["b"])
    }

    @Test("subgraph attributes stay on the subgraph; top-level ones go to the graph")
    func graphAttributes() throws {
        let graph = try Self.graph("digraph { rankdir=LR; graph [goal=\"ship it\"]; subgraph s { label=\"Inner\"; graph [color=blue]; a } }")
        #expect(graph.attributes == Attributes([("rankdir", .init("LR")), ("goal", .init("ship it"))]))
        #expect(graph.subgraphs[0].attributes == Attributes([("label", .init("Inner")), ("color", .init("blue"))]))
    }

    @Test("classes come from the class attribute, then from enclosing subgraph labels")
    func classes() throws {
        let graph = try Self.graph("""
            digraph {
              subgraph cluster_a {
                label = "Phase 1: Build & Test!"
                a [class="fast, critical"]
                subgraph inner { label="Inner Loop"; b }
              }
              c [class=solo]
            }
            """)
        #expect(graph.node("a")?.classes == ["fast", "critical", "phase-1-build--test"])
        #expect(graph.node("b")?.classes == ["phase-1-build--test", "inner-loop"])
        #expect(graph.node("c")?.classes == ["solo"])
    }

    @Test("strict graphs merge repeated edges; undirected strict graphs merge either direction")
    func strictEdges() throws {
        let directed = try Self.graph("strict digraph { a -> b [x=1]; a -> b [y=2]; b -> a }")
        #expect(directed.edges.count == 2)
        #expect(directed.edges[0].attributes == Attributes([("x", .init("1")), ("y", .init("2"))]))
        let undirected = try Self.graph("strict graph { a -- b [x=1]; b -- a [y=2] }")
        #expect(undirected.edges.count == 1)
        #expect(undirected.edges[0].from == "a" && undirected.edges[0].attributes.count == 2)
        let multi = try Self.graph("digraph { a -> b; a -> b }")
        #expect(multi.edges.count == 2)
    }

    @Test("edges with the same key merge, as in Graphviz")
    func edgeKeys() throws {
        let graph = try Self.graph("graph { a -- b [key=k, x=1]; b -- a [key=k, y=2]; a -- b [key=other] }")
        #expect(graph.edges.count == 2)
        #expect(graph.edges[0].attributes.raw("y") == "2")
    }

    @Test("ports and compass points are kept on the edge")
    func ports() throws {
        let graph = try Self.graph("digraph { a:p1 -> b:sw; a:p2:n -> \"c\":\"q\":_ }")
        #expect(graph.edges[0].fromPort == "p1" && graph.edges[0].toPort == "sw")
        #expect(graph.edges[1].fromPort == "p2:n" && graph.edges[1].toPort == "q:_")
        #expect(graph.nodes.map(\.id) == ["a", "b", "c"])
    }

    @Test("quoted strings: \\\" resolved, line continuation removed, other escapes kept, + joins")
    func quotedStrings() throws {
        let graph = try Self.graph("digraph { a [label=\"say \\\"hi\\\"\\nnext \\\\ end\", tip=\"one \\\ntwo\" + \" three\"] }")
        let node = try #require(graph.node("a"))
        #expect(node.attributes.raw("label") == "say \"hi\"\\nnext \\\\ end")
        #expect(node.attributes.raw("tip") == "one two three")
        #expect(node.attributes["label"]?.text == "say \"hi\"\nnext \\ end")
    }

    @Test("line continuation with CRLF line ends")
    func continuationCRLF() throws {
        let graph = try Self.graph("digraph {\r\n  a [label=\"one \\\r\ntwo\"]\r\n}\r\n")
        #expect(graph.node("a")?.attributes.raw("label") == "one two")
    }

    @Test("HTML strings keep their content, nested brackets included")
    func htmlStrings() throws {
        let graph = try Self.graph("digraph { a [label=<<b>x</b> &lt; <i>y</i>>] }")
        let value = try #require(graph.node("a")?.attributes["label"])
        #expect(value.raw == "<b>x</b> &lt; <i>y</i>")
        #expect(value.isHTML)
    }

    @Test("numerals and pipeline values are IDs")
    func numerals() throws {
        let graph = try Self.graph("digraph { 1 -> -2.5; a [w=.5, timeout=30s, delay=250ms, n=-3] }")
        #expect(graph.nodes.map(\.id) == ["1", "-2.5", "a"])
        let node = try #require(graph.node("a"))
        #expect(node.attributes["w"]?.double == 0.5)
        #expect(node.attributes["timeout"]?.duration == .seconds(30))
        #expect(node.attributes["delay"]?.duration == .milliseconds(250))
        #expect(node.attributes["n"]?.integer == -3)
    }

    @Test("qualified keys are one key")
    func qualifiedKeys() throws {
        let graph = try Self.graph("digraph { a [human.default_choice=\"S\", manager.actions=\"observe,steer\", param.mode=fast] }")
        #expect(graph.node("a")?.attributes.keys == ["human.default_choice", "manager.actions", "param.mode"])
    }

    @Test("comments of every kind and # lines are skipped")
    func comments() throws {
        let graph = try Self.graph("# line one\n// two\ndigraph { /* three\n */ a // four\n#five\n  -> b }\n")
        #expect(graph.edges.count == 1)
    }

    @Test("a byte order mark is skipped and columns start after it")
    func byteOrderMark() {
        let result = DOTParser.parse("\u{FEFF}digraph { @ }", file: "bom.dot")
        #expect(result.diagnostics.first?.location == SourceLocation(file: "bom.dot", line: 1, column: 11))
    }

    @Test("attribute lists accept ',' and ';' separators and several lists")
    func attributeLists() throws {
        let graph = try Self.graph("digraph { a [x=1, y=2; z=3 w=4][v=5] }")
        #expect(graph.node("a")?.attributes.keys == ["x", "y", "z", "w", "v"])
    }

    @Test("locations point at the first mention, the edge operator, and the value")
    func locations() throws {
        let graph = try Self.graph("digraph {\n  a -> b [label=\"x\"]\n}")
        #expect(graph.node("b")?.location == SourceLocation(file: "test.dot", line: 2, column: 8))
        #expect(graph.edges[0].location == SourceLocation(file: "test.dot", line: 2, column: 5))
        #expect(graph.edges[0].attributes["label"]?.location == SourceLocation(file: "test.dot", line: 2, column: 17))
    }

    @Test("columns count Unicode scalars, not bytes")
    func unicodeColumns() {
        let result = DOTParser.parse("digraph { \"日本語\" -> é @ }", file: "u.dot")
        #expect(result.diagnostics.first?.location?.column == 22)
    }

    @Test("parse(fileAt:) reports an unreadable file with its path")
    func unreadableFile() {
        #expect(throws: DOTFileError.self) { try DOTParser.parse(fileAt: "/nonexistent/dir/graph.dot") }
        do {
            _ = try DOTParser.parse(fileAt: "/nonexistent/dir/graph.dot")
        } catch {
            #expect(error.path == "/nonexistent/dir/graph.dot")
            #expect(error.reason == "No such file or directory")
        }
    }
}
