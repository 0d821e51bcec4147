import Foundation
import Testing
import TrellisDOT
@testable import TrellisEngine

/// The public pipelines (the repository's copy of `shared/corpus/attractor-samples`), read with the real parser.
enum LeafCorpus {
    /// The corpus directory: the repository's copy of the samples.
    static var directory: String { EngineCorpusTests.samplesDirectory }

    /// Every corpus graph with its file name.
    static func graphs() throws -> [(file: String, graph: Graph)] {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".dot") }.sorted()
        return try files.map { file in
            let result = try DOTParser.parse(fileAt: directory + "/" + file)
            guard let graph = result.graph else {
                throw LeafTestSupport.SupportError(message: "\(file) does not parse: \(result.diagnostics.map(\.message))")
            }
            return (file, graph)
        }
    }
}

@Suite("ToolHandler on the public pipelines", .timeLimit(.minutes(1)))
struct ToolHandlerCorpusTests {
    @Test("every tool_command in the corpus is a shell script /bin/sh can parse once its escapes are resolved")
    func corpusScriptsParse() async throws {
        var checked = 0
        for (file, graph) in try LeafCorpus.graphs() {
            for node in graph.nodes {
                guard let script = node.attributes["tool_command"]?.text else { continue }
                // `sh -n` reads the script without running any of it.
                let result = try await ProcessRunner().run(ProcessRunner.Invocation(
                    executable: ToolHandler.shell,
                    arguments: ["-n", "-c", script],
                    environment: ["PATH": "/usr/bin:/bin"],
                    workingDirectory: NSTemporaryDirectory()
                ))
                #expect(result.termination == .exited(0), "\(file) \(node.id): \(result.standardError.text)")
                checked += 1
            }
        }
        #expect(checked >= 30, "the corpus holds 33 tool scripts")
    }
}
