import Foundation

/// Variable expansion in node prompts.
///
/// - `$goal` is replaced by the graph's `goal` attribute at compile time (a transform, as the
///   specification describes), so every run of a compiled graph sees the same text.
/// - `${context.key}` (or `${key}`) is replaced when the node runs, from the context as it is at
///   that moment; a missing key expands to empty text. Only prompts are expanded: a tool's
///   `tool_command` is never spliced with context values (they reach commands as environment
///   variables), so a value cannot inject shell code.
public enum PromptExpansion {
    /// `text` with every `$goal` replaced by `goal`.
    public static func expandingGoal(in text: String, goal: String) -> String {
        guard text.contains("$goal") else { return text }
        return text.replacingAll("$goal", with: goal)
    }

    /// Whether `text` holds a `${...}` reference.
    public static func hasContextReferences(_ text: String) -> Bool { text.contains("${") }

    /// `text` with each `${context.key}` / `${key}` replaced by the context value's text.
    /// An unterminated `${` is kept as written.
    public static func expandingContext(in text: String, context: Context) -> String {
        var out = ""
        var rest = Substring(text)
        while let open = rest.range(of: "${") {
            out += rest[..<open.lowerBound]
            let afterOpen = rest[open.upperBound...]
            guard let close = afterOpen.firstIndex(of: "}") else {
                out += rest[open.lowerBound...]
                return out
            }
            let name = String(afterOpen[..<close]).trimmingCharacters(in: .whitespaces)
            let bare = name.hasPrefix("context.") ? String(name.dropFirst("context.".count)) : name
            out += (context[name] ?? context[bare])?.stringValue ?? ""
            rest = afterOpen[afterOpen.index(after: close)...]
        }
        out += rest
        return out
    }
}

extension String {
    /// The string with every occurrence of `target` replaced by `replacement` (no Foundation needed).
    func replacingAll(_ target: String, with replacement: String) -> String {
        var out = ""
        var rest = Substring(self)
        while let range = rest.range(of: target) {
            out += rest[..<range.lowerBound]
            out += replacement
            rest = rest[range.upperBound...]
        }
        out += rest
        return out
    }
}
