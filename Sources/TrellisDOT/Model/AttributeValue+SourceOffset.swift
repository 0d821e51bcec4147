extension AttributeValue {
    /// The source position of a place inside this value's text, given as a 1-based line and
    /// column within `raw` (what the condition and stylesheet parsers report), or `nil` when
    /// the value has no location.
    ///
    /// `location` is where the value starts as written, which for a quoted or HTML value is its
    /// opening delimiter; the content starts one column later. A value that can only have been
    /// written quoted (it holds characters a bare DOT identifier cannot) is taken as quoted.
    /// Each `"` in the text stood for `\"` in the source and shifts later columns by one.
    /// Values joined with `+` or continued with backslash-newline map approximately.
    func sourceLocation(line: Int, column: Int) -> SourceLocation? {
        guard let location else { return nil }
        let lines = raw.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false)
        guard line >= 1, line <= lines.count else { return location }
        let before = lines[line - 1].prefix(max(column - 1, 0))
        let escapedQuotes = isHTML ? 0 : before.reduce(0) { $1 == "\"" ? $0 + 1 : $0 }
        if line == 1 {
            let delimiter = isHTML || isQuotedInSource ? 1 : 0
            return SourceLocation(
                file: location.file, line: location.line, column: location.column + delimiter + (column - 1) + escapedQuotes)
        }
        return SourceLocation(file: location.file, line: location.line + line - 1, column: column + escapedQuotes)
    }

    /// The source position of the 1-based scalar `column` of this value's text, lines counted.
    func sourceLocation(scalarColumn column: Int) -> SourceLocation? {
        var line = 1
        var lineColumn = 1
        for (offset, scalar) in raw.unicodeScalars.enumerated() where offset < column - 1 {
            if scalar == "\n" {
                line += 1
                lineColumn = 1
            } else {
                lineColumn += 1
            }
        }
        return sourceLocation(line: line, column: lineColumn)
    }

    /// Whether the value needs quotes in DOT: empty, or not a plain identifier or numeral.
    private var isQuotedInSource: Bool {
        guard let first = raw.unicodeScalars.first else { return true }
        let isIdentifier = !("0"..."9").contains(first)
            && raw.unicodeScalars.allSatisfy { $0 == "_" || ("0"..."9").contains($0) || ("a"..."z").contains($0) || ("A"..."Z").contains($0) || $0.value >= 0x80 }
        let isNumeral = raw.unicodeScalars.allSatisfy { $0 == "-" || $0 == "." || ("0"..."9").contains($0) }
        return !(isIdentifier || isNumeral)
    }
}
