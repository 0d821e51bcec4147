extension PluginValue {
    /// Compact JSON text for the value, map keys sorted so the output is deterministic.
    public var jsonText: String {
        var out = ""
        writeJSON(to: &out)
        return out
    }

    /// Appends the value's JSON text to `out`.
    public func writeJSON(to out: inout String) {
        switch self {
        case .string(let text): Self.appendQuoted(text, to: &out)
        case .integer(let number): out += String(number)
        case .double(let number): out += number.isFinite ? String(number) : "null"
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
                Self.appendQuoted(key, to: &out)
                out += ":"
                entries[key, default: .null].writeJSON(to: &out)
            }
            out += "}"
        }
    }

    /// Parses JSON text: objects become maps, arrays lists, numbers without a fraction or
    /// exponent integers. Throws a `PluginValueJSONError` saying at which byte the text stops being JSON.
    public init(jsonText: String) throws(PluginValueJSONError) {
        var reader = PluginJSONReader(jsonText)
        self = try reader.readDocument()
    }

    /// Appends `text` as a quoted JSON string, escaping what JSON requires.
    static func appendQuoted(_ text: String, to out: inout String) {
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
}

/// A text handed to `PluginValue(jsonText:)` is not JSON.
public struct PluginValueJSONError: Error, Sendable, CustomStringConvertible {
    /// What is wrong and at which byte (1-based).
    public var reason: String
    /// The reason, for printing.
    public var description: String { reason }
}
