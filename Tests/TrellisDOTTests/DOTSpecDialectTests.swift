import Foundation
import Testing
@testable import TrellisDOT

/// The pipeline specification's additions to DOT (bare values, durations) and the places where
/// Trellis reads DOT exactly as Graphviz does (empty statements, malformed numbers); `dot` is
/// the oracle for what Graphviz rejects.
@Suite("DOT: the specification's dialect against Graphviz", .timeLimit(.minutes(1)))
struct DOTSpecDialectTests {
    private func parse(_ text: String) -> ParseResult {
        DOTParser.parse(bytes: Array(text.utf8), file: "probe.dot")
    }

    /// Whether Graphviz's `dot` rejects `text`.
    private func graphvizRejects(_ text: String) throws -> Bool {
        guard GraphvizOracle.isAvailable else {
            Issue.record("Graphviz's dot is not installed at \(GraphvizOracle.dotPath); run scripts/install-deps")
            return true
        }
        do {
            _ = try GraphvizOracle.read(Array(text.utf8))
            return false
        } catch {
            return true
        }
    }

    @Test("bare values after '=' keep '-', '.' and ':' (llm_model=gpt-5.4)")
    func bareValues() throws {
        let result = parse("""
            digraph G {
              rankdir=LR
              model = claude-opus-4-6
              a [llm_model=gpt-5.4, provider=openai:eu-west-1, timeout=15m, shape=box]
              a -> b [weight=-2]
              b->c
            }
            """)
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics.map { $0.rendered(source: nil) })")
        let graph = try #require(result.graph)
        #expect(graph.attributes.raw("model") == "claude-opus-4-6")
        #expect(graph.attributes.raw("rankdir") == "LR")
        let a = try #require(graph.nodes.first { $0.id == "a" })
        #expect(a.attributes.raw("llm_model") == "gpt-5.4")
        #expect(a.attributes.raw("provider") == "openai:eu-west-1")
        #expect(a.attributes.raw("timeout") == "15m")
        #expect(graph.edges.map { "\($0.from)->\($0.to)" } == ["a->b", "b->c"])
        #expect(graph.edges.first?.attributes.raw("weight") == "-2")
    }

    @Test("a number running into letters is an error, as in Graphviz; durations stay accepted",
          arguments: ["-1.5e", "-1.5e3", "2.5s", "3x", "1.0ms"])
    func malformedNumbers(_ value: String) throws {
        let text = "digraph G { a [w=\(value)] }"
        let result = parse(text)
        let error = try #require(result.diagnostics.first { $0.severity == .error }, "accepted \(value)")
        #expect(error.message.contains("malformed number '\(value)'"))
        #expect(error.location?.line == 1)
        #expect(error.location?.column == 18)
        #expect(try graphvizRejects(text))
    }

    @Test("durations: an integer and ms, s, m, h or d", arguments: ["250ms", "30s", "15m", "2h", "1d", "-5s"])
    func durations(_ value: String) throws {
        let result = parse("digraph G { a [timeout=\(value)] }")
        #expect(result.diagnostics.isEmpty)
        #expect(result.graph?.nodes.first?.attributes.raw("timeout") == value)
    }

    @Test("an empty statement is an error, as in Graphviz",
          arguments: ["digraph G { ; ; a ;; }", "digraph G { a ;; }", "digraph G { ; a }", "digraph G { subgraph s { ; a } }"])
    func emptyStatements(_ text: String) throws {
        let result = parse(text)
        let error = try #require(result.diagnostics.first { $0.severity == .error }, "accepted: \(text)")
        #expect(error.message.contains("empty statement"))
        #expect(error.location?.line == 1)
        #expect(try graphvizRejects(text))
    }

    @Test("one ';' after each statement is fine", arguments: [
        "digraph G { a; b; }", "digraph G { node [shape=box]; a -> b; x = y; subgraph s { c; }; }",
    ])
    func semicolons(_ text: String) throws {
        let result = parse(text)
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics.map { $0.rendered(source: nil) })")
        #expect(!(try graphvizRejects(text)))
    }
}
