import Foundation
import Testing
import TrellisTestSupport

/// `trellis run --watch` as a child process: an edit to the graph file starts a new run on the
/// new graph, in a new run directory.
@Suite(.timeLimit(.minutes(1)))
struct RunWatchTests {
    @Test func editingTheGraphRunsItAgainOnTheNewText() throws {
        let trellis = try BuiltProducts.trellis()
        let directory = try TemporaryDirectory.make("watch")
        let graph = directory + "/watched.dot"
        func write(_ word: String) throws {
            try """
                digraph Watched {
                    start [shape=Mdiamond]
                    say [shape=parallelogram, tool_command="echo \(word)"]
                    exit [shape=Msquare]
                    start -> say -> exit
                }
                """.write(toFile: graph, atomically: true, encoding: .utf8)
        }
        try write("first")

        let process = try CLI.launch(trellis, ["run", graph, "--watch"], in: directory)
        defer {
            if process.isRunning { process.terminate() }
            ChildProcess.waitForExit(process, timeout: .seconds(10))
        }
        let runs = directory + "/.trellis-runs"
        let firstRun = try #require(try waitForFinishedRuns(in: runs, count: 1, process: process))
        #expect(firstRun.last?.contains("first") == true)

        // The watcher compares modification time and size; a different word changes the size.
        try write("second!")
        let bothRuns = try #require(try waitForFinishedRuns(in: runs, count: 2, process: process))
        #expect(bothRuns.last?.contains("second!") == true, "the second run must use the edited graph: \(bothRuns)")
    }

    /// Waits until `count` run directories under `runs` hold a finished checkpoint; returns the
    /// `tool_stdout` of each, oldest first, or `nil` when the process ends; fails after 30 s.
    private func waitForFinishedRuns(in runs: String, count: Int, process: Process) throws -> [String]? {
        // `.some(nil)` ends the wait because the process ended; `nil` keeps waiting.
        try blockingWaitFor(timeout: .seconds(30), "\(count) finished run(s) in \(runs)", interval: .milliseconds(100)) { () -> [String]?? in
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: runs)) ?? []).sorted()
            let outputs: [String] = names.compactMap { name in
                guard let data = FileManager.default.contents(atPath: runs + "/" + name + "/checkpoint.json"),
                      let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                      object["status"] as? String != "running",
                      let context = object["context"] as? [String: Any] else { return nil }
                return "\(context["tool_stdout"] ?? "")"
            }
            if outputs.count >= count { return .some(outputs) }
            return process.isRunning ? nil : .some(nil)
        }
    }
}
