#if canImport(Glibc)
import Glibc
#endif
import TrellisDOT

/// The `trellis` command line: a thin dispatcher over the Trellis libraries.
@main
enum Trellis {
    /// The version printed by `--version`.
    static let version = "0.1.0"

    /// Every subcommand, in the order `--help` lists them.
    static let commands: [any TrellisCommand.Type] = [
        // Each command file adds its line here.
        BenchCommand.self,
        RunCommand.self,
        ValidateCommand.self,
        GraphCommand.self,
        ChatCommand.self,
        ServeCommand.self,
        PluginsCommand.self,
    ]

    static func main() async {
        var arguments = Array(CommandLine.arguments.dropFirst())
        let code = await dispatch(&arguments)
        exit(code)
    }

    private static func dispatch(_ arguments: inout [String]) async -> Int32 {
        guard let first = arguments.first else {
            Console.error(overview)
            return ExitCode.usage
        }
        switch first {
        case "--help", "-h":
            Console.out(overview)
            return ExitCode.success
        case "--version":
            Console.out("trellis \(version)")
            return ExitCode.success
        case "help":
            guard arguments.count > 1 else {
                Console.out(overview)
                return ExitCode.success
            }
            guard let command = command(named: arguments[1]) else {
                Console.error("trellis: no command '\(arguments[1])'; commands: \(commandNames)")
                return ExitCode.usage
            }
            Console.out(command.help)
            return ExitCode.success
        default:
            guard let command = command(named: first) else {
                let what = first.hasPrefix("-") ? "unknown option '\(first)'" : "unknown command '\(first)'"
                let hint = CloseMatches.find(first, among: commands.map { $0.name }, limit: 1).first.map { " (did you mean '\($0)'?)" } ?? ""
                Console.error("trellis: \(what)\(hint); commands: \(commandNames). Run 'trellis --help'.")
                return ExitCode.usage
            }
            let rest = Array(arguments.dropFirst())
            if rest.contains("--help") || rest.contains("-h") {
                Console.out(command.help(for: rest))
                return ExitCode.success
            }
            return await command.run(rest)
        }
    }

    private static func command(named name: String) -> (any TrellisCommand.Type)? {
        commands.first { $0.name == name }
    }

    private static var commandNames: String { commands.map { $0.name }.joined(separator: ", ") }

    static var overview: String {
        let width = (commands.map { $0.name.count }.max() ?? 0) + 2
        let lines = commands.map { command in
            "  " + command.name + String(repeating: " ", count: width - command.name.count) + command.summary
        }
        return """
            trellis \(version): graph-driven agent sessions with plugins loaded at runtime.

            Usage: trellis COMMAND [OPTIONS]

            Commands:
            \(lines.joined(separator: "\n"))

            Options:
              --help, -h  show this help (or a command's help after its name)
              --version   print the version

            Run 'trellis help COMMAND' for a command's options.
            """
    }
}
