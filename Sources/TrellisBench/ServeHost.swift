import Foundation

/// A `trellis serve --stdio` child process the store benchmark drives: one JSON-RPC request
/// at a time, each answer awaited with a deadline (`poll` on its standard output), so a host
/// that hangs fails the benchmark instead of stalling it. Blocking: use it from a thread of
/// its own, never from the cooperative pool.
final class ServeHost {
    /// The child.
    let process = Process()
    /// The host id it was started with (`--host-id`).
    let hostID: String
    private let input = Pipe()
    private let output = Pipe()
    private let errorLog: String
    private var buffered = Data()
    private var nextID = 1

    /// Starts this very executable (`trellis`) as `serve --stdio` with `arguments`, in
    /// `directory`, on the simulated model and in-memory memory, with XDG directories inside
    /// `directory` and no `*_API_KEY` variable, so nothing depends on the machine's keys,
    /// servers or home directory. Its standard error goes to a file, quoted when it fails.
    init(hostID: String, arguments: [String], in directory: String) throws {
        self.hostID = hostID
        guard let executable = Bundle.main.executablePath else { throw BenchFailure("cannot find the trellis executable to start hosts from") }
        errorLog = directory + "/\(hostID).stderr"
        guard FileManager.default.createFile(atPath: errorLog, contents: nil), let errors = FileHandle(forWritingAtPath: errorLog) else {
            throw BenchFailure("cannot write \(errorLog)")
        }
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasSuffix("_API_KEY") }
        environment["XDG_DATA_HOME"] = directory + "/data"
        environment["XDG_CONFIG_HOME"] = directory + "/config"
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["serve", "--stdio", "--llm", "simulated", "--memory", "in_memory", "--host-id", hostID] + arguments
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        try errors.close()
    }

    /// Sends one request and waits (at most `timeout` seconds) for its answer: the whole
    /// response object, `result` or `error`.
    func request(_ method: String, _ params: [String: Any], timeout: Double = 30) throws -> [String: Any] {
        let id = nextID
        nextID += 1
        let line = try JSONSerialization.data(withJSONObject: ["jsonrpc": "2.0", "id": id, "method": method, "params": params])
        input.fileHandleForWriting.write(line + Data([0x0A]))
        let deadline = Date(timeIntervalSinceNow: timeout)
        while true {
            while let newline = buffered.firstIndex(of: 0x0A) {
                let text = buffered[buffered.startIndex..<newline]
                buffered = Data(buffered[(newline + 1)...])
                if let answer = try? JSONSerialization.jsonObject(with: text) as? [String: Any], answer["id"] as? Int == id {
                    return answer
                }
            }
            try readMore(until: deadline, waitingFor: method)
        }
    }

    /// Sends a request and returns its `result`; throws with the error when it failed.
    func call(_ method: String, _ params: [String: Any]) throws -> [String: Any] {
        let answer = try request(method, params)
        guard let result = answer["result"] as? [String: Any] else {
            throw BenchFailure("host \(hostID): \(method) failed: \(answer["error"] ?? answer)")
        }
        return result
    }

    private func readMore(until deadline: Date, waitingFor method: String) throws {
        let descriptor = output.fileHandleForReading.fileDescriptor
        var ready = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        let milliseconds = Int32(max(0, deadline.timeIntervalSinceNow * 1000))
        let polled = poll(&ready, 1, milliseconds)
        guard polled > 0 else {
            if polled < 0 && errno == EINTR { return }
            throw BenchFailure("host \(hostID) did not answer \(method) in time\(stderrTail)")
        }
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let count = read(descriptor, &chunk, chunk.count)
        guard count > 0 else { throw BenchFailure("host \(hostID) ended before answering \(method)\(stderrTail)") }
        buffered.append(contentsOf: chunk[0..<count])
    }

    private var stderrTail: String {
        let text = (try? String(contentsOfFile: errorLog, encoding: .utf8)) ?? ""
        return text.isEmpty ? "" : "; its standard error ends: \(text.suffix(600))"
    }

    /// Kills the host with SIGKILL (no shutdown: its leases stay until they expire) and reaps it.
    func kill9() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Ends the host gracefully (end of input) and waits for it, killing it after 30 s.
    func finish() {
        try? input.fileHandleForWriting.close()
        let deadline = Date(timeIntervalSinceNow: 30)
        while process.isRunning && Date() < deadline { usleep(5_000) }
        if process.isRunning { kill9() }
    }
}
