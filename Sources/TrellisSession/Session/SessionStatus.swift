import Synchronization
import TrellisCore
import TrellisEngine

/// The parts of a session's state that must be readable without waiting for the session
/// actor (which may be in the middle of applying a turn): phase, turn count, whether a
/// heartbeat is in flight, and how many messages wait. Lock-protected; every access is a
/// few nanoseconds. Phase changes are published on the session's topic.
public final class SessionStatus: Sendable {
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

    /// A `LockedValue`, not a `Mutex`: the turn and the adapters' phase tracking update it from
    /// different pool threads, and the thread sanitizer sees no order through a `Mutex`'s futex
    /// (it reported this status's writes as races in `serve`).
    private let state: LockedValue<Snapshot>
    private let tickets = Atomic<UInt64>(0)
    private let publishPhase: @Sendable (SessionPhase) -> Void

    init(turnCount: Int, publishPhase: @escaping @Sendable (SessionPhase) -> Void) {
        state = LockedValue(Snapshot(phase: .idle, turnCount: turnCount, heartbeatInFlight: false, queuedTurns: 0, heartbeatsRun: 0, stopped: false))
        self.publishPhase = publishPhase
    }

    /// The current status.
    public var snapshot: Snapshot { state.withLock { $0 } }

    /// The current phase.
    public var phase: SessionPhase { state.withLock { $0.phase } }

    func setPhase(_ phase: SessionPhase) {
        let changed = state.withLock { snapshot in
            defer { snapshot.phase = phase }
            return snapshot.phase != phase
        }
        if changed { publishPhase(phase) }
    }

    func enterAdapterCall(_ phase: SessionPhase) { setPhase(phase) }

    func addUsage(_ usage: LLMUsage) { state.withLock { $0.usage += usage } }

    func leaveAdapterCall() {
        let changed = state.withLock { snapshot in
            guard snapshot.phase == .awaitingLLM || snapshot.phase == .awaitingTools else { return false }
            snapshot.phase = .processing
            return true
        }
        if changed { publishPhase(.processing) }
    }

    /// The next arrival ticket (see `Session.admit()`).
    func takeTicket() -> UInt64 { tickets.add(1, ordering: .relaxed).oldValue }

    func update(_ body: (inout Snapshot) -> Void) { state.withLock { body(&$0) } }

    /// Marks a heartbeat in flight unless one already is; `false` when one is.
    func claimHeartbeat() -> Bool {
        state.withLock { snapshot in
            guard !snapshot.heartbeatInFlight else { return false }
            snapshot.heartbeatInFlight = true
            return true
        }
    }
}
