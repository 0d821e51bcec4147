extension Diagnostic {
    /// The diagnostic as a compiler-style message:
    ///
    ///     pipeline.dot:3:19: error: expected '=' after attribute name 'color', found ']' [syntax]
    ///         a -> b [color]
    ///                      ^
    ///       fix: write attributes as name=value, separated by ',' or ';'
    ///
    /// The excerpt and caret appear when `source` (the file's text) is given and the location
    /// is in it; tabs before the column are repeated in the caret line so the caret lines up,
    /// and lines longer than 120 characters are clipped to a window around the column.
    ///
    /// This indexes `source` for the one diagnostic; to render several diagnostics of one file,
    /// build a `SourceLineIndex` once and use `rendered(lines:)`.
    public func rendered(source: String?) -> String {
        rendered(lines: source.map(SourceLineIndex.init))
    }

    /// The diagnostic as `rendered(source:)` shows it, with the excerpt taken from `lines`, the
    /// index of the file's text (built once per file, so a report of many diagnostics is linear).
    public func rendered(lines: SourceLineIndex?) -> String {
        var header = ""
        if let location { header = "\(location): " }
        header += "\(severity.rawValue): \(message) [\(rule)]"
        var output = [header]
        if let lines, let location, let sourceLine = lines.line(location.line) {
            let (excerpt, caret) = Self.excerpt(of: sourceLine, column: location.column)
            output.append("    " + excerpt)
            output.append("    " + caret)
        }
        if let fix { output.append("  fix: \(fix)") }
        return output.joined(separator: "\n")
    }

    /// The excerpt to show and the caret line under `column`, clipped around the column when long.
    /// Only the shown window is copied, so a long line costs its window, not its length.
    private static func excerpt(of line: ArraySlice<Unicode.Scalar>, column: Int) -> (String, String) {
        let width = 120
        let count = line.count
        var caretIndex = max(0, min(column - 1, count))
        var prefix = ""
        if count > width {
            let windowStart = max(0, min(caretIndex - width / 2, count - width))
            let windowEnd = min(count, windowStart + width)
            if windowStart > 0 { prefix = "..." }
            let suffix = windowEnd < count ? "..." : ""
            let scalars = Array(line[(line.startIndex + windowStart)..<(line.startIndex + windowEnd)])
            caretIndex -= windowStart
            var text = prefix
            text.unicodeScalars.append(contentsOf: scalars)
            text += suffix
            return (text, caretLine(scalars, caretIndex, indent: prefix.count))
        }
        let scalars = Array(line)
        var text = ""
        text.unicodeScalars.append(contentsOf: scalars)
        return (text, caretLine(scalars, caretIndex, indent: 0))
    }

    private static func caretLine(_ scalars: [Unicode.Scalar], _ caretIndex: Int, indent: Int) -> String {
        var caret = String(repeating: " ", count: indent)
        for scalar in scalars.prefix(caretIndex) {
            caret.append(scalar == "\t" ? "\t" : " ")
        }
        return caret + "^"
    }
}
