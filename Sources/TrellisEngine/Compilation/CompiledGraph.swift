import TrellisDOT

/// A graph compiled once into the form the engine runs: nodes by integer index, handlers
/// resolved from one registry snapshot, edge conditions parsed, routing orders and retry
/// settings precomputed. Immutable, so any number of runs share it; a run owns only its
/// context and its position.
public final class CompiledGraph: Sendable {
    /// The graph after transforms (`$goal` expansion, model stylesheet).
    public let graph: Graph
    /// The generation of the registry the handlers were resolved from.
    public let registryGeneration: UInt64
    /// The registry the handlers were resolved from (child pipelines of manager loops compile against it too).
    public let registry: HandlerRegistry
    /// The file the graph was read from, when it came from a file (child pipeline paths resolve against its directory).
    public let sourcePath: String?
    /// The nodes, indexed as in `graph.nodes`.
    public let nodes: [CompiledNode]
    /// The index of the start node.
    public let startIndex: Int
    /// Warnings and notes validation produced (errors prevent compilation).
    public let warnings: [Diagnostic]
    /// Graph-level run settings.
    let settings: GraphSettings
    /// Whether a run keeps a transcript of its stages: only LLM stages read one (for context
    /// fidelity), so runs of graphs without them (session turns) skip recording it.
    let keepsTranscript: Bool
    private let indexByID: [String: Int]

    init(
        graph: Graph,
        registry: HandlerRegistry,
        sourcePath: String?,
        nodes: [CompiledNode],
        startIndex: Int,
        warnings: [Diagnostic],
        settings: GraphSettings
    ) {
        self.graph = graph
        self.registryGeneration = registry.generation
        self.registry = registry
        self.sourcePath = sourcePath
        self.nodes = nodes
        self.startIndex = startIndex
        self.warnings = warnings
        self.settings = settings
        self.keepsTranscript = nodes.contains { $0.handler is LLMStageHandler }
        var indexByID: [String: Int] = [:]
        for node in nodes { indexByID[node.spec.id] = node.index }
        self.indexByID = indexByID
    }

    /// The graph's name (its DOT id), or `pipeline` for an anonymous graph.
    public var name: String { graph.name ?? "pipeline" }

    /// The index of the node with `id`, or `nil`.
    public func index(of id: String) -> Int? { indexByID[id] }

    /// The compiled node with `id`, or `nil`.
    public func node(_ id: String) -> CompiledNode? { indexByID[id].map { nodes[$0] } }
}

/// Graph attributes that steer a run, read once at compile time.
struct GraphSettings: Sendable {
    /// The `goal` attribute (text).
    var goal: String
    /// Graph-level `retry_target` as a node index.
    var retryTarget: Int?
    /// Graph-level `fallback_retry_target` as a node index.
    var fallbackRetryTarget: Int?
    /// `max_goal_gate_redirects`, else `GraphSettings.defaultMaxGoalGateRedirects`.
    var maxGoalGateRedirects: Int
    /// `max_steps`, when the graph sets it.
    var maxSteps: Int?
    /// Indices of nodes with `goal_gate=true`, in declaration order.
    var goalGates: [Int]
    /// Graph attributes mirrored into a fresh run's context as `graph.<key>` (plus `graph.goal`).
    var mirroredAttributes: [String: ContextValue]

    /// How many times unsatisfied goal gates may send a run back before it fails.
    static let defaultMaxGoalGateRedirects = 10
}

/// One node of a compiled graph.
public final class CompiledNode: Sendable {
    /// The node's index in `CompiledGraph.nodes`.
    public let index: Int
    /// The node as handlers see it (id, resolved type, attributes after transforms, outgoing edges).
    public let spec: NodeSpec
    /// The handler that runs it, resolved from the registry at compile time.
    public let handler: any NodeHandler
    /// The outgoing edges in declaration order.
    public let edges: [CompiledEdge]
    /// How failed attempts are retried.
    public let retry: RetrySettings
    /// Whether the node is a goal gate (`goal_gate=true`).
    public let isGoalGate: Bool
    /// Whether `partial_success` counts as success for this node (`allow_partial=true`).
    public let allowPartial: Bool
    /// The node's `timeout`, if any.
    public let timeout: Duration?
    /// What the engine does besides calling the handler.
    let role: NodeRole
    /// Conditional edges (indices into `edges`) by weight, highest first, then target id: step 1 takes the first that holds.
    let conditionalOrder: [Int]
    /// The unconditional edge steps 4 and 5 choose (highest weight, then lexically first target), if any.
    let bestUnconditional: Int?
    /// Whether an unconditional edge has a label: only then can a preferred label pick an edge.
    let hasLabeledUnconditionalEdge: Bool
    /// Node-level `retry_target` as a node index.
    let retryTarget: Int?
    /// Node-level `fallback_retry_target` as a node index.
    let fallbackRetryTarget: Int?
    /// Whether the prompt holds `${context.key}` references expanded when the node runs.
    let expandsContextInPrompt: Bool
    /// Whether the run loop calls the handler itself (no timeout, no engine role), skipping the executor's layers.
    let callsHandlerDirectly: Bool
    /// `.string(id)`, built once for the `current_node` and `last_stage` keys.
    let idValue: ContextValue
    /// `internal.retry_count.<id>`, built once.
    let retryCountKey: String

    init(
        index: Int,
        spec: NodeSpec,
        handler: any NodeHandler,
        edges: [CompiledEdge],
        retry: RetrySettings,
        isGoalGate: Bool,
        allowPartial: Bool,
        timeout: Duration?,
        role: NodeRole,
        retryTarget: Int?,
        fallbackRetryTarget: Int?,
        expandsContextInPrompt: Bool
    ) {
        self.index = index
        self.spec = spec
        self.handler = handler
        self.edges = edges
        self.retry = retry
        self.isGoalGate = isGoalGate
        self.allowPartial = allowPartial
        self.timeout = timeout
        self.role = role
        self.retryTarget = retryTarget
        self.fallbackRetryTarget = fallbackRetryTarget
        self.expandsContextInPrompt = expandsContextInPrompt
        switch role {
        case .plain, .exit: self.callsHandlerDirectly = timeout == nil
        case .parallel, .managerLoop: self.callsHandlerDirectly = false
        }
        self.idValue = .string(spec.id)
        self.retryCountKey = "internal.retry_count." + spec.id
        self.conditionalOrder = edges.indices.filter { edges[$0].condition != nil }.sorted { Self.ranks(edges[$0], before: edges[$1]) }
        self.bestUnconditional = edges.indices.filter { edges[$0].condition == nil }.min { Self.ranks(edges[$0], before: edges[$1]) }
        self.hasLabeledUnconditionalEdge = edges.contains { $0.condition == nil && !$0.normalizedLabel.isEmpty }
    }

    /// Specification order among eligible edges: higher weight first, then the lexically smaller target id.
    static func ranks(_ lhs: CompiledEdge, before rhs: CompiledEdge) -> Bool {
        if lhs.weight != rhs.weight { return lhs.weight > rhs.weight }
        return lhs.targetID < rhs.targetID
    }

    /// Whether `status` satisfies this node as a goal gate: success or partial success (the
    /// specification's `check_goal_gates`; `allow_partial` only decides what exhausted retries end in).
    func satisfiesGate(_ status: OutcomeStatus) -> Bool {
        status == .success || status == .partialSuccess
    }
}

/// What the engine does with a node besides calling its handler.
enum NodeRole: Sendable, Equatable {
    /// Call the handler, route by its outcome.
    case plain
    /// An exit node: goal gates are checked before it runs and the run ends after it.
    case exit
    /// A parallel fan-out: the engine runs each outgoing edge's branch concurrently up to `join`,
    /// then continues at `join` (`PipelineChecks.join`). `joinsAtFanIn`: `join` is a fan-in node,
    /// which reads every branch's result and routes even when all of them failed.
    case parallel(join: Int, joinsAtFanIn: Bool)
    /// A manager loop: the engine runs the child pipeline the node names.
    case managerLoop
}

/// One outgoing edge of a compiled node.
public struct CompiledEdge: Sendable {
    /// The target node's index.
    public let target: Int
    /// The target node's id.
    public let targetID: String
    /// The `label` as text.
    public let label: String
    /// The label lowercased, trimmed and without an accelerator prefix (see `EdgeLabel.normalized`).
    public let normalizedLabel: String
    /// The parsed condition, or `nil` when the edge has none.
    let condition: CompiledCondition?
    /// Whether the condition reads `outcome` (such an edge explicitly handles the outcomes it names).
    let conditionReadsOutcome: Bool
    /// The `weight` (default 0).
    public let weight: Int
    /// Whether following the edge restarts the run (`loop_restart=true`).
    public let loopRestart: Bool
    /// The `fidelity` the edge gives its target's LLM stage (it wins over the node's), or `nil`.
    public var fidelity: String? = nil
    /// The `thread_id` the edge gives its target's LLM stage, or `nil`.
    public var threadID: String? = nil
}

/// How a node's failed attempts are retried.
public struct RetrySettings: Sendable, Equatable {
    /// Total attempts per visit (1 means no retries).
    public var maxAttempts: Int
    /// The delay between attempts.
    public var backoff: BackoffPolicy
}
