import TrellisBench

/// `trellis bench`: the performance benchmarks, as distributions and ratios measured in one run.
struct BenchCommand: TrellisCommand {
    static let name = "bench"
    static let summary = "run the performance benchmarks (use a release build)"

    /// The command's syntax: operands and the option table help and scanner share.
    static let syntax = OptionTable(command: "trellis bench", operands: "[SUITE]...", options: [
        .flag("quick", "fewer iterations (a smoke test of the benchmarks, not a measurement)"),
        .flag("json", "print the results as JSON lines"),
    ])

    static var help: String {
        let names = BenchSuites.all.map { "  \($0.name): \($0.summary)" }.joined(separator: "\n")
        return syntax.help("""
            Runs the benchmarks and prints medians, percentiles and ratios. Build with
            'swift build -c release' first: debug builds are 10-50x slower and their
            figures mean nothing. With no SUITE, every suite runs.

            Suites:
            \(names)
            """)
    }

    static func run(_ arguments: [String]) async -> Int32 {
        let scanner: ArgumentScanner
        var selected: [any BenchSuite.Type] = []
        do {
            scanner = try syntax.scan(arguments)
            for name in scanner.positionals {
                guard let suite = BenchSuites.named(name) else {
                    throw UsageError("no suite '\(name)'; suites: \(BenchSuites.all.map { $0.name }.joined(separator: ", "))")
                }
                selected.append(suite)
            }
        } catch {
            Console.error("trellis bench: \(error)")
            return ExitCode.usage
        }
        if selected.isEmpty { selected = BenchSuites.all }
        #if DEBUG
        Console.error("trellis bench: warning: this is a debug build; build with 'swift build -c release' for real figures")
        #endif
        let json = scanner.flag("json")
        var failed = false
        for suite in selected {
            if !json { Console.out("== \(suite.name): \(suite.summary)") }
            do {
                for result in try await suite.run(BenchOptions(quick: scanner.flag("quick"))) {
                    Console.out(json ? result.jsonLine(suite: suite.name) : result.humanLine)
                }
            } catch {
                Console.error("trellis bench: \(suite.name) failed: \(error)")
                failed = true
            }
        }
        return failed ? ExitCode.failure : ExitCode.success
    }
}
