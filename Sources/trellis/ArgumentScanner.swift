/// A small command-line parser: `--flag`, `--option value`, `--option=value`, repeatable
/// options, and positionals; `--` ends options. No package dependencies, by design.
struct ArgumentScanner {
    /// An option a command accepts.
    struct Option {
        /// The long name without dashes (`plugin-dir`).
        var name: String
        /// Whether it takes a value.
        var takesValue: Bool
    }

    /// What went wrong while scanning, phrased for the user.
    struct UsageError: Error, CustomStringConvertible {
        var description: String
    }

    private(set) var positionals: [String] = []
    private var values: [String: [String]] = [:]
    private var flags: Set<String> = []

    /// Scans `arguments` against `options`. Short aliases map a single-dash letter to a long name.
    init(_ arguments: [String], options: [Option], aliases: [String: String] = [:]) throws(UsageError) {
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
            } else if let long = aliases[String(argument.dropFirst())] {
                name = long
            } else {
                throw UsageError(description: "unknown option '\(argument)'" + Self.known(options))
            }
            guard let option = byName[name] else {
                throw UsageError(description: "unknown option '--\(name)'" + Self.known(options))
            }
            if option.takesValue {
                if let inlineValue {
                    values[name, default: []].append(inlineValue)
                } else if index < arguments.count {
                    values[name, default: []].append(arguments[index])
                    index += 1
                } else {
                    throw UsageError(description: "option '--\(name)' needs a value")
                }
            } else {
                guard inlineValue == nil else {
                    throw UsageError(description: "option '--\(name)' takes no value")
                }
                flags.insert(name)
            }
        }
    }

    private static func known(_ options: [Option]) -> String {
        guard !options.isEmpty else { return "; this command takes no options" }
        return "; known options: " + options.map { "--" + $0.name }.sorted().joined(separator: ", ")
    }

    /// Whether `--name` was given.
    func flag(_ name: String) -> Bool { flags.contains(name) }

    /// The last value of `--name`, or `nil`.
    func value(_ name: String) -> String? { values[name]?.last }

    /// Every value of a repeatable `--name`, in order.
    func values(_ name: String) -> [String] { values[name] ?? [] }
}
