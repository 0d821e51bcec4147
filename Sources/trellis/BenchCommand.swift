import Foundation

/// `trellis bench`: the performance benchmarks, as distributions and ratios measured in one run.
struct BenchCommand: TrellisCommand {
    static let name = "bench"
    static let summary = "run the performance benchmarks (use a release build)"

    /// Every suite, in the order `bench` runs them. Each suite file adds its line here.
    static let suites: [any BenchSuite.Type] = [
        DOTBench.self,
        EngineBench.self,
        SessionBench.self,
        SwiftPluginBench.self,
        PluginBench.self,
    ]

    static var help: String {
        let names = suites.map { "  \($0.name): \($0.summary)" }.joined(separator: "\n")
        return """
            Usage: trellis bench [SUITE]... [--quick] [--json]

            Runs the benchmarks and prints medians, percentiles and ratios. Build with
            'swift build -c release' first: debug builds are 10-50x slower and their
            figures mean nothing. With no SUITE, every suite runs.

            Suites:
            \(names)

            Options:
              --quick  fewer iterations (a smoke test of the benchmarks, not a measurement)
              --json   print the results as JSON lines
            """
    }

    static func run(_ arguments: [String]) async -> Int32 {
        let scanner: ArgumentScanner
        do {
            scanner = try ArgumentScanner(arguments, options: [
                .init(name: "quick", takesValue: false), .init(name: "json", takesValue: false),
            ])
        } catch {
            Console.error("trellis bench: \(error)")
            return ExitCode.usage
        }
        var selected = suites
        if !scanner.positionals.isEmpty {
            selected = []
            for name in scanner.positionals {
                guard let suite = suites.first(where: { $0.name == name }) else {
                    Console.error("trellis bench: no suite '\(name)'; suites: \(suites.map { $0.name }.joined(separator: ", "))")
                    return ExitCode.usage
                }
                selected.append(suite)
            }
        }
        #if DEBUG
        Console.error("trellis bench: warning: this is a debug build; build with 'swift build -c release' for real figures")
        #endif
        let options = BenchOptions(quick: scanner.flag("quick"))
        var failed = false
        for suite in selected {
            if !scanner.flag("json") { Console.out("== \(suite.name): \(suite.summary)") }
            do {
                for result in try await suite.run(options) {
                    Console.out(scanner.flag("json") ? result.jsonLine(suite: suite.name) : result.humanLine)
                }
            } catch {
                Console.error("trellis bench: \(suite.name) failed: \(error)")
                failed = true
            }
        }
        return failed ? ExitCode.failure : ExitCode.success
    }
}

/// Settings every suite honours.
struct BenchOptions: Sendable {
    /// Fewer iterations: checks the benchmark runs, measures nothing worth reporting.
    var quick: Bool
}

/// A group of related benchmarks (one per concern: dot, engine, plugins, sessions).
protocol BenchSuite: Sendable {
    /// The suite name on the command line.
    static var name: String { get }
    /// One line for help.
    static var summary: String { get }
    /// Runs the suite and returns its figures.
    static func run(_ options: BenchOptions) async throws -> [BenchResult]
}

/// One reported figure, with the target it is held against when there is one.
struct BenchResult: Sendable {
    /// What was measured.
    var name: String
    /// The figure.
    var value: Double
    /// Its unit (`us`, `ms`, `turns/s`, `x`, `bytes`).
    var unit: String
    /// Further figures (p99, min, max, reference, ...), already formatted.
    var detail: String = ""
    /// The target, as text (`<= 1 us`), or empty.
    var target: String = ""
    /// Whether the target is met; `nil` when there is no target.
    var meetsTarget: Bool? = nil

    var humanLine: String {
        var line = "  \(name): \(Self.format(value)) \(unit)"
        if !detail.isEmpty { line += "  (\(detail))" }
        if !target.isEmpty { line += "  target \(target): \(meetsTarget == true ? "met" : "NOT met")" }
        return line
    }

    func jsonLine(suite: String) -> String {
        var fields = ["\"suite\":\"\(suite)\"", "\"name\":\"\(name)\"", "\"value\":\(value)", "\"unit\":\"\(unit)\""]
        if !detail.isEmpty { fields.append("\"detail\":\"\(detail)\"") }
        if let meetsTarget { fields.append("\"target\":\"\(target)\",\"met\":\(meetsTarget)") }
        return "{" + fields.joined(separator: ",") + "}"
    }

    static func format(_ value: Double) -> String {
        if value >= 100 { return String(format: "%.0f", value) }
        if value >= 10 { return String(format: "%.1f", value) }
        return String(format: "%.3f", value)
    }
}

/// Timing helpers shared by the suites.
enum Measure {
    /// Runs `body` `count` times and returns each duration in microseconds.
    static func samples(_ count: Int, _ body: () async throws -> Void) async rethrows -> [Double] {
        var samples: [Double] = []
        samples.reserveCapacity(count)
        let clock = ContinuousClock()
        for _ in 0..<count {
            let start = clock.now
            try await body()
            samples.append(microseconds(clock.now - start))
        }
        return samples
    }

    /// A duration in microseconds.
    static func microseconds(_ duration: Duration) -> Double {
        let parts = duration.components
        return Double(parts.seconds) * 1e6 + Double(parts.attoseconds) / 1e12
    }

    /// The `p`-th percentile (0...100) of `values`, nearest-rank.
    static func percentile(_ values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        let rank = Int((p / 100 * Double(sorted.count - 1)).rounded())
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }

    /// The median of `values`.
    static func median(_ values: [Double]) -> Double { percentile(values, 50) }
}
