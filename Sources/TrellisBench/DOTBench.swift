import Foundation
import TrellisDOT

/// `trellis bench dot`: parsing (and validating) a generated 10,000-node, 20,000-edge pipeline,
/// beside the time Graphviz's `gc` takes to read the same file.
struct DOTBench: BenchSuite {
    package static let name = "dot"
    package static let summary = "parse + validate a 10,000-node / 20,000-edge pipeline; Graphviz's gc on the same file"

    static let nodeCount = 10_000
    static let edgeCount = 20_000

    package static func run(_ options: BenchOptions) async throws -> [BenchResult] {
        let text = generatePipeline(nodes: nodeCount, edges: edgeCount)
        let bytes = Array(text.utf8)
        let size = String(format: "%.1f MB", Double(bytes.count) / 1_048_576)
        let iterations = options.quick ? 3 : 30

        // Check once that the generated file is what it claims to be before timing it.
        let check = DOTParser.parse(bytes: bytes, file: "bench.dot")
        guard let graph = check.graph, graph.nodes.count == nodeCount, graph.edges.count == edgeCount else {
            throw BenchFailure("the generated pipeline did not parse to \(nodeCount) nodes and \(edgeCount) edges: "
                + (check.diagnostics.first?.message ?? "wrong counts"))
        }

        var results: [BenchResult] = []
        var parseCPU: [Double] = []
        let parseSamples = await Measure.samples(iterations) {
            let cpuStart = threadCPUMilliseconds()
            _ = DOTParser.parse(bytes: bytes, file: "bench.dot")
            parseCPU.append(threadCPUMilliseconds() - cpuStart)
        }
        results.append(result(
            "parse \(nodeCount) nodes / \(edgeCount) edges", parseSamples,
            extra: String(format: "CPU median %.2f ms, ", Measure.median(parseCPU)) + "\(size), \(iterations) runs"))

        let validator = Validator.standard
        var validateCPU: [Double] = []
        let validateSamples = await Measure.samples(iterations) {
            let cpuStart = threadCPUMilliseconds()
            let parsed = DOTParser.parse(bytes: bytes, file: "bench.dot")
            if let graph = parsed.graph { _ = validator.validate(graph, in: ValidationContext()) }
            validateCPU.append(threadCPUMilliseconds() - cpuStart)
        }
        let parseAndValidate = Measure.median(validateSamples) / 1_000
        var combined = result(
            "parse + validate (standard rules)", validateSamples,
            extra: String(format: "CPU median %.2f ms, ", Measure.median(validateCPU)) + "\(iterations) runs")
        combined.target = "< 50 ms"
        combined.meetsTarget = parseAndValidate < 50
        results.append(combined)

        results.append(try graphvizReference(text: text, runs: options.quick ? 2 : 5, trellisMedian: parseAndValidate))
        return results
    }

    /// CPU time of the calling thread: on a loaded machine it says what the work costs even
    /// when wall-clock time mostly measures waiting for a core.
    private static func threadCPUMilliseconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) * 1_000 + Double(time.tv_nsec) / 1_000_000
    }

    private static func result(_ name: String, _ samples: [Double], extra: String) -> BenchResult {
        let milliseconds = samples.map { $0 / 1_000 }
        let detail = String(
            format: "p90 %.2f ms, min %.2f ms, ", Measure.percentile(milliseconds, 90), milliseconds.min() ?? .nan) + extra
        return BenchResult(name: name, value: Measure.median(milliseconds), unit: "ms", detail: detail)
    }

    /// Times `gc` (Graphviz's graph counter, which reads and parses the whole file) on the same
    /// text written to a temporary file; process start-up is included, so it is an upper bound.
    private static func graphvizReference(text: String, runs: Int, trellisMedian: Double) throws -> BenchResult {
        let gc = ["/usr/bin/gc", "/usr/local/bin/gc"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let gc else {
            return BenchResult(
                name: "graphviz gc reading the same file", value: .nan, unit: "ms",
                detail: "gc is not installed (Debian package graphviz; run scripts/install-deps)")
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("trellis-bench-\(UUID().uuidString).dot")
        try Data(text.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        var samples: [Double] = []
        let clock = ContinuousClock()
        for _ in 0..<runs {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: gc)
            process.arguments = ["-n", "-e", file.path]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            let start = clock.now
            try process.run()
            process.waitUntilExit()
            samples.append(Measure.microseconds(clock.now - start) / 1_000)
            guard process.terminationStatus == 0 else {
                throw BenchFailure("gc exited with status \(process.terminationStatus) on the generated file")
            }
        }
        let median = Measure.median(samples)
        return BenchResult(
            name: "graphviz gc reading the same file", value: median, unit: "ms",
            detail: String(format: "process start-up included, %d runs; Trellis parse+validate is %.1fx faster", runs, median / trellisMedian))
    }

    /// A pipeline in the Attractor dialect: `start`, `exit`, and box stages with prompts, chained
    /// so every stage is reachable, plus extra conditional and labelled edges up to `edges`.
    static func generatePipeline(nodes: Int, edges: Int) -> String {
        let stages = nodes - 2
        var out = "digraph Bench {\n"
        out += "  graph [goal=\"Benchmark the DOT front end\", default_max_retry=2]\n"
        out += "  node [shape=box]\n"
        out += "  start [shape=Mdiamond, label=\"Start\"]\n"
        out += "  exit [shape=Msquare, label=\"Exit\"]\n"
        for index in 0..<stages {
            out += "  stage\(index) [label=\"Stage \(index)\", prompt=\"Work on part \(index) of the goal. "
                + "Read the notes of the previous stage and write yours to notes/\(index).md.\"]\n"
        }
        var written = 0
        out += "  start -> stage0\n"
        written += 1
        for index in 0..<(stages - 1) {
            out += "  stage\(index) -> stage\(index + 1)\n"
            written += 1
        }
        out += "  stage\(stages - 1) -> exit [label=\"done\"]\n"
        written += 1
        var index = 0
        while written < edges {
            let target = (index * 7 + 3) % stages
            if index % 2 == 0 {
                out += "  stage\(index % stages) -> stage\(target) [condition=\"outcome=fail\", label=\"retry\"]\n"
            } else {
                out += "  stage\(index % stages) -> stage\(target) [label=\"alternative \(index)\", weight=\(index % 5)]\n"
            }
            written += 1
            index += 1
        }
        return out + "}\n"
    }
}
