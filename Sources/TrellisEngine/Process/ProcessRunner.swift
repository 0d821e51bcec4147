import Foundation
import TrellisCore
import Glibc
import Synchronization

/// Runs a child process in its own process group and collects its output, without
/// blocking the cooperative thread pool.
///
/// - The child is started with `posix_spawn` as the leader of a new process group, with
///   stdin from `/dev/null` and no descriptors of this process except its output pipes.
/// - One dedicated thread per run reads both pipes (`poll`), reaps the child and enforces
///   the timeout; the async caller is resumed when it is done.
/// - On timeout or task cancellation the whole process group gets SIGTERM, then SIGKILL
///   after `terminationGrace` (at once when the leader is already gone), and the child is
///   reaped, so nothing it started in its group survives and no zombie is left.
/// - After the child exits, output is collected until the pipes close or `drainGrace`
///   passes: a background process that escaped the group (or that a script started on
///   purpose) and still holds a pipe cannot make the run hang.
/// - Each stream keeps its first `captureLimit` bytes; the rest is read and counted.
public struct ProcessRunner: Sendable {
    /// The number of bytes kept per output stream.
    public var captureLimit: Int
    /// How long a process group has between SIGTERM and SIGKILL.
    public var terminationGrace: Duration
    /// How long output is still collected after the child exits while something else holds its pipes.
    public var drainGrace: Duration

    /// Creates a runner (1 MiB per stream, 500 ms termination grace, 2 s drain grace by default).
    public init(captureLimit: Int = 1 << 20, terminationGrace: Duration = .milliseconds(500), drainGrace: Duration = .seconds(2)) {
        self.captureLimit = captureLimit
        self.terminationGrace = terminationGrace
        self.drainGrace = drainGrace
    }

    /// Runs `invocation` to its end.
    ///
    /// Throws `ProcessRunner.Failure` when the child cannot be started, and
    /// `CancellationError` when the calling task is cancelled — after the child's process
    /// group has been ended and the child reaped. A timeout is not an error: the result
    /// says `timedOut`.
    public func run(_ invocation: Invocation) async throws -> Result {
        try Task.checkCancellation()
        // Spawned and registered under one lock: a forced stop arriving meanwhile either finds
        // the child or refuses the spawn. Registering after the spawn returned left a window
        // in which the child already ran (a loaded machine can hold the spawning thread off
        // its core for many milliseconds) and a forced stop exited without killing it.
        let process = try Self.runningGroups.withLock { (groups: inout RunningGroups) throws(Failure) -> SpawnedProcess in
            guard !groups.forcedStop else {
                throw Failure(reason: "not started: the process is stopping (forced by a second signal)")
            }
            let process = try Self.spawn(invocation)
            groups.leaders.insert(process.pid)
            return process
        }
        defer { Self.runningGroups.withLock { _ = $0.leaders.remove(process.pid) } }
        let control = MonitorControl()
        let limits = MonitorLimits(
            captureLimit: max(captureLimit, 0),
            terminationGrace: terminationGrace,
            drainGrace: drainGrace,
            timeout: invocation.timeout,
            standardInput: invocation.standardInput ?? []
        )
        let outcome = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<MonitorOutcome, Never>) in
                let pid = process.pid
                let thread = Thread {
                    nameCurrentThread("trellis-pid\(pid)")
                    continuation.resume(returning: Self.monitor(process, control: control, limits: limits))
                }
                thread.start()
            }
        } onCancel: {
            control.requestStop()
        }
        if outcome.stoppedOnRequest { throw CancellationError() }
        return outcome.result
    }

    /// The process groups of the children running now, for a forced stop.
    struct RunningGroups {
        /// The groups' leaders' pids.
        var leaders: Set<pid_t> = []
        /// Set by `killRunningGroups`: no child starts after it.
        var forcedStop = false
    }
    private static let runningGroups = LockedValue(RunningGroups())

    /// Sends SIGKILL to the process group of every child that any runner of this process is
    /// running now, without waiting, and refuses every later spawn: for a forced stop (a
    /// second SIGINT) just before the process exits, when the orderly SIGTERM-then-SIGKILL of
    /// cancellation has no time left. Safe to call from any thread.
    public static func killRunningGroups() {
        runningGroups.withLock { groups in
            groups.forcedStop = true
            for leader in groups.leaders { _ = kill(-leader, SIGKILL) }
        }
    }
}

/// Lets the async side ask a run's monitor thread to end the child.
final class MonitorControl: Sendable {
    private let stopRequested = Atomic<Bool>(false)

    /// Asks the monitor to end the child's process group.
    func requestStop() { stopRequested.store(true, ordering: .releasing) }

    /// Whether a stop was asked for.
    var isStopRequested: Bool { stopRequested.load(ordering: .acquiring) }
}

/// The limits a monitor enforces.
struct MonitorLimits: Sendable {
    var captureLimit: Int
    var terminationGrace: Duration
    var drainGrace: Duration
    var timeout: Duration?
    var standardInput: [UInt8] = []
}

/// What a monitor thread hands back.
struct MonitorOutcome: Sendable {
    var result: ProcessRunner.Result
    var stoppedOnRequest: Bool
}
