/// JSON string quoting for encoders that build a `String` (the DOT JSON encoder, `validate
/// --json`, run files, events): the rules are `JSONBuffer`'s, so they escape exactly as the
/// value writer does.
public enum JSONText {
    /// Appends `text` as a quoted JSON string, escaped by `JSONBuffer.appendQuoted`'s rules:
    /// `"` and `\` escaped, the usual short escapes for newline, carriage return and tab, other
    /// control characters as `\u00XX`; everything else (including non-ASCII) as is.
    public static func appendQuoted(_ text: String, to out: inout String) {
        // Most text needs no escape at all: check the bytes once and append it whole.
        guard text.utf8.contains(where: JSONBuffer.needsEscape) else {
            out += "\""
            out += text
            out += "\""
            return
        }
        var buffer = JSONBuffer(capacity: text.utf8.count * 6 + 2)
        buffer.appendQuoted(text)
        out += buffer.text
    }

    /// `text` as a quoted JSON string (see `appendQuoted(_:to:)`).
    public static func quoted(_ text: String) -> String {
        var out = ""
        appendQuoted(text, to: &out)
        return out
    }
}
