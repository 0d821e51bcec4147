/// A command's syntax, written once per command: the words it takes besides options and a
/// table of its options. The usage line, the help's option list and the argument scanner all
/// come from it.
struct OptionTable: Sendable {
    /// The command as typed (`trellis run`, `trellis plugins list`).
    var command: String
    /// The words besides options, for the synopsis (`FILE`, `FILE...`, or empty).
    var operands: String = ""
    /// The options, in the order help lists them.
    var options: [OptionSpec]
    /// A synopsis written by hand, for syntax the table cannot say (`FILE (--json | --dot)`).
    var synopsis: String?

    /// The width usage lines are wrapped to.
    private static let width = 100
    /// The widest option label that still has its help on the same line.
    private static let labelLimit = 20

    /// `trellis run FILE [--set KEY=VALUE]... [--logs DIR] ...`, wrapped under its first word
    /// after the command.
    var usageLine: String {
        let lead = command + " "
        let words = synopsis.map { [$0] } ?? ((operands.isEmpty ? [] : [operands]) + options.map(\.synopsis))
        var lines: [String] = []
        var line = lead
        for word in words {
            if line.count > lead.count, line.count + 1 + word.count > Self.width - "Usage: ".count {
                lines.append(line)
                line = String(repeating: " ", count: lead.count)
            }
            line += (line.count > lead.count ? " " : "") + word
        }
        lines.append(line)
        return lines.joined(separator: "\n" + String(repeating: " ", count: "Usage: ".count))
    }

    /// `Usage: ` and the usage line.
    var usage: String { "Usage: " + usageLine }

    /// `Options:` and a line per option, help aligned in a column; a label too wide for the
    /// column has its help on the next line.
    var optionList: String {
        let column = min(options.map(\.label.count).filter { $0 <= Self.labelLimit }.max() ?? 0, Self.labelLimit) + 2
        let indent = String(repeating: " ", count: 2 + column)
        var lines = ["Options:"]
        for option in options {
            let help = option.help.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let label = "  " + option.label
            if option.label.count > column - 2 {
                lines.append(label)
                lines += help.map { indent + $0 }
            } else {
                lines.append(label + String(repeating: " ", count: indent.count - label.count) + help[0])
                lines += help.dropFirst().map { indent + $0 }
            }
        }
        return lines.joined(separator: "\n")
    }

    /// The whole help: usage, `description`, the option list, then `epilogue` when given.
    func help(_ description: String, epilogue: String = "") -> String {
        var parts = [usage, description]
        if !options.isEmpty { parts.append(optionList) }
        if !epilogue.isEmpty { parts.append(epilogue) }
        return parts.joined(separator: "\n\n")
    }

    /// Scans `arguments` (the words after the command) against the table.
    func scan(_ arguments: [String]) throws(UsageError) -> ArgumentScanner {
        try ArgumentScanner(arguments, options: options)
    }
}
