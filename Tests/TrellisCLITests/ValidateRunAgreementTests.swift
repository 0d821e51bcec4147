import Foundation
import Testing
import TrellisTestSupport

/// `trellis validate` and `trellis run` agree: every pipeline `run` refuses before running
/// anything is a `validate` error first, and every pipeline `validate` passes, `run --simulate`
/// starts. Walks the repository's corpus of public pipelines and probes of each compile-time
/// refusal through both commands as real processes: no crash, no hang (each process has a limit).
@Suite("validate and run agree", .timeLimit(.minutes(5)))
struct ValidateRunAgreementTests {
    /// Pipelines written here, one per thing `run` refuses before running (and some it accepts).
    static let probes: [(name: String, text: String, refused: Bool)] = [
        ("fan_in_missing_meet_at_node.dot", """
            digraph P { start [shape=Mdiamond]; fan [shape=component]; a; b; m; exit [shape=Msquare]
              start -> fan; fan -> a -> m; fan -> b -> m; m -> exit }
            """, false),
        ("branches_never_meet.dot", """
            digraph P { start [shape=Mdiamond]; fan [shape=component]; a; b; exit [shape=Msquare]
              start -> fan; fan -> a -> exit; fan -> b }
            """, true),
        ("join_policy_k_of_n.dot", """
            digraph P { start [shape=Mdiamond]; fan [shape=component, join_policy=k_of_n]; a; j [shape=tripleoctagon]; exit [shape=Msquare]
              start -> fan -> a -> j -> exit }
            """, true),
        ("join_policy_quorum.dot", """
            digraph P { start [shape=Mdiamond]; fan [shape=component, join_policy="quorum"]; a; j [shape=tripleoctagon]; exit [shape=Msquare]
              start -> fan -> a -> j -> exit }
            """, true),
        ("house_without_child.dot", """
            digraph P { start [shape=Mdiamond]; m [shape=house]; exit [shape=Msquare]; start -> m -> exit }
            """, true),
        ("house_missing_child.dot", """
            digraph P { start [shape=Mdiamond]; m [shape=house, stack.child_dotfile="absent.dot"]; exit [shape=Msquare]; start -> m -> exit }
            """, true),
        ("house_with_child.dot", """
            digraph P { start [shape=Mdiamond]; m [shape=house, stack.child_dotfile="fan_in_missing_meet_at_node.dot", manager.poll_interval=10ms]
              exit [shape=Msquare]; start -> m -> exit }
            """, false),
        ("house_broken_child.dot", """
            digraph P { start [shape=Mdiamond]; m [shape=house, stack.child_dotfile="second_exit.dot"]; exit [shape=Msquare]; start -> m -> exit }
            """, true),
        ("house_own_child.dot", """
            digraph P { start [shape=Mdiamond]; m [shape=house, stack.child_dotfile="house_own_child.dot"]; exit [shape=Msquare]; start -> m -> exit }
            """, true),
        ("fan_in_prompt.dot", """
            digraph P { start [shape=Mdiamond]; fan [shape=component]; a; b; j [shape=tripleoctagon, prompt="rank them"]; exit [shape=Msquare]
              start -> fan; fan -> a -> j; fan -> b -> j; j -> exit }
            """, false),
        ("bad_timeout.dot", """
            digraph P { start [shape=Mdiamond]; a [timeout="soon"]; exit [shape=Msquare]; start -> a -> exit }
            """, true),
        ("second_exit.dot", """
            digraph P { start [shape=Mdiamond]; a; exit [shape=Msquare]; done [shape=Msquare]; start -> a -> exit; a -> done }
            """, true),
        ("unknown_type.dot", """
            digraph P { start [shape=Mdiamond]; a [type="custom.thing", prompt="x"]; exit [shape=Msquare]; start -> a -> exit }
            """, false),
        ("bare_values.dot", """
            digraph P { start [shape=Mdiamond]; a [llm_model=gpt-5.4, prompt="x"]; exit [shape=Msquare]; start -> a -> exit }
            """, false),
        ("malformed_number.dot", """
            digraph P { start [shape=Mdiamond]; a [weight=-1.5e]; exit [shape=Msquare]; start -> a -> exit }
            """, true),
        ("empty_statement.dot", """
            digraph P { start [shape=Mdiamond];; exit [shape=Msquare]; start -> exit }
            """, true),
    ]

    /// The environment of each process: no provider keys, configuration and data in the test's folder.
    static func environment(home: String) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasSuffix("_API_KEY") }
        environment["XDG_DATA_HOME"] = home + "/data"
        environment["XDG_CONFIG_HOME"] = home + "/config"
        return environment
    }

    @Test("every corpus pipeline and every probe: validate's verdict is run's")
    func corpusAgrees() async throws {
        let trellis = try BuiltProducts.trellis()
        let directory = try TemporaryDirectory.make("agreement")
        for probe in Self.probes {
            try probe.text.write(toFile: directory + "/" + probe.name, atomically: true, encoding: .utf8)
        }
        let samples = try FileManager.default.contentsOfDirectory(atPath: Repository.attractorSamples)
            .filter { $0.hasSuffix(".dot") }.sorted().map { Repository.attractorSamples + "/" + $0 }
        #expect(samples.count >= 21)
        let environment = Self.environment(home: directory)
        var refusedProbes: [String] = []
        for (number, path) in (samples + Self.probes.map { directory + "/" + $0.name }).enumerated() {
            let validated = try await ChildProcess.runOffThePool(trellis, ["validate", path], in: directory, environment: environment, timeout: .seconds(60))
            #expect(validated.status == 0 || validated.status == 1, "validate \(path) crashed or failed to read: \(validated.status) \(validated.errors)")
            let work = directory + "/work-\(number)"
            try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
            let ran = try await ChildProcess.runOffThePool(trellis, [
                "run", path, "--simulate", "--interviewer", "auto", "--max-steps", "300", "--logs", work + "/run", "--workdir", work,
            ], in: directory, environment: environment, timeout: .seconds(120))
            // 0 success, 1 the run failed, 2 refused before running; anything else is a crash.
            #expect([0, 1, 2].contains(ran.status), "run \(path) crashed: \(ran.status) \(ran.errors)")
            let refusedByRun = ran.status == 2 && ran.errors.contains("cannot be run")
            #expect(refusedByRun == (validated.status == 1), """
                \(path): validate exited \(validated.status), run exited \(ran.status)
                validate: \(validated.output)
                run: \(ran.errors)
                """)
            if refusedByRun {
                // Every error run names is one validate reported, at the same place.
                for line in ran.errors.split(separator: "\n") where line.contains(": error: ") {
                    let finding = line.split(separator: "\n").first.map(String.init) ?? ""
                    #expect(validated.output.contains(finding), "\(path): run reported '\(finding)', validate did not")
                }
                refusedProbes.append((path as NSString).lastPathComponent)
            }
        }
        #expect(refusedProbes.sorted() == Self.probes.filter(\.refused).map(\.name).sorted())
    }
}
