import Foundation
import TrellisDOT
import TrellisHosting

/// `trellis graph FILE (--json | --dot | --svg | --png)`: prints the parsed graph as JSON or
/// canonical DOT, or draws it (and, with `--run`, one run of it) with Graphviz's `dot`.
struct GraphCommand: TrellisCommand {
    static let name = "graph"
    static let summary = "print a DOT file's graph as JSON or canonical DOT, or draw it (and a run) as SVG or PNG"

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
        .flag("svg", """
            a picture as SVG, drawn by Graphviz's dot (Debian package graphviz):
            node shapes as the pipeline specification maps types, labels, and
            edge labels with their conditions; each node's SVG id is its node id
            """),
        .flag("png", "the same picture as PNG"),
        .value("run", "RUN_DIR", """
            with --svg or --png, draw the run in RUN_DIR over the graph: the path
            taken, each node filled by its outcome with its duration, visits and
            attempts, nodes that never ran dashed, and where a stopped run stopped
            """),
        .value("output", "OUT", "with --svg or --png, write the picture to OUT instead of standard output"),
    ], synopsis: "FILE (--json | --dot | --svg | --png) [--run RUN_DIR] [--output OUT]")

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
            let formats = ["json", "dot", "svg", "png"].filter { scanner.flag($0) }
            guard formats.count == 1 else { throw UsageError("give exactly one of --json, --dot, --svg and --png") }
            if scanner.value("run") != nil || scanner.value("output") != nil, scanner.flag("json") || scanner.flag("dot") {
                throw UsageError("--run and --output go with --svg or --png")
            }
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
        if scanner.flag("svg") || scanner.flag("png") {
            return await draw(graph, format: scanner.flag("svg") ? .svg : .png, run: scanner.value("run"), output: scanner.value("output"))
        }
        if scanner.flag("json") {
            Console.out(GraphJSONEncoder.encode(graph))
        } else {
            // The writer ends its text with a newline, and `Console.out` adds one.
            Console.out(String(DOTWriter.write(graph).dropLast()))
        }
        return ExitCode.success
    }

    /// Draws `graph` (and the run in `runDirectory`) and writes the picture to `output` or standard output.
    private static func draw(_ graph: Graph, format: GraphPicture.Format, run runDirectory: String?, output: String?) async -> Int32 {
        var picture = GraphPicture(graph: graph)
        if let runDirectory {
            do {
                let record = try RunRecord(directory: runDirectory)
                if let name = graph.name, record.graphName != name {
                    Console.error("trellis graph: --run \(runDirectory) is a run of '\(record.graphName)', not of '\(name)'")
                    return ExitCode.usage
                }
                picture.run = record
            } catch {
                Console.error("trellis graph: --run: \(error)")
                return ExitCode.usage
            }
        }
        let bytes: [UInt8]
        do {
            bytes = try await picture.render(format)
        } catch {
            Console.error("trellis graph: \(error)")
            return ExitCode.failure
        }
        if let output {
            guard FileManager.default.createFile(atPath: output, contents: Data(bytes)) else {
                Console.error("trellis graph: --output \(output): cannot write the file")
                return ExitCode.usage
            }
        } else {
            FileHandle.standardOutput.write(Data(bytes))
        }
        return ExitCode.success
    }
}
