import Foundation
import Testing
@testable import TrellisDOT

/// `Diagnostic.rendered(lines:)` with one `SourceLineIndex` per file gives exactly what the
/// renderer gave when it rescanned the source for each diagnostic (kept below as the oracle).
@Suite("Source line index")
struct SourceLineIndexTests {
    /// Hand-written sources for the edges: line ends, a byte order mark, tabs, long and non-ASCII lines.
    static let edgeSources: [String] = [
        "",
        "\n",
        "x",
        "a\nb\n",
        "a\r\nb\r\n\r\n",
        "\r",
        "\u{FEFF}",
        "\u{FEFF}digraph {\r\n  a @\r\n}",
        "\t\tx@y\n\t",
        "é ü 漢字 🙂\nzweite Zeile",
        String(repeating: "abcdefghij", count: 50) + "\n" + String(repeating: "€", count: 300),
    ]

    /// Every fixture file's text, then the edge sources.
    static func sources() throws -> [String] {
        let files = Fixtures.dotFiles(in: "attractor-samples") + Fixtures.dotFiles(in: "oracle")
        #expect(files.count > 50, "the fixtures were not found")
        return try files.map(Fixtures.text) + edgeSources
    }

    /// Diagnostics at the lines and columns worth checking: lines at their start, inside,
    /// at and past their end, plus lines before the first and after the last.
    static func probes(for source: String) -> [Diagnostic] {
        let lineLengths = OldRendering.lineLengths(source)
        var probes: [Diagnostic] = []
        // Every line of a short source; the first, last and every 17th line of a long one (the
        // oracle rescans the text for each probe, so probing every line of a big fixture is slow).
        let lines = (0...(lineLengths.count + 1)).filter { line in
            lineLengths.count <= 40 || line <= 3 || line >= lineLengths.count - 2 || line.isMultiple(of: 17)
        }
        for line in lines {
            let length = line >= 1 && line <= lineLengths.count ? lineLengths[line - 1] : 0
            for column in Set([0, 1, 2, length / 2, 60, 61, length - 60, length - 1, length, length + 1, length + 10]) {
                probes.append(Diagnostic(
                    rule: "probe", severity: .warning, message: "at \(line):\(column)",
                    location: SourceLocation(file: "probe.dot", line: line, column: column), fix: "none"))
            }
        }
        return probes
    }

    @Test("rendering from one index per source matches the old per-diagnostic scan on every fixture")
    func matchesOldRendering() throws {
        for source in try Self.sources() {
            let index = SourceLineIndex(source)
            #expect(index.lineCount == OldRendering.lineLengths(source).count)
            for diagnostic in Self.probes(for: source) {
                let expected = OldRendering.rendered(diagnostic, source: source)
                #expect(diagnostic.rendered(lines: index) == expected)
                #expect(diagnostic.rendered(source: source) == expected)
            }
        }
    }

    @Test("real diagnostics of the fixtures render as before through the validate formatter")
    func formatterMatchesOldRendering() throws {
        let files = Fixtures.dotFiles(in: "attractor-samples") + Fixtures.dotFiles(in: "oracle")
        for path in files {
            let source = try Fixtures.text(path)
            // An edited copy too, so there are syntax errors and warnings at varied positions.
            for text in [source, source.replacingOccurrences(of: "=", with: " ")] {
                let result = DOTParser.parse(text, file: "f.dot")
                var diagnostics = result.diagnostics
                if let graph = result.graph { diagnostics += Validator.standard.validate(graph) }
                let report = FileReport(file: "f.dot", source: text, diagnostics: diagnostics, unreadable: nil)
                let expected = diagnostics.map { OldRendering.rendered($0, source: text) } + ["f.dot: " + ValidationReportFormatter.summary(diagnostics)]
                #expect(ValidationReportFormatter.human(report) == expected.joined(separator: "\n"))
            }
        }
    }
}

/// The renderer as it was before the line index: it scanned the source for each diagnostic.
/// Kept only as the oracle for the tests above.
private enum OldRendering {
    static func rendered(_ diagnostic: Diagnostic, source: String?) -> String {
        var header = ""
        if let location = diagnostic.location { header = "\(location): " }
        header += "\(diagnostic.severity.rawValue): \(diagnostic.message) [\(diagnostic.rule)]"
        var lines = [header]
        if let source, let location = diagnostic.location, let sourceLine = line(location.line, of: source) {
            let (excerpt, caret) = excerpt(of: sourceLine, column: location.column)
            lines.append("    " + excerpt)
            lines.append("    " + caret)
        }
        if let fix = diagnostic.fix { lines.append("  fix: \(fix)") }
        return lines.joined(separator: "\n")
    }

    /// The scalar count of every line the old scan finds (line 1 first).
    static func lineLengths(_ source: String) -> [Int] {
        var lengths: [Int] = []
        var number = 1
        while let line = line(number, of: source) {
            lengths.append(line.count)
            number += 1
        }
        return lengths
    }

    static func line(_ number: Int, of source: String) -> Substring.UnicodeScalarView? {
        guard number >= 1 else { return nil }
        let scalars = source.unicodeScalars
        var current = 1
        var start = scalars.startIndex
        if scalars.first == "\u{FEFF}" { start = scalars.index(after: start) }
        var index = start
        while index < scalars.endIndex {
            if scalars[index] == "\n" {
                if current == number { break }
                current += 1
                start = scalars.index(after: index)
            }
            index = scalars.index(after: index)
        }
        guard current == number else { return nil }
        var line = Substring(source).unicodeScalars[start..<index]
        if line.last == "\r" { line = line.dropLast() }
        return line
    }

    static func excerpt(of line: Substring.UnicodeScalarView, column: Int) -> (String, String) {
        let width = 120
        var scalars = Array(line)
        var caretIndex = max(0, min(column - 1, scalars.count))
        var prefix = ""
        if scalars.count > width {
            let windowStart = max(0, min(caretIndex - width / 2, scalars.count - width))
            let windowEnd = min(scalars.count, windowStart + width)
            if windowStart > 0 { prefix = "..." }
            let suffix = windowEnd < scalars.count ? "..." : ""
            scalars = Array(scalars[windowStart..<windowEnd])
            caretIndex -= windowStart
            var text = prefix
            text.unicodeScalars.append(contentsOf: scalars)
            text += suffix
            return (text, caretLine(scalars, caretIndex, indent: prefix.count))
        }
        var text = ""
        text.unicodeScalars.append(contentsOf: scalars)
        return (text, caretLine(scalars, caretIndex, indent: 0))
    }

    static func caretLine(_ scalars: [Unicode.Scalar], _ caretIndex: Int, indent: Int) -> String {
        var caret = String(repeating: " ", count: indent)
        for scalar in scalars.prefix(caretIndex) {
            caret.append(scalar == "\t" ? "\t" : " ")
        }
        return caret + "^"
    }
}
