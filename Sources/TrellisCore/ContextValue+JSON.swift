extension ContextValue {
    /// The nesting depth `init(jsonText:)` accepts by default: deep enough for any real
    /// document, shallow enough that the recursive reader cannot exhaust a thread's stack.
    public static let defaultMaximumJSONDepth = 512

    /// Compact JSON text for the value (keys of maps sorted, so output is deterministic).
    public var jsonText: String {
        var out = ""
        writeJSON(to: &out)
        return out
    }

    /// Appends the value's JSON text to `out`; non-finite doubles, which JSON cannot spell,
    /// are written as `null`.
    public func writeJSON(to out: inout String) {
        switch self {
        case .string(let text): JSONText.appendQuoted(text, to: &out)
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
        case .messages(let messages):
            messages.writeJSON(to: &out)
        case .map(let entries):
            out += "{"
            for (index, entry) in entries.sorted(by: { $0.key < $1.key }).enumerated() {
                if index > 0 { out += "," }
                JSONText.appendQuoted(entry.key, to: &out)
                out += ":"
                entry.value.writeJSON(to: &out)
            }
            out += "}"
        }
    }

    /// Parses JSON text (RFC 8259, strictly) into a value: objects become maps, arrays lists,
    /// numbers without a fraction or exponent integers. Throws `ContextValueJSONError` saying
    /// at which byte the text stops being JSON, or that it nests deeper than `maximumDepth`.
    public init(jsonText: String, maximumDepth: Int = ContextValue.defaultMaximumJSONDepth) throws(ContextValueJSONError) {
        var reader = JSONReader(jsonText, maximumDepth: maximumDepth)
        self = try reader.readDocument()
    }
}
