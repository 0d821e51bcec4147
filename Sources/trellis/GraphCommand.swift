import Foundation
import TrellisDOT

/// `trellis graph FILE (--json | --dot)`: prints the parsed graph as JSON or as canonical DOT.
struct GraphCommand: TrellisCommand {
    static let name = "graph"
    static let summary = "print a DOT file's parsed graph as JSON or canonical DOT"

    /// The command's syntax: operands and the option table help and scanner share.
    static let syntax = OptionTable(command: "trellis graph", options: [
        .flag("json", """
            the graph as JSON: {"name", "strict", "directed", "attributes",
            "nodes": [{"id", "attributes"}], "edges": [{"from", "to", "attributes"}],
            "subgraphs": [{"id", "nodes"}]}; edges with ports also carry
            "from_port" / "to_port". Values are the strings as written (quotes
            removed, \\" and line continuations resolved), as 'dot -Tjson' gives them.
            """),
        .flag("dot", """
            canonical DOT that parses back to the same graph: every node once with
            all its attributes, then every edge, then subgraphs with their members.
            """),
    ], synopsis: "FILE (--json | --dot)")

    static let help = syntax.help("""
        Parses FILE (Graphviz DOT plus the pipeline dialect) and prints the graph with
        Graphviz's default and merge rules applied.
        """, epilogue: """
        Use '-' as FILE to read standard input.

        Exit status: 0 when the file parses, 1 when it has syntax errors (printed to
        standard error), 2 for wrong usage or a file that cannot be read.
        """)

    static func run(_ arguments: [String]) async -> Int32 {
        let scanner: ArgumentScanner
        do {
            scanner = try syntax.scan(arguments)
            guard scanner.positionals.count == 1 else {
                throw UsageError(scanner.positionals.isEmpty ? "missing FILE" : "expected one FILE, got \(scanner.positionals.count)")
            }
            guard scanner.flag("json") != scanner.flag("dot") else { throw UsageError("give exactly one of --json and --dot") }
        } catch {
            Console.error("trellis graph: \(error); usage: \(syntax.usageLine)")
            return ExitCode.usage
        }
        let path = scanner.positionals[0]
        let result: ParseResult
        var source: String?
        if path == "-" {
            let bytes = Array(FileHandle.standardInput.readDataToEndOfFile())
            result = DOTParser.parse(bytes: bytes, file: "<stdin>")
            source = String(decoding: bytes, as: UTF8.self)
        } else {
            do {
                result = try DOTParser.parse(fileAt: path)
            } catch {
                Console.error("trellis graph: \(error)")
                return ExitCode.usage
            }
            if !result.diagnostics.isEmpty { source = try? String(contentsOfFile: path, encoding: .utf8) }
        }
        let lines = source.map(SourceLineIndex.init)
        for diagnostic in result.diagnostics {
            Console.error(diagnostic.rendered(lines: lines))
        }
        guard let graph = result.graph else { return ExitCode.failure }
        if scanner.flag("json") {
            Console.out(GraphJSONEncoder.encode(graph))
        } else {
            // The writer ends its text with a newline, and `Console.out` adds one.
            Console.out(String(DOTWriter.write(graph).dropLast()))
        }
        return ExitCode.success
    }
}
