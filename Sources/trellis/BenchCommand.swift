import TrellisBench

/// `trellis bench`: the performance benchmarks, as distributions and ratios measured in one run.
struct BenchCommand: TrellisCommand {
    static let name = "bench"
    static let summary = "run the performance benchmarks (use a release build)"

    /// Every suite, in the order `bench` runs them.
    static var suites: [any BenchSuite.Type] { BenchSuites.all }

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
