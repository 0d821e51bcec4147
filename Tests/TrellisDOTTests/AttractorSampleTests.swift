import Testing
@testable import TrellisDOT

/// The 17 real pipelines of the Attractor corpus must parse without a single diagnostic.
@Suite("Attractor samples")
struct AttractorSampleTests {
    static let sharedCorpus = "/work/shared/corpus/attractor-samples"

    @Test("the fixture copy holds all 17 samples")
    func fixtureCopyIsComplete() {
        #expect(Fixtures.dotFiles(in: "attractor-samples").count == 17)
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

    @Test("every sample in the shared corpus parses, when the shared folder exists")
    func sharedCorpusParses() throws {
        let files = Fixtures.dotFiles(atAbsolutePath: Self.sharedCorpus)
        for path in files {
            let result = try DOTParser.parse(fileAt: path)
            #expect(!result.hasErrors, "\(path): \(result.diagnostics.map { $0.rendered(source: nil) })")
        }
    }
}
