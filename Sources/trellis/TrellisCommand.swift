/// A subcommand of `trellis`. Each lives in its own file and is listed in `Trellis.commands`.
protocol TrellisCommand: Sendable {
    /// The word after `trellis` (`validate`, `run`, ...).
    static var name: String { get }
    /// One line for `trellis --help`.
    static var summary: String { get }
    /// The full help text for `trellis help NAME` and `NAME --help`.
    static var help: String { get }
    /// Runs the command with the arguments after its name; returns the process exit code.
    static func run(_ arguments: [String]) async -> Int32
    /// The help text for `arguments` (the words after the command name, `--help` included):
    /// commands with subcommands answer `trellis plugins new --help` with the subcommand's help.
    static func help(for arguments: [String]) -> String
}

extension TrellisCommand {
    /// By default a command has one help text.
    static func help(for arguments: [String]) -> String { help }
}

/// Exit codes shared by every command.
enum ExitCode {
    /// Everything worked.
    static let success: Int32 = 0
    /// The input was read but is bad (a graph with errors, a failed run).
    static let failure: Int32 = 1
    /// Wrong usage, or a file that cannot be read.
    static let usage: Int32 = 2
}
