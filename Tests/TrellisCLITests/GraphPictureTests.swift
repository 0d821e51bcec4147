import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import TrellisTestSupport

/// `trellis graph --svg` through the real Graphviz `dot`: the SVG parses as XML and has an
/// element for every node; with `--run`, nodes carry their outcome and the path is marked.
@Suite(.timeLimit(.minutes(2))) struct GraphPictureTests {
    static let pipeline = """
        digraph Picture {
            goal="draw it"
            start [shape=Mdiamond]
            plan [label="Plan the work", prompt="plan"]
            check [shape=diamond]
            build [shape=parallelogram, tool_command="true"]
            ask [type="wait.human", label="Ask someone"]
            exit [shape=Msquare]
            start -> plan -> check
            check -> build [label="go", condition="outcome=success"]
            check -> ask [condition="outcome!=success"]
            build -> exit
            ask -> exit
        }
        """
    static let nodeIDs = ["start", "plan", "check", "build", "ask", "exit"]

    /// The `id` and `class` attributes of every `<g>` element in the SVG at `path`.
    static func groups(inSVGAt path: String) throws -> [String: String] {
        let document = try XMLDocument(contentsOf: URL(fileURLWithPath: path), options: [])
        var found: [String: String] = [:]
        func visit(_ element: XMLElement) {
            // `attributes`, not `attribute(forName:)`: the latter misses attributes under a default namespace here.
            let attributes = element.attributes ?? []
            if element.localName == "g", let id = attributes.first(where: { $0.name == "id" })?.stringValue {
                found[id] = attributes.first { $0.name == "class" }?.stringValue ?? ""
            }
            for case let child as XMLElement in element.children ?? [] { visit(child) }
        }
        if let root = document.rootElement() { visit(root) }
        #expect(document.rootElement()?.localName == "svg")
        return found
    }

    @Test func svgOfTheGraphHasEveryNodeAndTheRunVariantMarksOutcomes() async throws {
        let trellis = try BuiltProducts.trellis()
        let directory = try TemporaryDirectory.make("picture")
        let file = directory + "/picture.dot"
        try Self.pipeline.write(toFile: file, atomically: true, encoding: .utf8)

        let plain = try await ChildProcess.runOffThePool(trellis, ["graph", file, "--svg", "--output", directory + "/graph.svg"], in: directory)
        #expect(plain.status == 0, "\(plain.errors)")
        let groups = try Self.groups(inSVGAt: directory + "/graph.svg")
        for id in Self.nodeIDs { #expect(groups[id] != nil, "no SVG element for node \(id)") }
        let svg = try String(contentsOfFile: directory + "/graph.svg", encoding: .utf8)
        #expect(svg.contains("[outcome=success]"), "the edge condition is not drawn")
        #expect(svg.contains("Plan the work"))

        let run = try await ChildProcess.runOffThePool(trellis, ["run", file, "--simulate", "--logs", directory + "/run"], in: directory)
        #expect(run.status == 0, "\(run.errors)")
        let printed = try #require(run.output.split(separator: "\n").first { $0.hasPrefix("picture of this run: ") })
        #expect(printed.hasSuffix("--svg --run \(directory)/run --output \(directory)/run/run.svg"))

        let drawn = try await ChildProcess.runOffThePool(trellis, ["graph", file, "--svg", "--run", directory + "/run", "--output", directory + "/run.svg"], in: directory)
        #expect(drawn.status == 0, "\(drawn.errors)")
        let runGroups = try Self.groups(inSVGAt: directory + "/run.svg")
        for id in ["start", "plan", "check", "build", "exit"] {
            #expect(runGroups[id]?.contains("outcome-success") == true, "node \(id): \(runGroups[id] ?? "missing")")
        }
        #expect(runGroups["ask"]?.contains("not-run") == true)
        #expect(runGroups.values.filter { $0.contains("taken") }.count == 4, "the four edges taken are not marked")
        let runSVG = try String(contentsOfFile: directory + "/run.svg", encoding: .utf8)
        #expect(runSVG.contains("1 attempt"))

        let png = try await ChildProcess.runOffThePool(trellis, ["graph", file, "--png", "--output", directory + "/graph.png"], in: directory)
        #expect(png.status == 0, "\(png.errors)")
        let header = try #require(FileManager.default.contents(atPath: directory + "/graph.png")).prefix(8)
        #expect(Array(header) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    }

    @Test func missingDotIsAnErrorNamingThePackage() async throws {
        let trellis = try BuiltProducts.trellis()
        let directory = try TemporaryDirectory.make("picture-nodot")
        let file = directory + "/picture.dot"
        try Self.pipeline.write(toFile: file, atomically: true, encoding: .utf8)
        let result = try await ChildProcess.runOffThePool(trellis, ["graph", file, "--svg"], in: directory, environment: ["PATH": directory])
        #expect(result.status == 1)
        #expect(result.errors.contains("graphviz"), "\(result.errors)")
        #expect(result.output.isEmpty)
    }
}
