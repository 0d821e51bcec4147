import Foundation
import TrellisDOT
import TrellisEngine
import TrellisHosting
import TrellisPluginHost

/// `trellis plugins`: list and inspect plugins; `new` and `build` (authoring) are dispatched
/// to `PluginsScaffoldCommand`.
struct PluginsCommand: TrellisCommand {
    static let name = "plugins"
    static let summary = "list, inspect, create and build plugins"

    /// `trellis plugins list`'s syntax.
    static let listSyntax = OptionTable(command: "trellis plugins list", options: [
        .value("plugin-dir", "DIR", repeatable: true, "a directory of plugins (repeatable; then TRELLIS_PLUGIN_PATH)"),
        .flag("json", "print the listing as JSON"),
        .flag("verbose", short: "v", "also name the files that were skipped as not being plugins"),
    ])

    /// `trellis plugins inspect`'s syntax.
    static let inspectSyntax = OptionTable(command: "trellis plugins inspect", operands: "FILE", options: [
        .flag("json", "print the library's description as JSON"),
    ])

    static let help = """
        Usage: \([listSyntax, inspectSyntax, PluginsScaffoldCommand.newSyntax, PluginsScaffoldCommand.buildSyntax]
            .map(\.usageLine).joined(separator: "\n       "))

        list     every node type and adapter the plugins in the plugin directories provide,
                 with its plugin, version and file. Directories come from --plugin-dir
                 (repeatable) and then TRELLIS_PLUGIN_PATH (colon-separated). Files that cannot
                 be loaded are reported with the reason (exit status 1); --verbose also names
                 the files that were skipped as not being plugins.
        inspect  one library: ABI version, plugin id and version, toolchain, node types with
                 their attribute schemas, adapters. For a file that cannot be loaded, the
                 reason (exit status 1).
        new      create a plugin package (see 'trellis plugins new --help').
        build    build a plugin package into a plugin directory (see 'trellis plugins build --help').

        Plugin directories and files must not be writable by group or others; libraries are
        copied to ~/.cache/trellis/plugins/<hash>.so and loaded from there.
        """

    /// The subcommands, for dispatch and "did you mean" hints.
    static let subcommands = ["list", "inspect", "new", "build"]

    static func help(for arguments: [String]) -> String {
        switch arguments.first {
        case "list": return listSyntax.help("Lists the node types and adapters of the plugins in the plugin directories.")
        case "inspect": return inspectSyntax.help("""
            Describes one plugin library: ABI version, plugin id and version, toolchain, node types
            with their attribute schemas, adapters; for a file that cannot be loaded, the reason.
            """)
        case "new": return PluginsScaffoldCommand.newHelp
        case "build": return PluginsScaffoldCommand.buildHelp
        default: return help
        }
    }

    static func run(_ arguments: [String]) async -> Int32 {
        guard let subcommand = arguments.first else {
            Console.error("trellis plugins: say what to do: list, inspect, new or build. Run 'trellis plugins --help'.")
            return ExitCode.usage
        }
        let rest = Array(arguments.dropFirst())
        switch subcommand {
        case "list": return list(rest)
        case "inspect": return inspect(rest)
        case "new": return await PluginsScaffoldCommand.runNew(rest)
        case "build": return await PluginsScaffoldCommand.runBuild(rest)
        case scanSubcommand: return scanInChild(rest)
        default:
            let hint = CloseMatches.find(subcommand, among: subcommands, limit: 1).first.map { " (did you mean '\($0)'?)" } ?? ""
            Console.error("trellis plugins: unknown subcommand '\(subcommand)'\(hint); use list, inspect, new or build")
            return ExitCode.usage
        }
    }

    // MARK: list

    private static func list(_ arguments: [String]) -> Int32 {
        let scanner: ArgumentScanner
        do {
            scanner = try listSyntax.scan(arguments)
        } catch {
            Console.error("trellis plugins list: \(error)")
            return ExitCode.usage
        }
        guard scanner.positionals.isEmpty else {
            Console.error("trellis plugins list: unexpected argument '\(scanner.positionals[0])'; directories go after --plugin-dir")
            return ExitCode.usage
        }
        let directories = PluginSearchPath.directories(commandLine: scanner.values("plugin-dir"))
        let scanChild = scanChild
        let host = PluginHost(directories: directories, builtins: .builtin, vetting: { scanChild.vet($0) })
        let reports = host.reload()
        let generation = host.current
        let problems = reports.filter { $0.status == .failed }
        if scanner.flag("json") {
            Console.out(generation.listingJSON(reports: reports, directories: directories).jsonText)
        } else {
            if directories.isEmpty {
                Console.error("trellis plugins list: no plugin directories; give --plugin-dir DIR or set \(PluginSearchPath.environmentVariable)")
            }
            for line in generation.listingLines { Console.out(line) }
            for report in reports where report.status == .skipped && scanner.flag("verbose") {
                Console.error("note: skipped \(report.path): \(report.message)")
            }
            for report in problems {
                Console.error("error: \(report.path): \(report.message)")
            }
        }
        return problems.isEmpty ? ExitCode.success : ExitCode.failure
    }

    // MARK: scanning in a child process

    /// The hidden subcommand a scanning child runs: `trellis plugins __scan FILE` (not in the help).
    static let scanSubcommand = "__scan"

    /// Loads each plugin file in a child `trellis plugins __scan FILE` first, so that a plugin
    /// whose init crashes ends the child, and `list` and `inspect` report it and carry on.
    private static var scanChild: PluginScanChild {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return PluginScanChild(executable: executable, arguments: ["plugins", scanSubcommand])
    }

    /// The child's side: load the file (a refusal is fine: the parent reports it when it loads
    /// the file itself) and exit 0; a crash kills this process, which is the answer.
    private static func scanInChild(_ arguments: [String]) -> Int32 {
        guard arguments.count == 1, let file = arguments.first else {
            Console.error("trellis plugins \(scanSubcommand): give exactly one library file")
            return ExitCode.usage
        }
        _ = PluginLoader.inspect(file: file)
        return ExitCode.success
    }

    // MARK: inspect

    private static func inspect(_ arguments: [String]) -> Int32 {
        let scanner: ArgumentScanner
        do {
            scanner = try inspectSyntax.scan(arguments)
        } catch {
            Console.error("trellis plugins inspect: \(error)")
            return ExitCode.usage
        }
        guard scanner.positionals.count == 1, let file = scanner.positionals.first else {
            Console.error("trellis plugins inspect: give exactly one library file, e.g. 'trellis plugins inspect plugins/libacme.so'")
            return ExitCode.usage
        }
        let loaded: Result<PluginInfo, PluginLoadError>
        if let crash = scanChild.vet(file) { loaded = .failure(crash) } else { loaded = PluginLoader.inspect(file: file) }
        switch loaded {
        case .failure(let error):
            if scanner.flag("json") {
                Console.out(ContextValue.map(["file": .string(file), "ok": .boolean(false), "problem": .string(error.kind.rawValue),
                                              "reason": .string(error.reason)]).jsonText)
            } else {
                Console.error("trellis plugins inspect: \(error.file): \(error.reason)")
            }
            return ExitCode.failure
        case .success(let info):
            if scanner.flag("json") {
                guard case .map(var fields) = info.jsonValue else { return ExitCode.failure }
                fields["ok"] = .boolean(true)
                fields["host_abi"] = .string("\(PluginABIVersion.version)")
                fields["host_toolchain"] = .string(SwiftToolchain.identity)
                Console.out(ContextValue.map(fields).jsonText)
            } else {
                for line in info.descriptionLines { Console.out(line) }
            }
            return ExitCode.success
        }
    }
}
