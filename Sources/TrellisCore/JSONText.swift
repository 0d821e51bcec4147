/// The one JSON string quoter: every encoder in Trellis that writes JSON by hand (the value
/// writer, the DOT JSON encoder, `validate --json`, run files) quotes through here, so they
/// all escape alike.
public enum JSONText {
    /// Appends `text` as a quoted JSON string: `"` and `\` escaped, the usual short escapes for
    /// newline, carriage return and tab, other control characters as `\u00XX`; everything else
    /// (including non-ASCII) as is, since JSON text is UTF-8.
    public static func appendQuoted(_ text: String, to out: inout String) {
        out += "\""
        // Most text needs no escape at all: check the bytes once and append it whole.
        let needsEscape = text.utf8.contains { byte in
            byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
        }
        guard needsEscape else {
            out += text
            out += "\""
            return
        }
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let control where control.value < 0x20:
                out += "\\u00"
                out.unicodeScalars.append(hexDigit(control.value >> 4))
                out.unicodeScalars.append(hexDigit(control.value & 0xF))
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }

    /// `text` as a quoted JSON string (see `appendQuoted(_:to:)`).
    public static func quoted(_ text: String) -> String {
        var out = ""
        appendQuoted(text, to: &out)
        return out
    }

    private static func hexDigit(_ value: UInt32) -> Unicode.Scalar {
        Unicode.Scalar(UInt8(value < 10 ? 0x30 + value : 0x61 + value - 10))
    }
}
