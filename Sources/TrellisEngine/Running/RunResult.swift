/// How a run ended.
public struct RunResult: Sendable {
    /// `.success` when the run reached an exit node with every goal gate satisfied (or ended at a
    /// node without outgoing edges with that node's non-failing status); `.fail` otherwise.
    public var status: OutcomeStatus
    /// The context when the run ended.
    public var context: Context
    /// The ids of the nodes that ran, in order (a node visited twice appears twice).
    public var completedNodes: [String]
    /// Why the run failed, when it did.
    public var failureReason: String?
    /// How long each executed node took, in execution order.
    public var nodeTimings: [NodeTiming]
    /// The run directory (the root one when loop restarts made fresh ones), or `nil` when the run kept nothing on disk.
    public var runDirectory: String?
    /// Whether the run was cancelled rather than ending on its own: its checkpoint then still
    /// says `running`, so resuming the run directory continues where it stopped.
    public var wasCancelled: Bool

    /// Creates a result.
    public init(
        status: OutcomeStatus,
        context: Context,
        completedNodes: [String],
        failureReason: String? = nil,
        nodeTimings: [NodeTiming] = [],
        runDirectory: String? = nil,
        wasCancelled: Bool = false
    ) {
        self.status = status
        self.context = context
        self.completedNodes = completedNodes
        self.failureReason = failureReason
        self.nodeTimings = nodeTimings
        self.runDirectory = runDirectory
        self.wasCancelled = wasCancelled
    }
}

/// How long one node execution took and how it ended.
public struct NodeTiming: Sendable, Equatable {
    /// The node id.
    public var nodeID: String
    /// The node's final status (after retries).
    public var status: OutcomeStatus
    /// The time from the first attempt's start to the final outcome, retries and backoff included.
    public var duration: Duration

    /// Creates a timing.
    public init(nodeID: String, status: OutcomeStatus, duration: Duration) {
        self.nodeID = nodeID
        self.status = status
        self.duration = duration
    }
}
