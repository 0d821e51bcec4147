import Testing
@testable import TrellisDOT

/// Broken, hostile and extreme inputs: each gives precise errors (or parses, when it is valid),
/// never a crash and never silently dropped content.
@Suite("Adversarial inputs")
struct AdversarialInputTests {
    /// An error as `line:column: message`, for compact expectations.
    struct Found: Equatable, CustomStringConvertible {
        var line: Int
        var column: Int
        var message: String
        var description: String { "\(line):\(column): \(message)" }
    }

    static func errors(_ text: String) -> [Found] {
        errors(bytes: Array(text.utf8))
    }

    static func errors(bytes: [UInt8]) -> [Found] {
        let result = DOTParser.parse(bytes: bytes, file: "input.dot")
        #expect(result.graph == nil, "a file with errors must not yield a graph")
        for diagnostic in result.diagnostics {
            #expect(diagnostic.rule == "syntax")
            #expect(diagnostic.severity == .error)
            #expect(diagnostic.location?.file == "input.dot")
            #expect(diagnostic.fix != nil, "every syntax error says what to do: \(diagnostic.message)")
        }
        return result.diagnostics.map {
            Found(line: $0.location?.line ?? 0, column: $0.location?.column ?? 0, message: $0.message)
        }
    }

    @Test("truncated input after an edge operator")
    func truncatedAfterOperator() {
        #expect(Self.errors("digraph G {\n  a -> b [label=\"x\"]\n  c -> ") == [
            Found(line: 3, column: 8, message: "expected a node ID or a subgraph after '->', found end of file"),
        ])
    }

    @Test("truncated input before the closing brace")
    func truncatedBody() {
        #expect(Self.errors("digraph G { a -> b") == [
            Found(line: 1, column: 19, message: "unexpected end of file: expected '}' to close the graph body opened at 1:11"),
        ])
    }

    @Test("truncated input inside nested subgraphs names the innermost one")
    func truncatedSubgraph() {
        #expect(Self.errors("digraph G {\n  subgraph a {\n    subgraph b {\n      x\n") == [
            Found(
                line: 5, column: 1,
                message: "unexpected end of file: expected '}' to close the subgraph opened at 3:16 (2 subgraphs are still open)"),
        ])
    }

    @Test("truncated input inside an attribute list")
    func truncatedAttributeList() {
        #expect(Self.errors("digraph {\n a -> b [x=1\n") == [
            Found(line: 3, column: 1, message: "unexpected end of file: expected ']' to close the attribute list opened at 2:9"),
        ])
    }

    @Test("an extra closing brace is content after the graph")
    func extraClosingBrace() {
        #expect(Self.errors("digraph G {\n  a -> b\n}\n}\n") == [
            Found(
                line: 4, column: 1,
                message: "unexpected '}' after the end of the graph (its closing '}' is at 3:1); expected end of file"),
        ])
    }

    @Test("an extra closing bracket")
    func extraClosingBracket() {
        #expect(Self.errors("digraph G {\n  a [x=1]]\n}\n") == [
            Found(line: 2, column: 10, message: "found ']' without a matching '['"),
        ])
    }

    @Test("a missing closing bracket is found at the next line's statement, which still parses")
    func missingClosingBracket() {
        let found = Self.errors("digraph G {\n  a -> b [label=\"x\" color=red\n  c -> d @\n}\n")
        #expect(found == [
            Found(line: 3, column: 3, message: "expected ']' to close the attribute list opened at 2:10, found 'c' on a new line"),
            Found(line: 3, column: 10, message: "unexpected character '@'; expected an ID, an edge operator or punctuation"),
        ])
    }

    @Test("a NUL byte is an error at its position")
    func nulByte() {
        let bytes = Array("digraph {\n  a ".utf8) + [0, 0] + Array(" -> b\n}\n".utf8)
        #expect(Self.errors(bytes: bytes) == [
            Found(line: 2, column: 5, message: "found a NUL byte (0x00); a DOT file is text and may not contain NUL bytes"),
        ])
    }

    @Test("a NUL byte inside a string is an error too")
    func nulByteInString() {
        let bytes = Array("digraph { a [label=\"x".utf8) + [0] + Array("y\"] }".utf8)
        #expect(Self.errors(bytes: bytes) == [
            Found(line: 1, column: 22, message: "found a NUL byte (0x00) inside a string; a DOT file is text and may not contain NUL bytes"),
        ])
    }

    @Test("a NUL byte inside an HTML string is an error at its position, as in quoted strings")
    func nulByteInHTMLString() {
        // The value would reach a shell cut at the NUL: `echo a` would run and `touch X` be dropped unseen.
        let bytes = Array("digraph {\n  t [tool_command=<echo a".utf8) + [0] + Array("; touch X>]\n}\n".utf8)
        #expect(Self.errors(bytes: bytes) == [
            Found(line: 2, column: 26, message: "found a NUL byte (0x00) inside an HTML string; a DOT file is text and may not contain NUL bytes"),
        ])
    }

    @Test("500-deep nested comments: the first */ closes, the rest is one precise error")
    func nestedComments() {
        let text = "digraph {\n  a\n  " + String(repeating: "/* ", count: 500) + "x" + String(repeating: " */", count: 500) + "\n  b\n}\n"
        let found = Self.errors(text)
        #expect(found.count == 1)
        // Columns 3...1502 hold the openers and 1503 the "x"; the first '*/' follows a space, the next one three columns on.
        let firstClose = 3 + 500 * 3 + 2
        #expect(found.first == Found(
            line: 3, column: firstClose + 3,
            message: "found '*/' outside a comment; DOT comments do not nest: the comment opened at 3:3 ended at its first '*/'"))
    }

    @Test("a 100 KB label parses intact")
    func hugeLabel() throws {
        let label = String(repeating: "abcdefghij", count: 10_000)
        let result = DOTParser.parse("digraph { a [label=\"\(label)\"]; a -> b }", file: "big.dot")
        #expect(result.diagnostics.isEmpty)
        let graph = try #require(result.graph)
        #expect(graph.node("a")?.attributes.raw("label")?.utf8.count == 100_000)
        #expect(graph.edges.count == 1)
    }

    @Test("10,000-deep nested subgraphs stop at the documented depth limit without a crash")
    func deepSubgraphs() {
        let depth = 10_000
        let text = "digraph {" + String(repeating: "subgraph {", count: depth) + "a" + String(repeating: "}", count: depth) + "}"
        let found = Self.errors(text)
        let limit = DOTParser.maximumNestingDepth
        #expect(limit == 1_000)
        // The limit is hit at the brace of subgraph number limit + 1.
        let column = "digraph {".count + limit * "subgraph {".count + "subgraph ".count + 1
        #expect(found == [
            Found(line: 1, column: column, message: "subgraphs are nested more than 1000 levels deep here; parsing stopped"),
        ])
    }

    @Test("1,000-deep nested subgraphs parse, with membership all the way up")
    func deepButAllowedSubgraphs() throws {
        let depth = DOTParser.maximumNestingDepth
        let text = "digraph {" + String(repeating: "subgraph {", count: depth) + "a" + String(repeating: "}", count: depth) + "}"
        let result = DOTParser.parse(text, file: "deep.dot")
        #expect(result.diagnostics.isEmpty)
        let graph = try #require(result.graph)
        #expect(graph.subgraphs.count == depth)
        #expect(graph.subgraphs.allSatisfy { $0.nodes == ["a"] })
        #expect(graph.subgraphs.last?.parent == depth - 2)
    }

    @Test("content after the closing brace")
    func trailingContent() {
        #expect(Self.errors("digraph { a } b") == [
            Found(line: 1, column: 15, message: "unexpected 'b' after the end of the graph (its closing '}' is at 1:13); expected end of file"),
        ])
    }

    @Test("a second graph in one file")
    func secondGraph() {
        #expect(Self.errors("digraph one { a }\ndigraph two { b }\n") == [
            Found(line: 2, column: 1, message: "a second graph starts here, but a DOT file holds exactly one graph (the first ended at 1:17)"),
        ])
    }

    @Test("an unterminated string")
    func unterminatedString() {
        #expect(Self.errors("digraph {\n  a [label=\"open\n  b\n}\n") == [
            Found(line: 2, column: 12, message: "unterminated string: the '\"' at 2:12 has no closing '\"' before the end of the file"),
        ])
    }

    @Test("an unterminated comment")
    func unterminatedComment() {
        #expect(Self.errors("digraph {\n  a /* open\n}\n") == [
            Found(line: 2, column: 5, message: "unterminated comment: the '/*' here has no closing '*/' before the end of the file"),
        ])
    }

    @Test("an unterminated HTML string")
    func unterminatedHTML() {
        #expect(Self.errors("digraph {\n  a [label=<<b>bold</b>]\n}\n") == [
            Found(line: 2, column: 12, message: "unterminated HTML string: the '<' at 2:12 has no matching '>' before the end of the file"),
        ])
    }

    @Test("'->' in an undirected graph and '--' in a directed one")
    func wrongEdgeOperators() {
        #expect(Self.errors("graph {\n  a -> b\n}\n") == [
            Found(line: 2, column: 5, message: "found '->' in an undirected graph; expected '--' (the graph is declared with 'graph')"),
        ])
        #expect(Self.errors("digraph {\n  a -- b\n}\n") == [
            Found(line: 2, column: 5, message: "found '--' in a directed graph; expected '->' (the graph is declared with 'digraph')"),
        ])
    }

    @Test("several errors in one file are all reported, in order")
    func multipleErrors() {
        let text = """
            graph G {
              a -> b
              c [color=]
              d @ e
              f [shape box]
              g -- h
            }
            """
        #expect(Self.errors(text) == [
            Found(line: 2, column: 5, message: "found '->' in an undirected graph; expected '--' (the graph is declared with 'graph')"),
            Found(line: 3, column: 12, message: "expected a value after 'color =', found ']'"),
            Found(line: 4, column: 5, message: "unexpected character '@'; expected an ID, an edge operator or punctuation"),
            Found(line: 5, column: 12, message: "expected '=' after attribute name 'shape', found 'box'"),
        ])
    }

    @Test("an empty file and a file of comments say there is no graph")
    func noGraph() {
        let message = "the file holds no graph; expected 'digraph' or 'graph' followed by a body such as 'digraph G { a -> b }'"
        #expect(Self.errors("") == [Found(line: 1, column: 1, message: message)])
        #expect(Self.errors("// nothing\n/* here */\n") == [Found(line: 3, column: 1, message: message)])
    }

    @Test("a wrong first word")
    func wrongHeader() {
        #expect(Self.errors("graf G { a }") == [
            Found(line: 1, column: 1, message: "expected 'digraph' or 'graph' (optionally after 'strict') to start the file, found 'graf'"),
        ])
    }

    @Test("a subgraph without a body, and a port without a name")
    func incompleteSubgraphAndPort() {
        #expect(Self.errors("digraph { subgraph s a }") == [
            Found(line: 1, column: 22, message: "expected '{' to open the body of subgraph 's', found 'a'"),
        ])
        #expect(Self.errors("digraph { a: -> b }") == [
            Found(
                line: 1, column: 14,
                message: "expected a port name or compass point (n, ne, e, se, s, sw, w, nw, c, _) after ':', found '->'"),
        ])
    }

    @Test("a graph declared inside a graph")
    func nestedGraphKeyword() {
        #expect(Self.errors("digraph { digraph { a } }").first == Found(
            line: 1, column: 11,
            message: "expected a statement, found keyword 'digraph': a graph cannot be declared inside another graph"))
    }

    @Test("a file with thousands of bad lines stops at the error limit")
    func errorLimit() {
        let text = "digraph {\n" + String(repeating: "a [x=]\n", count: 5_000) + "}\n"
        let found = Self.errors(text)
        #expect(found.count == DOTSyntaxParser.maximumErrors + 1)
        #expect(found.last?.message == "too many errors (more than 100); parsing stopped")
    }
}
