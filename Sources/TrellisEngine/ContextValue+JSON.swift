extension ContextValue {
    /// Compact JSON text for the value (keys of maps sorted, so output is deterministic).
    public var jsonText: String {
        var out = ""
        writeJSON(to: &out)
        return out
    }

    /// Appends the value's JSON text to `out`.
    public func writeJSON(to out: inout String) {
        switch self {
        case .string(let text): JSONText.appendQuoted(text, to: &out)
        case .integer(let number): out += String(number)
        case .double(let number):
            out += number.isFinite ? String(number) : "null"
        case .boolean(let flag): out += flag ? "true" : "false"
        case .null: out += "null"
        case .list(let items):
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += "," }
                item.writeJSON(to: &out)
            }
            out += "]"
        case .map(let entries):
            out += "{"
            for (index, key) in entries.keys.sorted().enumerated() {
                if index > 0 { out += "," }
                JSONText.appendQuoted(key, to: &out)
                out += ":"
                entries[key]!.writeJSON(to: &out)
            }
            out += "}"
        }
    }

    /// Parses JSON text into a value: objects become maps, arrays lists, numbers without a
    /// fraction or exponent integers. Throws `ContextValueJSONError` saying where the text is not JSON.
    public init(jsonText: String) throws(ContextValueJSONError) {
        var reader = JSONReader(jsonText)
        self = try reader.readDocument()
    }
}

/// A JSON text could not be read as a context value.
public struct ContextValueJSONError: Error, Sendable, CustomStringConvertible {
    /// Why.
    public var reason: String
    /// The reason, for printing.
    public var description: String { reason }
}

/// Minimal JSON text helpers shared by the encoders of this module.
public enum JSONText {
    /// Appends `text` as a quoted JSON string, escaping what JSON requires.
    public static func appendQuoted(_ text: String, to out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let control where control.value < 0x20:
                let hex = String(control.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }

    /// `text` as a quoted JSON string.
    public static func quoted(_ text: String) -> String {
        var out = ""
        appendQuoted(text, to: &out)
        return out
    }
}
