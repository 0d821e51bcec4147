/// An attribute value as written in DOT, with typed readings of the pipeline dialect beside the raw text.
///
/// `raw` is the text after Graphviz's rules: quotes removed, `+` concatenation joined,
/// `\"` and backslash-newline resolved. Other escapes (`\n`, `\l`, `\\`) are kept as written,
/// exactly as `dot -Tjson` reports them; consumers that want text (prompts, tool
/// scripts) call `text`, which resolves them.
public struct AttributeValue: Sendable, Hashable {
    // Stored properties are laid out in this order: the flag after the location packs into
    // the location's padding, so a value takes 32 bytes rather than 40.

    /// The value as Graphviz stores it.
    public var raw: String
    /// Where the value starts in the source; `nil` for values built in code.
    public var location: SourceLocation?
    /// Whether the value was written as an HTML string (`<...>`).
    public var isHTML: Bool

    /// Creates a value.
    public init(_ raw: String, isHTML: Bool = false, location: SourceLocation? = nil) {
        self.raw = raw
        self.isHTML = isHTML
        self.location = location
    }

    /// The value with the pipeline dialect's escapes resolved: `\n` → newline, `\t` → tab,
    /// `\\` → backslash; Graphviz's `\l` and `\r` line ends become newlines. HTML values are returned as is.
    public var text: String {
        if isHTML || !raw.contains("\\") { return raw }
        var out = ""
        out.reserveCapacity(raw.utf8.count)
        var iterator = raw.unicodeScalars.makeIterator()
        while let scalar = iterator.next() {
            guard scalar == "\\" else {
                out.unicodeScalars.append(scalar)
                continue
            }
            guard let next = iterator.next() else {
                out.unicodeScalars.append(scalar)
                break
            }
            switch next {
            case "n", "l", "r": out.append("\n")
            case "t": out.append("\t")
            case "\\": out.append("\\")
            case "\"": out.append("\"")
            default:
                out.unicodeScalars.append(scalar)
                out.unicodeScalars.append(next)
            }
        }
        return out
    }

    /// The value as an integer (`42`, `-3`), or `nil` when it is not one.
    public var integer: Int? { Int(raw.trimmingSpaces()) }

    /// The value as a floating-point number (`0.5`, `-.25`, `3`), or `nil`.
    public var double: Double? {
        let trimmed = raw.trimmingSpaces()
        guard !trimmed.isEmpty, trimmed.lowercased() != "nan", !trimmed.lowercased().contains("inf") else { return nil }
        return Double(trimmed)
    }

    /// The value as a boolean: `true`/`false`, `yes`/`no`, `1`/`0` (any case), or `nil`.
    public var boolean: Bool? {
        switch raw.trimmingSpaces().lowercased() {
        case "true", "yes", "1": return true
        case "false", "no", "0": return false
        default: return nil
        }
    }

    /// The value as a duration: `250ms`, `30s`, `15m`, `2h`, `1d`, or a bare number of seconds; `nil` otherwise.
    public var duration: Duration? {
        let trimmed = raw.trimmingSpaces().lowercased()
        let units: [(suffix: String, milliseconds: Double)] = [
            ("ms", 1), ("s", 1_000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000),
        ]
        for unit in units where trimmed.hasSuffix(unit.suffix) {
            let number = trimmed.dropLast(unit.suffix.count)
            guard let value = Double(number), value >= 0, value.isFinite else { continue }
            return .milliseconds(Int64((value * unit.milliseconds).rounded()))
        }
        if let seconds = Double(trimmed), seconds >= 0, seconds.isFinite {
            return .milliseconds(Int64((seconds * 1_000).rounded()))
        }
        return nil
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and line ends (no Foundation needed).
    func trimmingSpaces() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
