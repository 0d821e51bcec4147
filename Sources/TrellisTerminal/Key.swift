/// One key press (or one pasted block) as the terminal reported it, decoded from raw bytes by
/// `KeyDecoder` and consumed by `LineEditor`.
public enum Key: Hashable, Sendable {
    /// Printable text typed by the user: one or more characters, never control characters.
    case text(String)
    /// A block of text pasted while bracketed paste was on; it may contain newlines.
    case paste(String)
    /// Enter (carriage return or line feed).
    case enter
    /// Tab, which the editor ignores (there is no completion) rather than insert a
    /// character whose width depends on the terminal's tab stops.
    case tab
    /// Backspace (DEL or Ctrl-H): delete the character before the cursor.
    case backspace
    /// The Delete key (`ESC [ 3 ~`): delete the character under the cursor.
    case delete
    /// Cursor left.
    case left
    /// Cursor right.
    case right
    /// Cursor up: the previous history entry.
    case up
    /// Cursor down: the next history entry, and finally the line being edited.
    case down
    /// Home: the start of the line.
    case home
    /// End: the end of the line.
    case end
    /// Ctrl-Left or Alt-B: one word back.
    case wordLeft
    /// Ctrl-Right or Alt-F: one word forward.
    case wordRight
    /// Alt-Backspace: delete the word before the cursor, like Ctrl-W.
    case deleteWordBackward
    /// A control letter, lowercased (`"a"` for Ctrl-A). Ctrl-H, Ctrl-I, Ctrl-J and Ctrl-M
    /// arrive as `backspace`, `tab` and `enter` because terminals send the same bytes.
    case control(Character)
    /// A lone Escape key press (nothing followed it within the decoder's timeout).
    case escape
    /// An escape sequence or byte the decoder recognises but the editor has no use for
    /// (function keys, Page Up); kept so callers can log it.
    case unsupported([UInt8])
}
