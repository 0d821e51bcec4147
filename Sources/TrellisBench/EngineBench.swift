import Foundation
import TrellisDOT
import TrellisEngine

/// `trellis bench engine`: the engine's own cost per node, on a 100-node linear graph whose
/// handlers do nothing, with no run directory and no event sink (the session-turn setting).
struct EngineBench: BenchSuite {
    package static let name = "engine"
    package static let summary = "engine overhead per node on a 100-node linear graph of no-op handlers"

    /// A handler that does nothing, so a run measures only the engine.
    struct NoOpHandler: NodeHandler {
        nonisolated(nonsending) func execute(_ request: HandlerRequest) async throws -> Outcome { Outcome(status: .success) }
    }

    /// Start, 98 no-op stages, exit: 100 nodes, 99 edges.
    static func linearGraph(nodes count: Int) throws -> CompiledGraph {
        var nodes = [GraphNode(id: "start", attributes: Attributes([("shape", AttributeValue("Mdiamond"))]))]
        var edges: [GraphEdge] = []
        var previous = "start"
        for number in 1...(count - 2) {
            let id = "n\(number)"
            nodes.append(GraphNode(id: id, attributes: Attributes([("type", AttributeValue("bench.noop"))])))
            edges.append(GraphEdge(from: previous, to: id))
            previous = id
        }
        nodes.append(GraphNode(id: "exit", attributes: Attributes([("shape", AttributeValue("Msquare"))])))
        edges.append(GraphEdge(from: previous, to: "exit"))
        let registry = HandlerRegistry(handlers: BuiltinHandlers.all + [RegisteredHandler(typeID: "bench.noop", handler: NoOpHandler())])
        return try GraphCompiler.compile(Graph(name: "bench", nodes: nodes, edges: edges), registry: registry)
    }

    package static func run(_ options: BenchOptions) async throws -> [BenchResult] {
        let nodeCount = 100
        let graph = try linearGraph(nodes: nodeCount)
        let engine = Engine()
        let runs = options.quick ? 200 : 5_000
        var failure: String?
        for _ in 0..<(runs / 10) {
            let result = await engine.run(graph)
            if result.status != .success { failure = result.failureReason }
        }
        if let failure { throw BenchFailure("the bench graph did not run: \(failure)") }
        let samples = await Measure.samples(runs) { _ = await engine.run(graph) }
        let perNode = samples.map { $0 * 1_000 / Double(nodeCount) }
        let median = Measure.median(perNode)
        return [
            BenchResult(
                name: "overhead per node (median of \(runs) runs of \(nodeCount) nodes)", value: median, unit: "ns",
                detail: String(format: "p10 %.0f ns, p90 %.0f ns, p99 %.0f ns; whole run median %.1f us",
                               Measure.percentile(perNode, 10), Measure.percentile(perNode, 90), Measure.percentile(perNode, 99),
                               Measure.median(samples)),
                target: "<= 1 us", meetsTarget: median <= 1_000),
        ]
    }
}
