/// What the LLM stages of one run know about the run beyond the context: the stages
/// completed so far (for the `compact` and `summary:*` preambles), the conversation of each
/// thread (for `full` fidelity), and the fidelity and thread id of the edge the run last
/// followed. The engine records into it; LLM stages read it. Shared by a run's branches, so
/// its state is behind a lock.
///
/// Conversations live in memory only: a resumed run starts with none, and the first `full`
/// stage after a resume whose thread has nothing gets `summary:high` instead, as the
/// specification says.
public final class RunTranscript: Sendable {
    /// One completed stage.
    public struct Stage: Sendable, Equatable {
        /// The node id.
        public var nodeID: String
        /// Its outcome status.
        public var status: String
        /// Its notes or failure reason, if any.
        public var notes: String?
        /// The start of an LLM stage's answer, if any.
        public var response: String?

        /// Creates a stage record.
        public init(nodeID: String, status: String, notes: String? = nil, response: String? = nil) {
            self.nodeID = nodeID
            self.status = status
            self.notes = notes
            self.response = response
        }
    }

    private struct State {
        var stages: [Stage] = []
        var threads: [String: [ContextValue]] = [:]
        var lastThread: String?
        var edgeFidelity: String?
        var edgeThreadID: String?
        var resumedWithoutConversations: Bool
    }

    private let state: LockedValue<State>

    /// An empty transcript; `resumed` for a run continued from a checkpoint (its conversations are gone).
    public init(stages: [Stage] = [], resumed: Bool = false) {
        state = LockedValue(State(stages: stages, resumedWithoutConversations: resumed))
    }

    /// The completed stages, oldest first.
    public var stages: [Stage] { state.withLock { $0.stages } }

    /// Records a completed stage.
    public func record(_ stage: Stage) { state.withLock { $0.stages.append(stage) } }

    /// Notes the `fidelity` and `thread_id` of the edge the run follows next (`nil` for none).
    public func followEdge(fidelity: String?, threadID: String?) {
        state.withLock {
            $0.edgeFidelity = fidelity
            $0.edgeThreadID = threadID
        }
    }

    /// The incoming edge's `fidelity` and `thread_id`.
    public var incomingEdge: (fidelity: String?, threadID: String?) { state.withLock { ($0.edgeFidelity, $0.edgeThreadID) } }

    /// The thread the last `full` stage used, the fallback thread key of the next one.
    public var lastThread: String? { state.withLock { $0.lastThread } }

    /// The conversation of `thread` so far (`{role, content}` messages), and whether it had to
    /// be given up because the run was resumed (the caller then degrades to `summary:high`).
    public func conversation(_ thread: String) -> (messages: [ContextValue], lostOnResume: Bool) {
        state.withLock { state in
            let messages = state.threads[thread] ?? []
            if messages.isEmpty, state.resumedWithoutConversations {
                state.resumedWithoutConversations = false
                return ([], true)
            }
            return (messages, false)
        }
    }

    /// Appends one exchange to `thread` and makes it the last thread used.
    public func append(to thread: String, prompt: String, answer: String) {
        state.withLock { state in
            state.threads[thread, default: []].append(.map(["role": .string("user"), "content": .string(prompt)]))
            state.threads[thread, default: []].append(.map(["role": .string("assistant"), "content": .string(answer)]))
            state.lastThread = thread
            state.resumedWithoutConversations = false
        }
    }
}
