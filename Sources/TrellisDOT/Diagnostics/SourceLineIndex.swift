/// A source text split into lines once, for rendering many diagnostics of the same file.
///
/// `Diagnostic.rendered(source:)` has to find the diagnostic's line; scanning the text for each
/// diagnostic made rendering a report quadratic (40,000 warnings on a large file took over a
/// minute). Build one index per source and pass it to `Diagnostic.rendered(lines:)`: each
/// rendering then costs the excerpt's width, not the file's length.
///
/// Lines are as the renderer has always counted them: separated by `\n`, a trailing `\r` is
/// not part of the line, a byte order mark at the start is not part of line 1, and the text
/// after the last `\n` (possibly empty) is the last line.
public struct SourceLineIndex: Sendable {
    /// The text's scalars; lines are ranges of it, so a line's length and a window inside it cost O(1).
    private let scalars: [Unicode.Scalar]
    /// Where each line starts in `scalars`; line `n` (1-based) starts at `lineStarts[n - 1]`.
    private let lineStarts: [Int]

    /// Indexes `source` (one pass over it).
    public init(_ source: String) {
        let scalars = Array(source.unicodeScalars)
        var starts = [scalars.first == "\u{FEFF}" ? 1 : 0]
        for (offset, scalar) in scalars.enumerated() where scalar == "\n" {
            starts.append(offset + 1)
        }
        self.scalars = scalars
        self.lineStarts = starts
    }

    /// How many lines the text has (an empty text has one, empty, line).
    public var lineCount: Int { lineStarts.count }

    /// Line `number` (1-based) without its line end, or `nil` when there is no such line.
    func line(_ number: Int) -> ArraySlice<Unicode.Scalar>? {
        guard number >= 1, number <= lineStarts.count else { return nil }
        let start = lineStarts[number - 1]
        var end = number < lineStarts.count ? lineStarts[number] - 1 : scalars.count
        if end > start, scalars[end - 1] == "\r" { end -= 1 }
        return scalars[start..<end]
    }
}
