import TrellisDOT
import TrellisEngine
import TrellisPluginHost

/// `trellis plugins`: list and inspect plugins; `new` and `build` (authoring) are dispatched
/// to `PluginsScaffoldCommand`.
struct PluginsCommand: TrellisCommand {
    static let name = "plugins"
    static let summary = "list, inspect, create and build plugins"
    static let listSyntax = OptionTable(command: "trellis plugins list", options: [
        .value("plugin-dir", "DIR", repeatable: true, "a directory of plugins (repeatable; then TRELLIS_PLUGIN_PATH)"),
        .flag("json", "print the listing as JSON"),
        .flag("verbose", short: "v", "also name the files that were skipped as not being plugins"),
    ])

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
        case "inspect": return inspectSyntax.help("Describes one plugin library without loading it into a host.")
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
        let host = PluginHost(directories: directories, builtins: .builtin)
        let reports = host.reload()
        let generation = host.current
        let problems = reports.filter { $0.status == .failed }
        if scanner.flag("json") {
            Console.out(listJSON(generation, reports: reports, directories: directories).jsonText)
        } else {
            if directories.isEmpty {
                Console.error("trellis plugins list: no plugin directories; give --plugin-dir DIR or set \(PluginSearchPath.environmentVariable)")
            }
            for line in listLines(generation) { Console.out(line) }
            for report in reports where report.status == .skipped && scanner.flag("verbose") {
                Console.error("note: skipped \(report.path): \(report.message)")
            }
            for report in problems {
                Console.error("error: \(report.path): \(report.message)")
            }
        }
        return problems.isEmpty ? ExitCode.success : ExitCode.failure
    }

    private static func listLines(_ generation: PluginGeneration) -> [String] {
        var rows: [[String]] = [["KIND", "ID", "PLUGIN", "VERSION", "FILE"]]
        for plugin in generation.plugins {
            for type in plugin.nodeTypes {
                let alias = type.qualifiedID.split(separator: ".", maxSplits: 1).last.map(String.init) ?? ""
                let aliased = generation.registry.handler(for: alias)?.origin == plugin.file && alias != type.qualifiedID
                rows.append(["type", type.qualifiedID + (aliased ? " (alias \(alias))" : ""), plugin.id, plugin.version, plugin.file])
            }
            for adapter in plugin.adapters {
                rows.append(["\(adapter.kind.rawValue) adapter", adapter.qualifiedName, plugin.id, plugin.version, plugin.file])
            }
        }
        if rows.count == 1 { return ["no plugin types or adapters found"] }
        let widths = (0..<5).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[column] - cell.count)
            }.joined(separator: "  ")
        }
    }

    private static func listJSON(_ generation: PluginGeneration, reports: [PluginLoadReport], directories: [String]) -> ContextValue {
        .map([
            "generation": .integer(Int(generation.number)),
            "directories": .list(directories.map { .string($0) }),
            "plugins": .list(generation.plugins.map(pluginJSON)),
            "reports": .list(reports.map { report in
                var fields: [String: ContextValue] = ["path": .string(report.path), "status": .string(report.status.rawValue),
                                                      "message": .string(report.message)]
                if let id = report.pluginID { fields["plugin"] = .string(id) }
                if report.status == .failed { fields["previous_version_serving"] = .boolean(report.previousVersionServing) }
                return .map(fields)
            }),
        ])
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
        switch PluginLoader.inspect(file: file) {
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
                guard case .map(var fields) = pluginJSON(info) else { return ExitCode.failure }
                fields["ok"] = .boolean(true)
                fields["host_abi"] = .string("\(HostABI.version)")
                fields["host_toolchain"] = .string(SwiftToolchain.identity)
                Console.out(ContextValue.map(fields).jsonText)
            } else {
                for line in inspectLines(info) { Console.out(line) }
            }
            return ExitCode.success
        }
    }

    private static func inspectLines(_ info: PluginInfo) -> [String] {
        var lines = [
            "file:       \(info.file)",
            "plugin:     \(info.id) \(info.version)" + (info.summary.isEmpty ? "" : " - \(info.summary)"),
            "abi:        \(info.abiMajor).\(info.abiMinor) (this host: \(HostABI.version))",
            "toolchain:  " + (info.toolchain.isEmpty ? "none (a C plugin)" : "\(info.toolchain) (this host: \(SwiftToolchain.identity))"),
            "staged as:  \(info.stagedPath)",
        ]
        lines.append(info.nodeTypes.isEmpty ? "node types: none" : "node types:")
        for type in info.nodeTypes {
            var flags: [String] = []
            if type.isThreadSafe { flags.append("thread-safe") }
            if type.isAsynchronous { flags.append("asynchronous") }
            lines.append("  \(type.qualifiedID)" + (flags.isEmpty ? "" : " [\(flags.joined(separator: ", "))]")
                + (type.summary.isEmpty ? "" : ": \(type.summary)"))
            for attribute in type.schema.attributes {
                lines.append("    \(attribute.name): \(attribute.type.rawValue)\(attribute.isRequired ? ", required" : "")"
                    + (attribute.summary.isEmpty ? "" : " - \(attribute.summary)"))
            }
            if !type.schema.allowsUnlisted { lines.append("    (no other attributes accepted)") }
        }
        lines.append(info.adapters.isEmpty ? "adapters:   none" : "adapters:")
        for adapter in info.adapters {
            lines.append("  \(adapter.qualifiedName) [\(adapter.kind.rawValue)]" + (adapter.summary.isEmpty ? "" : ": \(adapter.summary)"))
        }
        return lines
    }

    private static func pluginJSON(_ info: PluginInfo) -> ContextValue {
        .map([
            "file": .string(info.file),
            "staged": .string(info.stagedPath),
            "id": .string(info.id),
            "version": .string(info.version),
            "summary": .string(info.summary),
            "abi": .string("\(info.abiMajor).\(info.abiMinor)"),
            "toolchain": .string(info.toolchain),
            "types": .list(info.nodeTypes.map { type in
                .map([
                    "id": .string(type.qualifiedID),
                    "summary": .string(type.summary),
                    "thread_safe": .boolean(type.isThreadSafe),
                    "asynchronous": .boolean(type.isAsynchronous),
                    "allows_unlisted_attributes": .boolean(type.schema.allowsUnlisted),
                    "attributes": .list(type.schema.attributes.map { attribute in
                        .map(["name": .string(attribute.name), "type": .string(attribute.type.rawValue),
                              "required": .boolean(attribute.isRequired), "summary": .string(attribute.summary)])
                    }),
                ])
            }),
            "adapters": .list(info.adapters.map { adapter in
                .map(["name": .string(adapter.qualifiedName), "kind": .string(adapter.kind.rawValue), "summary": .string(adapter.summary)])
            }),
        ])
    }
}
