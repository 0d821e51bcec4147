import Foundation

/// Loads a plugin file in a child process before this process does, as GStreamer's registry
/// scanner does: a plugin whose `init` (or a library constructor) crashes then kills the
/// child, and the parent reports it — naming the file, the signal and what the child printed —
/// instead of dying with it. `trellis plugins list` and `inspect` use it; `run` and `serve`
/// do not (they load in process, and an in-process plugin shares the host's fate).
public struct PluginScanChild: Sendable {
    /// The program that loads one file: `executable arguments... FILE`, exit status 0 whatever
    /// the load's outcome (a refusal is the parent's to report), killed by a signal on a crash.
    public let executable: String
    /// Arguments before the file.
    public let arguments: [String]
    /// How long a scan may take before the parent gives up on the file.
    public let timeLimit: Duration

    /// A scanner running `executable arguments... FILE`.
    public init(executable: String, arguments: [String], timeLimit: Duration = .seconds(30)) {
        self.executable = executable
        self.arguments = arguments
        self.timeLimit = timeLimit
    }

    /// `nil` when the child loaded (or refused) `file` and exited; otherwise why this process
    /// must not load it.
    public func vet(_ file: String) -> PluginLoadError? {
        let output = NSTemporaryDirectory() + "trellis-scan-\(getpid())-\(UUID().uuidString).txt"
        guard FileManager.default.createFile(atPath: output, contents: nil), let sink = FileHandle(forWritingAtPath: output) else {
            return PluginLoadError(.unreadable, file: file, "cannot create \(output) for the scanning child's output")
        }
        defer { try? FileManager.default.removeItem(atPath: output) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments + [file]
        var environment = ProcessInfo.processInfo.environment
        environment["SWIFT_BACKTRACE"] = "enable=no"  // the child's own crash line is what the parent needs, now
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = sink
        do {
            try process.run()
        } catch {
            try? sink.close()
            return PluginLoadError(.unreadable, file: file, "cannot start the scanning child \(executable): \(error.localizedDescription)")
        }
        let deadline = ContinuousClock.now + timeLimit
        while process.isRunning && ContinuousClock.now < deadline { usleep(2_000) }
        let timedOut = process.isRunning
        if timedOut {
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
        try? sink.close()
        let said = ((try? String(contentsOfFile: output, encoding: .utf8)) ?? "")
            .split(separator: "\n").filter { $0.hasPrefix("trellis:") }.joined(separator: " / ")
        if timedOut {
            return PluginLoadError(.crashed, file: file, "loading it in a scanning child process did not finish within \(timeLimit) "
                + "(its init hangs?), so this process does not load it")
        }
        guard process.terminationReason == .uncaughtSignal else { return nil }
        let signal = process.terminationStatus
        let name = String(cString: strsignal(signal))
        return PluginLoadError(.crashed, file: file, "loading it crashed a scanning child process with signal \(signal) (\(name)), "
            + "so this process does not load it; fix or remove the plugin" + (said.isEmpty ? "" : ". The child said: \(said)"))
    }
}
