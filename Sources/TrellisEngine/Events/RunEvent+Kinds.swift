extension RunEvent.Kind {
    /// A run began (fields: `graph`, `resumed`).
    public static let runStarted: RunEvent.Kind = "run_started"
    /// A run ended successfully (duration: the whole run).
    public static let runCompleted: RunEvent.Kind = "run_completed"
    /// A run ended in failure (fields: `reason`).
    public static let runFailed: RunEvent.Kind = "run_failed"
    /// A node began (fields: `attempt`).
    public static let nodeStarted: RunEvent.Kind = "node_started"
    /// A node finished without failing (fields: `status`).
    public static let nodeCompleted: RunEvent.Kind = "node_completed"
    /// A node failed (fields: `status`, `reason`).
    public static let nodeFailed: RunEvent.Kind = "node_failed"
    /// A node that had started was cancelled before it finished, e.g. a parallel branch stopped
    /// because another branch succeeded first (fields: `branch` when in a branch, `reason`).
    public static let nodeCancelled: RunEvent.Kind = "node_cancelled"
    /// A node is about to be run again (fields: `attempt`, `delay_ms`, `reason`).
    public static let nodeRetrying: RunEvent.Kind = "node_retrying"
    /// `checkpoint.json` was written (fields: `path`).
    public static let checkpointSaved: RunEvent.Kind = "checkpoint_saved"
    /// A parallel branch began (fields: `branch`, `index`).
    public static let branchStarted: RunEvent.Kind = "branch_started"
    /// A parallel branch finished (fields: `branch`, `index`, `status`).
    public static let branchCompleted: RunEvent.Kind = "branch_completed"
    /// A human gate asked a question (fields: `prompt`, `choices`).
    public static let humanQuestion: RunEvent.Kind = "human_question"
    /// A human gate got its answer (fields: `choice`).
    public static let humanAnswer: RunEvent.Kind = "human_answer"
    /// An edge with `loop_restart=true` restarted the run (fields: `target`, `count`, `run_directory`).
    public static let loopRestarted: RunEvent.Kind = "loop_restarted"
    /// An unsatisfied goal gate sent the run back to a retry target (fields: `gate`, `target`).
    public static let goalGateRedirected: RunEvent.Kind = "goal_gate_redirected"

    /// Every kind the engine emits itself (plugins may not emit these: a forged `node_failed`
    /// would mislead every reader of the event log).
    public static let allHostKinds: [RunEvent.Kind] = [
        .runStarted, .runCompleted, .runFailed, .nodeStarted, .nodeCompleted, .nodeFailed, .nodeRetrying,
        .checkpointSaved, .branchStarted, .branchCompleted, .humanQuestion, .humanAnswer, .loopRestarted, .goalGateRedirected,
    ]
}
