import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif
import TrellisTestSupport

/// A graceful stop of `trellis run` with a real signal: the running tool and the process it
/// started are gone, the exit status says which signal, the printed `--resume` command
/// continues the run without repeating a finished node, and the interrupted node's first
/// output is kept aside.
@Suite(.serialized, .timeLimit(.minutes(2))) struct RunStopTests {
    /// `b` blocks the first time (a shell and a background `sleep` in its process group) and
    /// finishes at once on the rerun; every node appends to `trace`.
    static let pipeline = """
        digraph Stop {
            start [shape=Mdiamond]
            a [shape=parallelogram, tool_command="echo a >> trace"]
            b [shape=parallelogram, tool_command="echo b-start >> trace; if [ ! -f again ]; then touch again; echo $$ > b.pid; sleep 60 & echo $! > child.pid; wait; fi; echo b-end >> trace"]
            c [shape=parallelogram, tool_command="echo c >> trace"]
            exit [shape=Msquare]
            start -> a -> b -> c -> exit
        }
        """

    @Test func sigtermStopsTheToolAndResumeContinuesWithoutRepeatingAFinishedNode() async throws {
        let trellis = try BuiltProducts.trellis()
        let directory = try TemporaryDirectory.make("stop")
        let file = directory + "/stop.dot"
        try Self.pipeline.write(toFile: file, atomically: true, encoding: .utf8)
        let work = directory + "/work"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let runDirectory = directory + "/run"

        let process = try CLI.launch(trellis, ["run", file, "--logs", runDirectory, "--workdir", work], in: directory)
        let pids = try blockingWaitFor(timeout: .seconds(20), "b's shell and its background sleep", interval: .milliseconds(10)) { () -> (Int32, Int32)? in
            guard let shell = Self.pid(in: work + "/b.pid"), let child = Self.pid(in: work + "/child.pid") else { return nil }
            return (shell, child)
        }
        #expect(Self.isAlive(pids.0) && Self.isAlive(pids.1))
        kill(process.processIdentifier, SIGTERM)
        #expect(ChildProcess.waitForExit(process, timeout: .seconds(20)), "trellis did not stop within 20 s of SIGTERM")
        let errors = String(decoding: (process.standardError as! Pipe).fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationReason == .exit && process.terminationStatus == 143, "status \(process.terminationStatus): \(errors)")
        #expect(!Self.isAlive(pids.0), "the tool's shell survived the stop")
        #expect(!Self.isAlive(pids.1), "the process the tool started survived the stop")
        #expect(Self.text(work + "/trace") == "a\nb-start\n")

        // The printed command, run as printed (with the built executable for `trellis`).
        let lines = errors.split(separator: "\n").map(String.init)
        let printed = try #require(lines.first { $0.hasPrefix("  trellis run --resume ") }, "no resume command in: \(errors)")
        let words = printed.trimmingCharacters(in: .whitespaces).split(separator: " ").map(String.init)
        #expect(words == ["trellis", "run", "--resume", runDirectory, "--workdir", work])
        let resumed = try await CLI.run(trellis, Array(words.dropFirst()) + ["--json"], in: directory)
        #expect(resumed.status == 0, "the resumed run failed: \(resumed.output) \(resumed.errors)")
        #expect(Self.text(work + "/trace") == "a\nb-start\nb-start\nb-end\nc\n")
        #expect(try CLI.summary(resumed.output).completedNodes == ["start", "a", "b", "c", "exit"])
        // The interrupted attempt's files were moved aside, the rerun's are in place.
        #expect(FileManager.default.fileExists(atPath: runDirectory + "/b/attempt-1/command.sh"))
        #expect(FileManager.default.fileExists(atPath: runDirectory + "/b/status.json"))
    }

    @Test func sigintBeforeTheFirstToolExitsWith130AndIsResumable() throws {
        let trellis = try BuiltProducts.trellis()
        let directory = try TemporaryDirectory.make("stop-int")
        let file = directory + "/stop.dot"
        try """
            digraph Stop {
                start [shape=Mdiamond]
                wait [shape=parallelogram, tool_command="echo $$ > wait.pid; exec sleep 60"]
                exit [shape=Msquare]
                start -> wait -> exit
            }
            """.write(toFile: file, atomically: true, encoding: .utf8)
        let runDirectory = directory + "/run"
        let process = try CLI.launch(trellis, ["run", file, "--logs", runDirectory, "--json"], in: directory)
        let pid = try blockingWaitFor(timeout: .seconds(20), "the tool's pid", interval: .milliseconds(10)) { Self.pid(in: directory + "/wait.pid") }
        kill(process.processIdentifier, SIGINT)
        #expect(ChildProcess.waitForExit(process, timeout: .seconds(20)), "trellis did not stop within 20 s of SIGINT")
        #expect(process.terminationReason == .exit && process.terminationStatus == 130)
        #expect(!Self.isAlive(pid))
        let output = String(decoding: (process.standardOutput as! Pipe).fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(try CLI.summary(output).completedNodes == ["start"])
        let object = try Self.checkpoint(in: runDirectory)
        #expect(object["status"] as? String == "running")
        #expect(object["next_node"] as? String == "wait")
    }

    @Test func aSecondSignalForcesTheStopWithoutWaitingForTheTool() throws {
        let trellis = try BuiltProducts.trellis()
        let directory = try TemporaryDirectory.make("stop-twice")
        let file = directory + "/stop.dot"
        // The tool ignores SIGTERM (and its children inherit that), so a graceful stop would
        // wait out the termination grace before killing it; the second signal must not.
        try """
            digraph Stop {
                start [shape=Mdiamond]
                first [shape=parallelogram, tool_command="echo first >> trace"]
                stubborn [shape=parallelogram, tool_command="trap '' TERM; echo $$ > stubborn.pid; while true; do sleep 0.05; done"]
                exit [shape=Msquare]
                start -> first -> stubborn -> exit
            }
            """.write(toFile: file, atomically: true, encoding: .utf8)
        let runDirectory = directory + "/run"
        let process = try CLI.launch(trellis, ["run", file, "--logs", runDirectory], in: directory)
        let pid = try blockingWaitFor(timeout: .seconds(20), "the stubborn tool's pid", interval: .milliseconds(10)) { Self.pid(in: directory + "/stubborn.pid") }
        // Two signals sent back to back would merge into one pending signal in the kernel, so the
        // second goes only once the first has been acknowledged (within the tool's grace).
        let standardError = (process.standardError as! Pipe).fileHandleForReading.fileDescriptor
        _ = fcntl(standardError, F_SETFL, fcntl(standardError, F_GETFL) | O_NONBLOCK)
        var errorBytes: [UInt8] = []
        func readAvailable() -> Bool {
            var chunk = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = read(standardError, &chunk, chunk.count)
                if count > 0 { errorBytes += chunk[0..<count]; continue }
                return count == 0
            }
        }
        kill(process.processIdentifier, SIGTERM)
        try blockingWaitFor(timeout: .seconds(20), "the first SIGTERM to be acknowledged", interval: .milliseconds(1)) { () -> Void? in
            _ = readAvailable()
            return String(decoding: errorBytes, as: UTF8.self).contains("SIGTERM received") ? () : nil
        }
        kill(process.processIdentifier, SIGTERM)
        #expect(ChildProcess.waitForExit(process, timeout: .seconds(20)), "trellis did not exit within 20 s of a second SIGTERM")
        try blockingWaitFor(timeout: .seconds(10), "the end of trellis's standard error", interval: .milliseconds(5)) { readAvailable() ? () : nil }
        let errors = String(decoding: errorBytes, as: UTF8.self)
        #expect(process.terminationReason == .exit && process.terminationStatus == 143, "status \(process.terminationStatus): \(errors)")
        #expect(errors.contains("second signal (SIGTERM): stopping now"), "\(errors)")
        #expect(errors.contains("trellis run --resume \(runDirectory)"), "no resume hint in: \(errors)")
        try blockingWaitFor(timeout: .seconds(10), "the stubborn tool to be killed (now: \(Self.text("/proc/\(pid)/stat")))",
                            interval: .milliseconds(10)) { Self.isAlive(pid) ? nil : () }
        // The checkpoint is the last completed node's: resuming reruns the interrupted tool only.
        let object = try Self.checkpoint(in: runDirectory)
        #expect(object["completed_nodes"] as? [String] == ["start", "first"])
        #expect(Self.text(directory + "/trace") == "first\n")
    }

    @Test func eventsOnStandardOutputAreTheOnlyThingThere() async throws {
        let trellis = try BuiltProducts.trellis()
        let directory = try TemporaryDirectory.make("events-stdout")
        let file = directory + "/chain.dot"
        try """
            digraph Chain {
                start [shape=Mdiamond]
                work [shape=box, prompt="do it"]
                exit [shape=Msquare]
                start -> work -> exit
            }
            """.write(toFile: file, atomically: true, encoding: .utf8)
        for extra in [[], ["--json"]] {
            let run = try await CLI.run(trellis, ["run", file, "--simulate", "--events", "-", "--logs", directory + "/run\(extra.count)"] + extra, in: directory)
            #expect(run.status == 0, "\(run.errors)")
            let lines = run.output.split(separator: "\n")
            #expect(lines.count >= 4)
            for line in lines {
                let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                #expect(object?["event"] != nil || object?["type"] != nil, "not an event line on stdout: \(line)")
            }
            #expect(run.errors.contains("run succeeded") || run.errors.contains("\"status\""))
        }
    }

    /// The run's `checkpoint.json` as a JSON object.
    static func checkpoint(in runDirectory: String) throws -> [String: Any] {
        let data = try #require(FileManager.default.contents(atPath: runDirectory + "/checkpoint.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func pid(in path: String) -> Int32? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return Int32(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Whether `pid` is a live process (a zombie that nobody reaped yet counts as gone).
    static func isAlive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        let state = stat[stat.index(close, offsetBy: 2)]
        return state != "Z" && state != "X"
    }

    static func text(_ path: String) -> String {
        (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }
}
