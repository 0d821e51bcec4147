import Testing
@testable import TrellisDOT

/// `Diagnostic.rendered(source:)`: header, excerpt, caret and fix.
@Suite("Diagnostic rendering")
struct DiagnosticRenderingTests {
    @Test("header, excerpt, caret under the column, and the fix")
    func fullRendering() throws {
        let source = "digraph {\n  a -> b [color]\n}\n"
        let diagnostic = try #require(DOTParser.parse(source, file: "p.dot").diagnostics.first)
        #expect(diagnostic.rendered(source: source) == """
            p.dot:2:16: error: expected '=' after attribute name 'color', found ']' [syntax]
                  a -> b [color]
                               ^
              fix: write attributes as name=value, separated by ',' or ';'
            """)
    }

    @Test("without a source there is only the header and the fix")
    func withoutSource() {
        let diagnostic = Diagnostic(
            rule: "start_node", severity: .warning, message: "no start node",
            location: SourceLocation(file: "f.dot", line: 1, column: 1), fix: "add one")
        #expect(diagnostic.rendered(source: nil) == "f.dot:1:1: warning: no start node [start_node]\n  fix: add one")
        let bare = Diagnostic(rule: "r", severity: .info, message: "m")
        #expect(bare.rendered(source: "x") == "info: m [r]")
    }

    @Test("tabs before the column are kept so the caret lines up")
    func tabs() {
        let diagnostic = Diagnostic(
            rule: "syntax", severity: .error, message: "m", location: SourceLocation(file: "t.dot", line: 1, column: 4))
        #expect(diagnostic.rendered(source: "\t\tx@y") == "t.dot:1:4: error: m [syntax]\n    \t\tx@y\n    \t\t ^")
    }

    @Test("a very long line is clipped around the column")
    func longLine() throws {
        let line = String(repeating: "a", count: 5_000) + "@" + String(repeating: "b", count: 5_000)
        let source = "digraph { x [label=\(line)] }"
        let diagnostic = try #require(DOTParser.parse(source, file: "l.dot").diagnostics.first)
        let lines = diagnostic.rendered(source: source).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 4)
        #expect(lines[1].count < 140)
        #expect(lines[1].hasPrefix("    ...") && lines[1].hasSuffix("..."))
        let caret = try #require(lines[2].firstIndex(of: "^"))
        let offset = lines[2].distance(from: lines[2].startIndex, to: caret)
        #expect(Array(lines[1])[offset] == "@")
    }

    @Test("CRLF line ends and a byte order mark do not disturb the excerpt")
    func crlfAndBOM() throws {
        let source = "\u{FEFF}digraph {\r\n  a @\r\n}\r\n"
        let diagnostic = try #require(DOTParser.parse(source, file: "c.dot").diagnostics.first)
        #expect(diagnostic.rendered(source: source).split(separator: "\n")[1] == "      a @")
    }
}
