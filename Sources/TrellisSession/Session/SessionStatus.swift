import Synchronization
import TrellisCore
import TrellisEngine

/// The parts of a session's state that must be readable without waiting for the session
/// actor (which may be in the middle of applying a turn): phase, turn count, whether a
/// heartbeat is in flight, and how many messages wait. Lock-protected; every access is a
/// few nanoseconds. Phase changes are published on the session's topic.
public final class SessionStatus: @unchecked Sendable {
    /// A consistent reading of the status.
    public struct Snapshot: Sendable, Equatable {
        /// The phase.
        public var phase: SessionPhase
        /// Turns completed.
        public var turnCount: Int
        /// Whether a heartbeat is running.
        public var heartbeatInFlight: Bool
        /// Messages waiting for the running turn to finish.
        public var queuedTurns: Int
        /// Heartbeats completed (successfully or not).
        public var heartbeatsRun: Int
        /// Whether the session was stopped.
        public var stopped: Bool
        /// Tokens every model call of the session's turns used, since it was created or restored.
        public var usage = LLMUsage()
    }

    /// Only touched with `lock` held, which is what makes the class safe to share (hence no
    /// dynamic exclusivity check either). A `SpinLock`, not a `Mutex`: the turn and the
    /// adapters' phase tracking update it from different pool threads, and the thread sanitizer
    /// sees no order through a `Mutex`'s futex (it reported this status's writes as races in
    /// `serve`); nor a `LockedValue`, whose storage of its own cost every idle session about
    /// 80 bytes (benchmark 9).
    @exclusivity(unchecked) private var current: Snapshot
    private let lock = SpinLock()
    private let tickets = Atomic<UInt64>(0)
    private let publishPhase: @Sendable (SessionPhase) -> Void

    init(turnCount: Int, publishPhase: @escaping @Sendable (SessionPhase) -> Void) {
        current = Snapshot(phase: .idle, turnCount: turnCount, heartbeatInFlight: false, queuedTurns: 0, heartbeatsRun: 0, stopped: false)
        self.publishPhase = publishPhase
    }

    /// Runs `body` on the status, holding the lock.
    private func withState<Result>(_ body: (inout Snapshot) -> Result) -> Result {
        lock.withLock { body(&current) }
    }

    /// The current status.
    public var snapshot: Snapshot { withState { $0 } }

    /// The current phase.
    public var phase: SessionPhase { withState { $0.phase } }

    func setPhase(_ phase: SessionPhase) {
        let changed = withState { snapshot in
            defer { snapshot.phase = phase }
            return snapshot.phase != phase
        }
        if changed { publishPhase(phase) }
    }

    func enterAdapterCall(_ phase: SessionPhase) { setPhase(phase) }

    func addUsage(_ usage: LLMUsage) { withState { $0.usage += usage } }

    func leaveAdapterCall() {
        let changed = withState { snapshot in
            guard snapshot.phase == .awaitingLLM || snapshot.phase == .awaitingTools else { return false }
            snapshot.phase = .processing
            return true
        }
        if changed { publishPhase(.processing) }
    }

    /// The next arrival ticket (see `Session.admit()`).
    func takeTicket() -> UInt64 { tickets.add(1, ordering: .relaxed).oldValue }

    func update(_ body: (inout Snapshot) -> Void) { withState { body(&$0) } }

    /// Marks a heartbeat in flight unless one already is; `false` when one is.
    func claimHeartbeat() -> Bool {
        withState { snapshot in
            guard !snapshot.heartbeatInFlight else { return false }
            snapshot.heartbeatInFlight = true
            return true
        }
    }
}
