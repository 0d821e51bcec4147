import Foundation
import Testing
#if canImport(Glibc)
import Glibc
import TrellisTestSupport
#endif

/// `trellis run` as a child process: a real `kill -9` after each node's checkpoint, then
/// `--resume`, must end with the same context as a run that was never interrupted.
@Suite(.serialized, .timeLimit(.minutes(1))) struct RunResumeTests {
    static let pipeline = """
        digraph KillAndResume {
            goal="survive kill -9"
            start [shape=Mdiamond]
            first [shape=parallelogram, tool_command="sleep 0.3; echo one"]
            second [shape=parallelogram, tool_command="sleep 0.3; echo two"]
            third [shape=parallelogram, tool_command="sleep 0.3; printf '%s-three' \\"$TRELLIS_CTX_TOOL_STDOUT\\""]
            check [shape=diamond]
            fourth [shape=parallelogram, tool_command="sleep 0.3; echo four"]
            exit [shape=Msquare]
            start -> first -> second -> third -> check
            check -> fourth [condition="context.tool_exit_code=0"]
            check -> exit [condition="context.tool_exit_code!=0"]
            fourth -> exit
        }
        """

    @Test func killedAfterEveryNodeAndResumedEndsLikeAnUninterruptedRun() async throws {
        let trellis = try BuiltProducts.trellis()
        let directory = try TemporaryDirectory.make("resume")
        let file = directory + "/pipeline.dot"
        try Self.pipeline.write(toFile: file, atomically: true, encoding: .utf8)

        let reference = try await CLI.run(trellis, ["run", file, "--logs", directory + "/reference", "--json"], in: directory)
        #expect(reference.status == 0, "uninterrupted run failed: \(reference.output) \(reference.errors)")
        let expected = try CLI.summary(reference.output)
        #expect(expected.status == "success")
        #expect(expected.completedNodes == ["start", "first", "second", "third", "check", "fourth", "exit"])

        let runDirectory = directory + "/interrupted"
        var process = try CLI.launch(trellis, ["run", file, "--logs", runDirectory, "--json"], in: directory)
        var kills = 0
        var completedSeen = 0
        // Kill after each node's checkpoint appears (start .. fourth), resuming each time.
        while completedSeen < expected.completedNodes.count - 1 {
            let (running, seen) = (process, completedSeen)
            // The wait blocks a thread so that it polls on time, and the kill follows at once on
            // that thread, while the run is still going: not one of the pool's threads.
            let completed = try await offThePool { () throws -> Int? in
                guard let completed = try CLI.waitForCheckpoint(in: runDirectory, beyond: seen, process: running) else { return nil }
                kill(running.processIdentifier, SIGKILL)
                running.waitUntilExit()
                return completed
            }
            guard let completed else { break }
            #expect(process.terminationReason == .uncaughtSignal)
            kills += 1
            completedSeen = completed
            process = try CLI.launch(trellis, ["run", "--resume", runDirectory, "--json"], in: directory)
        }
        let resumedProcess = process
        #expect(await offThePool { ChildProcess.waitForExit(resumedProcess, timeout: .seconds(30)) }, "the resumed run did not finish within 30 s")
        let output = String(decoding: (process.standardOutput as! Pipe).fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let errors = String(decoding: (process.standardError as! Pipe).fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0, "resumed run failed: \(output) \(errors)")
        #expect(kills >= 4, "the run was killed only \(kills) time(s)")
        let resumed = try CLI.summary(output)
        #expect(resumed.status == "success")
        #expect(resumed.completedNodes == expected.completedNodes)
        #expect(CLI.withoutTiming(resumed.context) == CLI.withoutTiming(expected.context))
        #expect(resumed.context["tool_stdout"] as? String == "four")
    }

    @Test func durabilityComesFromTheConfigurationUnlessTheFlagSaysOtherwise() async throws {
        let trellis = try BuiltProducts.trellis()
        let directory = try TemporaryDirectory.make("durability")
        try """
            digraph D { start [shape=Mdiamond]; exit [shape=Msquare]; start -> exit }
            """.write(toFile: directory + "/d.dot", atomically: true, encoding: .utf8)
        func manifestDurability(_ arguments: [String]) async throws -> String? {
            let runDirectory = directory + "/run-" + UUID().uuidString
            let finished = try await CLI.run(trellis, ["run", "d.dot", "--logs", runDirectory] + arguments, in: directory)
            #expect(finished.status == 0, "\(finished.errors)")
            let manifest = try #require(FileManager.default.contents(atPath: runDirectory + "/manifest.json"))
            return (try JSONSerialization.jsonObject(with: manifest) as? [String: Any])?["durability"] as? String
        }
        #expect(try await manifestDurability([]) == "batched")
        // ./trellis.json is the configuration a run in this directory reads.
        try #"{"run": {"durability": "sync"}}"#.write(toFile: directory + "/trellis.json", atomically: true, encoding: .utf8)
        #expect(try await manifestDurability([]) == "sync")
        #expect(try await manifestDurability(["--durability", "off"]) == "off")

        try "{\"run\": {\"durability\": \"never\"}}".write(toFile: directory + "/trellis.json", atomically: true, encoding: .utf8)
        let refused = try await CLI.run(trellis, ["run", "d.dot"], in: directory)
        #expect(refused.status == 2)
        #expect(refused.errors.contains("trellis.json:1:10: run.durability: 'never' is not one of off, batched, sync"), "\(refused.errors)")
    }

    @Test func invalidInputExitsWithTwoAndFailedRunsWithOne() async throws {
        let trellis = try BuiltProducts.trellis()
        let directory = try TemporaryDirectory.make("run")
        try "digraph Broken { start [shape=Mdiamond] start -> }".write(toFile: directory + "/broken.dot", atomically: true, encoding: .utf8)
        let broken = try await CLI.run(trellis, ["run", directory + "/broken.dot"], in: directory)
        #expect(broken.status == 2)
        #expect(broken.errors.contains("broken.dot:1:"))

        try """
            digraph Fails {
                start [shape=Mdiamond]
                boom [shape=parallelogram, tool_command="echo bad >&2; exit 3"]
                exit [shape=Msquare]
                start -> boom -> exit
            }
            """.write(toFile: directory + "/fails.dot", atomically: true, encoding: .utf8)
        let failed = try await CLI.run(trellis, ["run", directory + "/fails.dot", "--logs", directory + "/run", "--json"], in: directory)
        #expect(failed.status == 1)
        let summary = try CLI.summary(failed.output)
        #expect(summary.status == "fail")
        #expect(summary.runDirectory == directory + "/run")
        #expect(FileManager.default.fileExists(atPath: directory + "/run/boom/status.json"))

        let simulated = try await CLI.run(trellis, ["run", directory + "/fails.dot", "--simulate", "--logs", directory + "/sim", "--json", "--set", "who=me"], in: directory)
        #expect(simulated.status == 0, "\(simulated.errors)")
        #expect(try CLI.summary(simulated.output).context["who"] as? String == "me")

        let usage = try await CLI.run(trellis, ["run", directory + "/fails.dot", "--max-steps", "zero"], in: directory)
        #expect(usage.status == 2)
    }
}

/// Running the `trellis` executable built beside the test bundle.
enum CLI {
    struct Summary {
        var status: String
        var completedNodes: [String]
        var context: [String: Any]
        var runDirectory: String
    }

    struct Finished {
        var status: Int32
        var output: String
        var errors: String
    }

    struct Missing: Error, CustomStringConvertible {
        var description: String
    }

    static func launch(_ executable: String, _ arguments: [String], in directory: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardOutput = Pipe.closingOnExec()
        process.standardError = Pipe.closingOnExec()
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Runs `executable` to its end (killed, and the test failed, if it takes over 30 s), waiting
    /// off the cooperative pool.
    static func run(_ executable: String, _ arguments: [String], in directory: String) async throws -> Finished {
        let result = try await ChildProcess.runOffThePool(executable, arguments, in: directory, input: "")
        return Finished(status: result.status, output: result.output, errors: result.errors)
    }

    /// Waits until the run's checkpoint lists more than `count` completed nodes while the run is
    /// still going; returns how many it lists, or `nil` when the process ended first.
    static func waitForCheckpoint(in runDirectory: String, beyond count: Int, process: Process) throws -> Int? {
        let path = runDirectory + "/checkpoint.json"
        // `.some(nil)` ends the wait because the process ended; `nil` keeps waiting. It blocks
        // this thread so it polls on time (the kill must land while the run is still going).
        return try blockingWaitFor(timeout: .seconds(15), "a checkpoint beyond \(count) completed nodes in \(runDirectory)",
                                 interval: .milliseconds(5)) { () -> Int?? in
            if let data = FileManager.default.contents(atPath: path),
               let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
               let completed = object["completed_nodes"] as? [String], completed.count > count,
               object["status"] as? String == "running" {
                return .some(completed.count)
            }
            return process.isRunning ? nil : .some(nil)
        }
    }

    static func summary(_ output: String) throws -> Summary {
        guard let line = output.split(separator: "\n").last(where: { $0.hasPrefix("{") }),
              let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let status = object["status"] as? String,
              let completed = object["completed_nodes"] as? [String],
              let context = object["context"] as? [String: Any],
              let runDirectory = object["run_dir"] as? String else {
            throw Missing(description: "no JSON summary in: \(output)")
        }
        return Summary(status: status, completedNodes: completed, context: context, runDirectory: runDirectory)
    }

    /// The context without keys that hold timings, as text for comparison.
    static func withoutTiming(_ context: [String: Any]) -> [String: String] {
        var out: [String: String] = [:]
        for (key, value) in context {
            let lower = key.lowercased()
            if lower.contains("duration") || lower.contains("elapsed") || lower.contains("timestamp") || lower.hasSuffix("_ms") { continue }
            if let data = try? JSONSerialization.data(withJSONObject: [value], options: [.sortedKeys]) {
                out[key] = String(decoding: data, as: UTF8.self)
            }
        }
        return out
    }
}
