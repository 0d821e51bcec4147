internal import TrellisCore

/// Renders `trellis validate` results for people and for programs.
package enum ValidationReportFormatter {
    /// Each diagnostic as `file:line:column: severity: message [rule]` with its excerpt and fix,
    /// then a summary line for the file.
    package static func human(_ report: FileReport) -> String {
        if let unreadable = report.unreadable { return "\(report.file): error: \(unreadable)" }
        // One index for the file: rendering each diagnostic from the bare source rescans it.
        let index = report.source.map(SourceLineIndex.init)
        var lines = report.diagnostics.map { $0.rendered(lines: index) }
        lines.append("\(report.file): " + summary(report.diagnostics))
        return lines.joined(separator: "\n")
    }

    /// `no problems`, or counts by severity: `2 errors, 1 warning`.
    package static func summary(_ diagnostics: [Diagnostic]) -> String {
        guard !diagnostics.isEmpty else { return "no problems" }
        let counts: [(Severity, String)] = [(.error, "error"), (.warning, "warning"), (.info, "note")]
        return counts.compactMap { severity, noun in
            let count = diagnostics.filter { $0.severity == severity }.count
            return count == 0 ? nil : "\(count) \(noun)\(count == 1 ? "" : "s")"
        }.joined(separator: ", ")
    }

    /// `[{"file", "diagnostics": [{"rule","severity","message","line","column","node","edge","fix"}]}]`;
    /// absent fields are `null`. An unreadable file has one diagnostic with rule `file`.
    package static func json(_ reports: [FileReport]) -> String {
        let files = reports.map { report -> String in
            var diagnostics = report.diagnostics.map(json)
            if let unreadable = report.unreadable {
                diagnostics.append(object([
                    ("rule", quoted("file")), ("severity", quoted("error")), ("message", quoted(unreadable)),
                    ("line", "null"), ("column", "null"), ("node", "null"), ("edge", "null"), ("fix", "null"),
                ]))
            }
            return object([("file", quoted(report.file)), ("diagnostics", "[" + diagnostics.joined(separator: ",") + "]")])
        }
        return "[" + files.joined(separator: ",\n") + "]"
    }

    private static func json(_ diagnostic: Diagnostic) -> String {
        object([
            ("rule", quoted(diagnostic.rule)),
            ("severity", quoted(diagnostic.severity.rawValue)),
            ("message", quoted(diagnostic.message)),
            ("line", diagnostic.location.map { String($0.line) } ?? "null"),
            ("column", diagnostic.location.map { String($0.column) } ?? "null"),
            ("node", diagnostic.node.map(quoted) ?? "null"),
            ("edge", diagnostic.edge.map { "[" + quoted($0.from) + "," + quoted($0.to) + "]" } ?? "null"),
            ("fix", diagnostic.fix.map(quoted) ?? "null"),
        ])
    }

    private static func object(_ fields: [(String, String)]) -> String {
        "{" + fields.map { quoted($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
    }

    /// A JSON string literal (the shared quoter, so every JSON Trellis writes escapes alike).
    static func quoted(_ text: String) -> String { JSONText.quoted(text) }
}
