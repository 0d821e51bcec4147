extension ProcessRunner {
    /// What to run.
    public struct Invocation: Sendable {
        /// The absolute path of the program (for tool nodes, `/bin/sh`).
        public var executable: String
        /// The arguments after the program name (for tool nodes, `["-c", script]`).
        public var arguments: [String]
        /// The complete environment of the child (nothing is inherited implicitly).
        public var environment: [String: String]
        /// The directory the child starts in; it must exist.
        public var workingDirectory: String
        /// How long the child may run before its process group is ended; `nil` for no limit.
        public var timeout: Duration?
        /// Bytes written to the child's standard input, which is then closed; `nil` gives the
        /// child `/dev/null`. A child that exits or closes its input early loses the rest.
        public var standardInput: [UInt8]?

        /// Creates an invocation.
        public init(
            executable: String,
            arguments: [String] = [],
            environment: [String: String] = [:],
            workingDirectory: String,
            timeout: Duration? = nil,
            standardInput: [UInt8]? = nil
        ) {
            self.executable = executable
            self.arguments = arguments
            self.environment = environment
            self.workingDirectory = workingDirectory
            self.timeout = timeout
            self.standardInput = standardInput
        }
    }

    /// How a finished child ended.
    public enum Termination: Sendable, Equatable, CustomStringConvertible {
        /// It exited with this status.
        case exited(Int32)
        /// A signal ended it.
        case signaled(Int32)
        /// Its status could not be collected (something else in the process reaped it).
        case unknown

        /// The status the way a shell reports it: the exit status, 128 + the signal
        /// number for a signal, and -1 when unknown.
        public var exitCode: Int {
            switch self {
            case .exited(let code): return Int(code)
            case .signaled(let signal): return 128 + Int(signal)
            case .unknown: return -1
            }
        }

        /// A phrase such as `exited with status 2` or `was killed by signal 9`.
        public var description: String {
            switch self {
            case .exited(let code): return "exited with status \(code)"
            case .signaled(let signal): return "was killed by signal \(signal)"
            case .unknown: return "ended with an unknown status"
            }
        }
    }

    /// The start of one output stream, bounded by the runner's capture limit.
    public struct CapturedOutput: Sendable, Equatable {
        /// The bytes kept (at most the capture limit).
        public var bytes: [UInt8]
        /// How many bytes the child wrote in all.
        public var totalByteCount: Int

        /// Creates a capture.
        public init(bytes: [UInt8] = [], totalByteCount: Int = 0) {
            self.bytes = bytes
            self.totalByteCount = totalByteCount
        }

        /// Whether bytes were dropped because the stream passed the capture limit.
        public var isTruncated: Bool { totalByteCount > bytes.count }

        /// The kept bytes as text (invalid UTF-8 replaced by U+FFFD).
        public var text: String { String(decoding: bytes, as: UTF8.self) }
    }

    /// How one run ended and what it wrote.
    public struct Result: Sendable {
        /// How the child ended.
        public var termination: Termination
        /// Its standard output (the first `captureLimit` bytes).
        public var standardOutput: CapturedOutput
        /// Its standard error (the first `captureLimit` bytes).
        public var standardError: CapturedOutput
        /// Whether the invocation's timeout ended it (its process group was killed).
        public var timedOut: Bool
        /// How long it ran, from spawn until its output was collected.
        public var duration: Duration
        /// The child's process id, which was also its process group id (already reaped).
        public var processID: Int32
    }

    /// A child could not be started.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// What went wrong, naming the program or directory concerned.
        public var reason: String
        /// Creates a failure.
        public init(reason: String) { self.reason = reason }
        /// The reason, for printing.
        public var description: String { reason }
    }
}
