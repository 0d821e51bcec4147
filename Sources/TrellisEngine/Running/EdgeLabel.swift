/// Edge label normalisation for preferred-label routing: case-insensitive, trimmed, and
/// without an accelerator prefix (`[Y] `, `Y) `, `Y - `), so a handler that prefers
/// `approve` matches the edge `[A] Approve`.
public enum EdgeLabel {
    /// The label lowercased, trimmed, with one accelerator prefix removed.
    public static func normalized(_ label: String) -> String {
        var text = Substring(trimmed(label))
        if text.first == "[", let close = text.firstIndex(of: "]") {
            let key = text[text.index(after: text.startIndex)..<close]
            if !key.isEmpty, key.count <= 3, key.allSatisfy({ $0.isLetter || $0.isNumber }) {
                text = text[text.index(after: close)...]
            }
        } else if text.count >= 2, let first = text.first, first.isLetter || first.isNumber {
            let rest = text.dropFirst()
            if rest.first == ")" {
                text = rest.dropFirst()
            } else if rest.hasPrefix(" - ") {
                text = rest.dropFirst(3)
            }
        }
        return trimmed(String(text)).lowercased()
    }

    private static func trimmed(_ text: String) -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = text.firstIndex(where: { !isSpace($0) }), let last = text.lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(text[first...last])
    }
}
