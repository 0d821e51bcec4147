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
    public func rendered(source: String?) -> String {
        var header = ""
        if let location { header = "\(location): " }
        header += "\(severity.rawValue): \(message) [\(rule)]"
        var lines = [header]
        if let source, let location, let sourceLine = Self.line(location.line, of: source) {
            let (excerpt, caret) = Self.excerpt(of: sourceLine, column: location.column)
            lines.append("    " + excerpt)
            lines.append("    " + caret)
        }
        if let fix { lines.append("  fix: \(fix)") }
        return lines.joined(separator: "\n")
    }

    /// Line `number` (1-based) of `source` without its line end, or `nil` when there is no such line.
    private static func line(_ number: Int, of source: String) -> Substring.UnicodeScalarView? {
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

    /// The excerpt to show and the caret line under `column`, clipped around the column when long.
    private static func excerpt(of line: Substring.UnicodeScalarView, column: Int) -> (String, String) {
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

    private static func caretLine(_ scalars: [Unicode.Scalar], _ caretIndex: Int, indent: Int) -> String {
        var caret = String(repeating: " ", count: indent)
        for scalar in scalars.prefix(caretIndex) {
            caret.append(scalar == "\t" ? "\t" : " ")
        }
        return caret + "^"
    }
}
