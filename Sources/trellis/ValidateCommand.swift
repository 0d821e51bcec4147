import Foundation
import TrellisDOT
import TrellisEngine
import TrellisHosting
import TrellisPluginHost

/// `trellis validate FILE...`: parses each pipeline and makes the checks `trellis run` makes
/// before running (`GraphCompiler.validate`) against the node types the host knows. Exit 0 when no file has an error (warnings allowed), 1 when
/// any has, 2 for usage errors or files that cannot be read.
struct ValidateCommand: TrellisCommand {
    static let name = "validate"
    static let summary = "check pipeline graphs against the specification's rules and the known node types"

    /// The command's syntax: operands and the option table help and scanner share.
    static let syntax = OptionTable(command: "trellis validate", operands: "FILE...", options: [
        .flag("json", """
            print [{"file", "diagnostics": [{"rule", "severity", "message",
            "line", "column", "node", "edge": [from, to], "fix"}]}] (null when absent)
            """),
        .value("plugin-dir", "DIR", repeatable: true, """
            also accept the node types of the plugins in DIR (repeatable;
            $TRELLIS_PLUGIN_PATH adds more); a plugin that cannot be loaded
            is reported and makes the exit status 2
            """),
        .flag("no-type-check", """
            skip the node type checks (type_known, attribute_schema), e.g. for
            graphs meant for a host with other plugins
            """),
    ])

    static let help = syntax.help("""
        Parses each DOT file ('-' reads standard input) and makes exactly the checks
        'trellis run' makes before running anything, so a file that passes here is not
        refused there: one start and one exit node, start without incoming and exit
        without outgoing edges, every node reachable, edge targets, condition and
        stylesheet syntax, outcome values in conditions, retry targets, goal gates, prompts
        on LLM stages, fidelity modes, typed attribute values, known node types with their
        attributes (an unknown type is a warning: the node runs on its shape's handler),
        where each parallel block's branches join, join_policy values, manager loops'
        child pipelines, and timeouts.

        Output groups findings per file as 'file:line:column: severity: message [rule]',
        followed by a summary line per file.

        Exit status: 0 when no file has an error (warnings allowed), 1 when any file has an
        error, 2 for wrong usage or a file that cannot be read.
        """)

    static func run(_ arguments: [String]) async -> Int32 {
        let scanner: ArgumentScanner
        do {
            scanner = try syntax.scan(arguments)
            guard !scanner.positionals.isEmpty else { throw UsageError("no FILE given; usage: \(syntax.usageLine)") }
        } catch {
            Console.error("trellis validate: \(error)")
            return ExitCode.usage
        }
        let context: ValidationContext
        if scanner.flag("no-type-check") {
            context = ValidationContext(knownTypes: nil)
        } else {
            guard let (types, ambiguous) = knownTypes(pluginDirectories: scanner.values("plugin-dir")) else { return ExitCode.usage }
            context = ValidationContext(knownTypes: types, ambiguousTypes: ambiguous)
        }

        let reports = scanner.positionals.map { validate(path: $0, in: context) }
        if scanner.flag("json") {
            Console.out(ValidationReportFormatter.json(reports))
        } else {
            for report in reports { Console.out(ValidationReportFormatter.human(report)) }
        }
        if reports.contains(where: { $0.unreadable != nil }) { return ExitCode.usage }
        if reports.contains(where: { $0.hasErrors }) { return ExitCode.failure }
        return ExitCode.success
    }

    /// The node types to validate against: the built-in types plus those of the plugins in
    /// `pluginDirectories` (and `$TRELLIS_PLUGIN_PATH`). Returns `nil`, after saying why, when a
    /// plugin directory or file cannot be loaded: checking against an incomplete set of types
    /// would report the missing plugin's types as unknown instead of the real problem.
    private static func knownTypes(pluginDirectories: [String]) -> ([String: AttributeSchema], [String: [String]])? {
        guard let host = PluginSetup.loadHost(pluginDirectories: pluginDirectories, report: { Console.error("trellis validate: \($0)") }) else {
            return nil
        }
        let registry = host.current.registry
        var types: [String: AttributeSchema] = [:]
        for registration in registry.all { types[registration.typeID] = registration.schema }
        return (types, registry.ambiguousNames)
    }

    private static func validate(path: String, in context: ValidationContext) -> FileReport {
        let result: ParseResult
        let source: String?
        if path == "-" {
            let bytes = FileHandle.standardInput.readDataToEndOfFile()
            result = DOTParser.parse(bytes: Array(bytes), file: "<stdin>")
            source = String(decoding: bytes, as: UTF8.self)
        } else {
            do {
                result = try DOTParser.parse(fileAt: path)
            } catch {
                Console.error("trellis validate: \(error)")
                return FileReport(file: path, source: nil, diagnostics: [], unreadable: error.description)
            }
            source = try? String(contentsOfFile: path, encoding: .utf8)
        }
        var diagnostics = result.diagnostics
        if let graph = result.graph {
            // The same checks `trellis run` makes before running (GraphCompiler.compile calls this too).
            diagnostics += GraphCompiler.validate(graph, knownTypes: context.knownTypes, ambiguousTypes: context.ambiguousTypes, sourcePath: path == "-" ? nil : path)
        }
        return FileReport(file: path == "-" ? "<stdin>" : path, source: source, diagnostics: diagnostics, unreadable: nil)
    }
}
