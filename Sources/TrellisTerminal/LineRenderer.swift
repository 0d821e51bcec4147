/// Produces the escape sequences that redraw a prompt and its line in place.
///
/// Redrawing the whole line on every key is simple and always right; what makes it work for
/// lines longer than the terminal is knowing where the cursor was left: the renderer
/// remembers the row the cursor sits on (relative to the prompt's first row), goes back up
/// to the first row, clears to the end of the screen, writes everything again, and then
/// moves the cursor to its place. Layout follows the terminal's own wrapping: a two-column
/// character that does not fit in the last column moves to the next row.
/// Line breaks are written as `\r\n`, so the output is right whether or not the terminal
/// translates `\n` on output.
public struct LineRenderer: Sendable {
    /// The row the cursor is on, counted from the prompt's first row.
    public private(set) var cursorRow = 0

    /// Creates a renderer for a prompt that has not been drawn yet (the cursor is at the
    /// start of an empty row).
    public init() {}

    /// Forgets the drawn prompt, after it was finished or the screen was cleared.
    public mutating func reset() {
        cursorRow = 0
    }

    /// The text that erases the drawn prompt and line and leaves the cursor at the start of
    /// its first row, so other output can take its place.
    public mutating func clear() -> String {
        let text = Self.up(cursorRow) + "\r\u{1B}[J"
        cursorRow = 0
        return text
    }

    /// The text that draws `prompt` and `line` over what was drawn before and puts the
    /// cursor after `cursor` characters of `line`, for a terminal `columns` wide.
    public mutating func redraw(prompt: String, line: String, cursor: Int, columns: Int) -> String {
        var output = clear()
        let layout = Self.layout(prompt: prompt, line: line, cursor: cursor, columns: max(columns, 1))
        output += prompt
        output += layout.shown
        if layout.end.column == 0 && layout.end.row > 0 {
            // The text filled its last row exactly: the terminal holds the cursor in the last
            // column until the next character, so move to the next row explicitly.
            output += "\r\n"
        }
        // Typing at the end of the line (the usual case) leaves the cursor where it belongs.
        if layout.cursor != layout.end {
            output += Self.up(layout.end.row - layout.cursor.row)
            output += "\r"
            if layout.cursor.column > 0 { output += "\u{1B}[\(layout.cursor.column)C" }
        }
        cursorRow = layout.cursor.row
        return output
    }

    /// The text that moves the cursor below the line so the next output starts on a fresh
    /// row (after Enter, Ctrl-C or Ctrl-D); `suffix` (such as `^C`) is written at the end first.
    public mutating func finish(prompt: String, line: String, columns: Int, suffix: String = "") -> String {
        let layout = Self.layout(prompt: prompt, line: line, cursor: line.count, columns: max(columns, 1))
        var output = Self.down(layout.end.row - cursorRow)
        output += "\r"
        if layout.end.column > 0 { output += "\u{1B}[\(layout.end.column)C" }
        output += suffix + "\r\n"
        cursorRow = 0
        return output
    }

    /// A screen position: row from the prompt's first row, column from the left edge.
    struct Position: Equatable {
        var row: Int
        var column: Int
    }

    /// Where the cursor and the end of the text land, and the line as it is shown (line
    /// breaks and other control characters as visible stand-ins, so they take one column).
    static func layout(prompt: String, line: String, cursor: Int, columns: Int) -> (shown: String, cursor: Position, end: Position) {
        var position = Position(row: 0, column: 0)
        func advance(by width: Int) {
            guard width > 0 else { return }
            if position.column + width > columns {
                position.row += 1
                position.column = 0
            }
            position.column += width
            if position.column == columns {
                // Normalise the "pending wrap" state: the next character starts a new row.
                position.row += 1
                position.column = 0
            }
        }
        for character in DisplayWidth.visibleCharacters(of: prompt) {
            advance(by: DisplayWidth.columns(of: character))
        }
        var shown = ""
        var cursorPosition = position
        for (offset, character) in line.enumerated() {
            let visible: Character = character == "\n" ? "↵" : (character.isControl ? "·" : character)
            if offset == cursor { cursorPosition = Self.start(of: visible, at: position, columns: columns) }
            shown.append(visible)
            advance(by: DisplayWidth.columns(of: visible))
        }
        if cursor >= line.count { cursorPosition = position }
        return (shown, cursorPosition, position)
    }

    /// Where a character drawn at `position` actually starts: a wide one that does not fit
    /// in the row's remaining columns starts on the next row.
    private static func start(of character: Character, at position: Position, columns: Int) -> Position {
        let width = DisplayWidth.columns(of: character)
        if width > 0 && position.column + width > columns { return Position(row: position.row + 1, column: 0) }
        return position
    }

    private static func up(_ rows: Int) -> String { rows > 0 ? "\u{1B}[\(rows)A" : "" }
    private static func down(_ rows: Int) -> String { rows > 0 ? "\u{1B}[\(rows)B" : "" }
}

extension Character {
    /// C0 and C1 controls, which would move the terminal's cursor if written as they are.
    fileprivate var isControl: Bool {
        unicodeScalars.first.map { $0.value < 0x20 || (0x7F..<0xA0).contains($0.value) } ?? false
    }
}
