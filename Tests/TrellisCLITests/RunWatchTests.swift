import Foundation
import Testing

/// `trellis run --watch` as a child process: an edit to the graph file starts a new run on the
/// new graph, in a new run directory.
struct RunWatchTests {
    @Test func editingTheGraphRunsItAgainOnTheNewText() throws {
        let trellis = try CLI.trellisExecutable()
        let directory = NSTemporaryDirectory() + "trellis-watch-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
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
            process.waitUntilExit()
        }
        let runs = directory + "/.trellis-runs"
        let firstRun = try #require(waitForFinishedRuns(in: runs, count: 1, process: process))
        #expect(firstRun.last?.contains("first") == true)

        // The watcher compares modification time and size; a different word changes the size.
        try write("second!")
        let bothRuns = try #require(waitForFinishedRuns(in: runs, count: 2, process: process))
        #expect(bothRuns.last?.contains("second!") == true, "the second run must use the edited graph: \(bothRuns)")
    }

    /// Waits until `count` run directories under `runs` hold a finished checkpoint; returns the
    /// `tool_stdout` of each, oldest first, or `nil` when the process ends or 30 s pass.
    private func waitForFinishedRuns(in runs: String, count: Int, process: Process) -> [String]? {
        for _ in 0..<300 {
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: runs)) ?? []).sorted()
            let outputs: [String] = names.compactMap { name in
                guard let data = FileManager.default.contents(atPath: runs + "/" + name + "/checkpoint.json"),
                      let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                      object["status"] as? String != "running",
                      let context = object["context"] as? [String: Any] else { return nil }
                return "\(context["tool_stdout"] ?? "")"
            }
            if outputs.count >= count { return outputs }
            guard process.isRunning else { return nil }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return nil
    }
}
