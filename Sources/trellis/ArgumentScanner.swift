import TrellisDOT

/// A small command-line parser: `--flag`, `--option value`, `--option=value`, `-v` aliases,
/// repeatable options and positionals; `--` ends options. No package dependencies, by design.
/// Commands get one from their `OptionTable`.
struct ArgumentScanner {
    private(set) var positionals: [String] = []
    private var values: [String: [String]] = [:]
    private var flags: Set<String> = []

    /// Scans `arguments` against `options`.
    init(_ arguments: [String], options: [OptionSpec]) throws(UsageError) {
        let byName = Dictionary(options.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var index = 0
        var optionsEnded = false
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if optionsEnded || argument == "-" || !argument.hasPrefix("-") {
                positionals.append(argument)
                continue
            }
            if argument == "--" {
                optionsEnded = true
                continue
            }
            var name: String
            var inlineValue: String?
            if argument.hasPrefix("--") {
                name = String(argument.dropFirst(2))
                if let equals = name.firstIndex(of: "=") {
                    inlineValue = String(name[name.index(after: equals)...])
                    name = String(name[..<equals])
                }
            } else if let alias = options.first(where: { $0.short.map { "-\($0)" } == argument }) {
                name = alias.name
            } else {
                throw UsageError("unknown option '\(argument)'" + Self.hint(for: String(argument.dropFirst()), options))
            }
            guard let option = byName[name] else {
                throw UsageError("unknown option '--\(name)'" + Self.hint(for: name, options))
            }
            if option.takesValue {
                if let inlineValue {
                    values[name, default: []].append(inlineValue)
                } else if index < arguments.count, !Self.isOption(arguments[index], of: byName) {
                    values[name, default: []].append(arguments[index])
                    index += 1
                } else {
                    throw UsageError("option '--\(name)' needs a value (\(option.placeholder ?? "VALUE"))")
                }
            } else {
                guard inlineValue == nil else {
                    throw UsageError("option '--\(name)' takes no value")
                }
                flags.insert(name)
            }
        }
    }

    /// Whether `argument` names one of the options: taken as a value it would be a mistake
    /// (`--logs --json`), so the option before it is missing its value instead.
    private static func isOption(_ argument: String, of options: [String: OptionSpec]) -> Bool {
        guard argument.hasPrefix("--") else { return false }
        let name = argument.dropFirst(2).split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return argument == "--" || options[String(name)] != nil
    }

    /// `; did you mean '--json'?` for a near miss, else the known options.
    private static func hint(for name: String, _ options: [OptionSpec]) -> String {
        guard !options.isEmpty else { return "; this command takes no options" }
        if let close = CloseMatches.find(name, among: options.map(\.name), limit: 1).first {
            return "; did you mean '--\(close)'?"
        }
        return "; known options: " + options.map { "--" + $0.name }.sorted().joined(separator: ", ")
    }

    /// Whether `--name` was given.
    func flag(_ name: String) -> Bool { flags.contains(name) }

    /// The last value of `--name`, or `nil`.
    func value(_ name: String) -> String? { values[name]?.last }

    /// Every value of a repeatable `--name`, in order.
    func values(_ name: String) -> [String] { values[name] ?? [] }

    /// The value of `--name` as a whole number of at least `minimum`, or `nil` when not given;
    /// `message` says what is wanted when the value is no such number.
    func number(_ name: String, minimum: Int, message: (String) -> String) throws(UsageError) -> Int? {
        guard let text = value(name) else { return nil }
        guard let number = Int(text), number >= minimum else { throw UsageError(message(text)) }
        return number
    }
}
