import Foundation

/// Child processes run with a deadline, so a child that hangs fails the test instead of
/// blocking it: a test's time limit cancels its task, but cannot wake a thread blocked in
/// `waitUntilExit` or a pipe read.
public enum ChildProcess {
    /// How a child process ended and what it printed.
    public struct Result: Sendable {
        /// The exit status (or the signal number, when it was killed).
        public var status: Int32
        /// Its standard output.
        public var output: String
        /// Its standard error.
        public var errors: String
    }

    /// A child that did not finish in time (it has been killed).
    public struct Timeout: Error, CustomStringConvertible {
        /// Which command, and how long it was given.
        public var description: String
    }

    /// Runs `executable` with `arguments` in `directory`, writing `input` to its standard input
    /// and closing it, and returns its status and output; kills it and throws `Timeout` after `timeout`.
    public static func run(
        _ executable: String, _ arguments: [String], in directory: String? = nil, input: String? = nil,
        environment: [String: String]? = nil, timeout: Duration = .seconds(30)
    ) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        if let environment { process.environment = environment }
        let stdin = Pipe.closingOnExec()
        let stdout = Pipe.closingOnExec()
        let stderr = Pipe.closingOnExec()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        // Both pipes are drained while the child runs, so a large output cannot block it.
        let output = Drain(stdout.fileHandleForReading)
        let errors = Drain(stderr.fileHandleForReading)
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try? stdin.fileHandleForWriting.close()
        let command = ([executable] + arguments).joined(separator: " ")
        guard waitForExit(process, timeout: timeout) else {
            throw Timeout(description: "\(command) did not exit within \(timeout); it was killed")
        }
        // A grandchild may still hold the pipes open; it gets a short grace, then the test fails.
        guard let outputData = output.wait(timeout: .seconds(10)), let errorData = errors.wait(timeout: .seconds(10)) else {
            throw Timeout(description: "the output pipes of \(command) stayed open after it exited")
        }
        return Result(status: process.terminationStatus, output: String(decoding: outputData, as: UTF8.self),
                      errors: String(decoding: errorData, as: UTF8.self))
    }

    /// `run` for a child that takes long (a benchmark, a build): waits for it on a Dispatch
    /// thread, so the blocked wait holds none of the cooperative pool's threads (two on a
    /// 2-core machine), which the tests running meanwhile need.
    public static func runOffThePool(
        _ executable: String, _ arguments: [String], in directory: String? = nil, input: String? = nil,
        environment: [String: String]? = nil, timeout: Duration = .seconds(30)
    ) async throws -> Result {
        try await offThePool {
            try run(executable, arguments, in: directory, input: input, environment: environment, timeout: timeout)
        }
    }

    /// Waits for `process` to exit, for at most `timeout`; kills it with SIGKILL when the
    /// time is up. Returns whether it exited by itself.
    @discardableResult
    public static func waitForExit(_ process: Process, timeout: Duration) -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while process.isRunning {
            guard clock.now < deadline else {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                return false
            }
            usleep(2_000)
        }
        process.waitUntilExit()
        return true
    }

    /// Reads a pipe to its end on a Dispatch thread. An `NSLock` (a pthread mutex), not a
    /// `Synchronization.Mutex`, so the thread sanitizer sees the ordering.
    private final class Drain: @unchecked Sendable {
        private let lock = NSLock()
        private var data: Data?
        private let done = DispatchSemaphore(value: 0)

        init(_ handle: FileHandle) {
            DispatchQueue.global().async { [self] in
                let bytes = handle.readDataToEndOfFile()
                lock.withLock { data = bytes }
                done.signal()
            }
        }

        /// Everything read, or `nil` when the pipe is still open after `timeout`.
        func wait(timeout: Duration) -> Data? {
            let (seconds, attoseconds) = timeout.components
            let nanoseconds = Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
            guard done.wait(timeout: .now() + .nanoseconds(nanoseconds)) == .success else { return nil }
            return lock.withLock { data }
        }
    }
}
