import Foundation
import TrellisDOT
import TrellisEngine

/// `trellis bench pipeline`: what a pipeline step costs with everything a real run writes
/// (`manifest.json`, each node's `prompt.md`, `response.md` and `status.json`, and
/// `checkpoint.json` after every node), on a chain of LLM stages answered by the built-in
/// simulation: in process per durability mode, and as a whole `trellis run --simulate`
/// process (start-up, parsing, validation and the run).
struct PipelineBench: BenchSuite {
    package static let name = "pipeline"
    package static let summary = "per-step cost of a checkpointed pipeline run (1,000 simulated LLM stages), in process and as a whole trellis run"

    /// Start, `count - 2` LLM stages with prompts, exit, in a chain.
    static func chainText(nodes count: Int) -> String {
        var out = "digraph Chain {\n  goal=\"measure a step\"\n  start [shape=Mdiamond]\n  exit [shape=Msquare]\n"
        for number in 1...(count - 2) { out += "  s\(number) [shape=box, prompt=\"Step \(number) of $goal\"]\n" }
        out += "  start -> s1\n"
        for number in 1..<(count - 2) { out += "  s\(number) -> s\(number + 1)\n" }
        out += "  s\(count - 2) -> exit\n}\n"
        return out
    }

    /// User plus system CPU seconds of `who` (`RUSAGE_SELF`, or `RUSAGE_CHILDREN` for waited-for children) so far.
    static func cpuSeconds(_ who: Int32) -> Double {
        var usage = rusage()
        getrusage(who, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    package static func run(_ options: BenchOptions) async throws -> [BenchResult] {
        let nodes = 1_000
        let text = chainText(nodes: nodes)
        let parsed = DOTParser.parse(bytes: Array(text.utf8), file: "chain.dot")
        guard let parsedGraph = parsed.graph else { throw BenchFailure("the bench chain does not parse: \(parsed.diagnostics)") }
        let graph = try GraphCompiler.compile(parsedGraph, registry: HandlerRegistry(handlers: BuiltinHandlers.all))
        let root = NSTemporaryDirectory() + "trellis-pipeline-bench-\(getpid())"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }

        var results: [BenchResult] = []
        let runs = options.quick ? 1 : 5
        for durability in RunDurability.allCases {
            var samples: [Double] = []
            var cpuSamples: [Double] = []
            for attempt in 0..<runs {
                let directory = root + "/\(durability.rawValue)-\(attempt)"
                let services = RunServices(runDirectory: directory, workingDirectory: root, simulate: true)
                let clock = ContinuousClock()
                let began = clock.now
                let cpuBefore = Self.cpuSeconds(RUSAGE_SELF.rawValue)
                let result = await Engine().run(graph, services: services, options: RunOptions(durability: durability))
                samples.append(Measure.microseconds(clock.now - began) / Double(nodes))
                cpuSamples.append((Self.cpuSeconds(RUSAGE_SELF.rawValue) - cpuBefore) * 1e6 / Double(nodes))
                guard result.status == .success, result.completedNodes.count == nodes else {
                    throw BenchFailure("the bench chain did not run (\(durability.rawValue)): \(result.failureReason ?? "?")")
                }
            }
            let median = Measure.median(samples)
            let cpu = Measure.median(cpuSamples)
            // The target holds for the default mode; `sync` pays the disk's fsync latency twice a step.
            let targeted = durability != .sync
            results.append(BenchResult(
                name: "step with files and checkpoint, in process (\(durability.rawValue))", value: median, unit: "us",
                detail: String(format: "wall, median of %d runs of %d nodes; min %.0f us, max %.0f us; CPU (user+system) %.0f us per step",
                               runs, nodes, samples.min() ?? 0, samples.max() ?? 0, cpu),
                target: targeted ? "<= 1000 us" : "", meetsTarget: targeted ? median <= 1_000 : nil))
        }

        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        guard (executable as NSString).lastPathComponent.hasPrefix("trellis"), !executable.contains(".xctest") else {
            results.append(BenchResult(name: "whole trellis run --simulate of \(nodes) nodes", value: .nan, unit: "ms",
                                       detail: "not measured: the bench runs in \(executable), not the trellis executable"))
            return results
        }
        let file = root + "/chain.dot"
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        var samples: [Double] = []
        let childrenBefore = Self.cpuSeconds(RUSAGE_CHILDREN.rawValue)
        for attempt in 0..<runs {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = ["run", file, "--simulate", "--logs", root + "/process-\(attempt)", "--json"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            let clock = ContinuousClock()
            let began = clock.now
            try process.run()
            process.waitUntilExit()
            samples.append(Measure.microseconds(clock.now - began) / 1_000)
            guard process.terminationStatus == 0 else {
                throw BenchFailure("trellis run of the bench chain exited with status \(process.terminationStatus)")
            }
        }
        let median = Measure.median(samples)
        let childCPU = (Self.cpuSeconds(RUSAGE_CHILDREN.rawValue) - childrenBefore) * 1_000 / Double(runs)
        results.append(BenchResult(
            name: "whole trellis run --simulate of \(nodes) nodes (batched)", value: median, unit: "ms",
            detail: String(format: "wall, median of %d processes; %.2f ms per step including start-up; CPU (user+system) %.0f ms per process",
                           runs, median / Double(nodes), childCPU),
            target: "<= 1500 ms", meetsTarget: median <= 1_500))
        return results
    }
}
