/// One command-line option, declared once: the scanner's rules, the usage synopsis and the
/// help line all come from it, so they cannot disagree.
struct OptionSpec: Sendable {
    /// The long name without dashes (`plugin-dir`).
    var name: String
    /// The value's placeholder in help (`DIR`), or `nil` for a flag, which takes no value.
    var placeholder: String?
    /// The help text; a newline starts a continuation line, indented under the first.
    var help: String
    /// Whether every value is kept when the option is given again (`[--plugin-dir DIR]...`);
    /// otherwise the last one counts.
    var isRepeatable = false
    /// Whether the command cannot run without it (shown without brackets in the synopsis).
    var isRequired = false
    /// A single-letter alias (`v` for `-v`), or `nil`.
    var short: Character?

    /// An option that takes no value.
    static func flag(_ name: String, short: Character? = nil, required: Bool = false, _ help: String) -> OptionSpec {
        OptionSpec(name: name, placeholder: nil, help: help, isRequired: required, short: short)
    }

    /// An option with a value, written `--name VALUE` or `--name=VALUE`.
    static func value(
        _ name: String, _ placeholder: String, repeatable: Bool = false, required: Bool = false, _ help: String
    ) -> OptionSpec {
        OptionSpec(name: name, placeholder: placeholder, help: help, isRepeatable: repeatable, isRequired: required)
    }

    /// Whether it takes a value.
    var takesValue: Bool { placeholder != nil }

    /// `--name PLACEHOLDER` (and `-v, ` before it when there is a short alias), as help lists it.
    var label: String {
        (short.map { "-\($0), " } ?? "") + "--" + name + (placeholder.map { " " + $0 } ?? "")
    }

    /// How the usage synopsis shows it: `[--name VALUE]`, `[--name VALUE]...`, or bare when required.
    var synopsis: String {
        let bare = "--" + name + (placeholder.map { " " + $0 } ?? "")
        return isRequired ? bare : "[" + bare + "]" + (isRepeatable ? "..." : "")
    }
}
