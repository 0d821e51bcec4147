import Testing
@testable import TrellisDOT
import TrellisTestSupport

/// The 21 real pipelines of the Attractor corpus (origins in SOURCES.md) must parse without a single diagnostic.
@Suite("Attractor samples")
struct AttractorSampleTests {
    @Test("the fixture copy holds all 21 samples")
    func fixtureCopyIsComplete() {
        #expect(Fixtures.dotFiles(in: "attractor-samples").count == 21)
    }

    @Test("every sample in the fixture copy parses without diagnostics", arguments: Fixtures.dotFiles(in: "attractor-samples"))
    func fixtureSampleParses(path: String) throws {
        let result = try DOTParser.parse(fileAt: path)
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics.map { $0.rendered(source: nil) })")
        let graph = try #require(result.graph)
        #expect(graph.isDirected)
        #expect(!graph.nodes.isEmpty)
        #expect(!graph.edges.isEmpty)
        // Every edge endpoint is a node of the graph (edge statements create their nodes).
        for edge in graph.edges {
            #expect(graph.node(edge.from) != nil && graph.node(edge.to) != nil)
        }
    }

    // The parameterised test above passes vacuously on an empty folder; this one may not.
    @Test("the repository's samples exist and all parse without errors")
    func repositorySamplesParse() throws {
        let files = Repository.dotFiles(in: Repository.attractorSamples)
        try #require(!files.isEmpty, "no .dot files in \(Repository.attractorSamples)")
        for path in files {
            let result = try DOTParser.parse(fileAt: path)
            #expect(!result.hasErrors, "\(path): \(result.diagnostics.map { $0.rendered(source: nil) })")
        }
    }
}
