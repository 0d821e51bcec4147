import TrellisDOT

/// The parallel fan-out (`component`, type `parallel`).
///
/// The engine runs this node itself, because it needs the graph: each outgoing edge's target
/// starts a branch that follows the graph until the join (`PipelineChecks.join`): the nearest
/// fan-in node (`tripleoctagon`), else the nearest node every branch reaches. Branches run
/// concurrently in a task group, at most `max_parallel` (default 4) at a time, each on its own
/// copy of the context. `join_policy` is `wait_all` (default: every branch runs to its end) or
/// `first_success` (the first successful branch cancels the others, which emit `node_cancelled`).
///
/// The node's outcome: `wait_all` succeeds when every branch succeeded, fails when none
/// succeeded even partially, else is a partial success; `first_success` succeeds when a branch
/// succeeded. Every branch's results are kept (see `ParallelResults`) and the run continues at
/// the join — at a fan-in even when every branch failed, so the fan-in's `outcome=fail` edge routes it.
public struct ParallelHandler: NodeHandler {
    /// Creates the handler.
    public init() {}

    /// Called only when a parallel node is run outside an engine; the engine runs branches itself.
    public nonisolated(nonsending) func execute(_ request: HandlerRequest) async throws -> Outcome {
        Outcome.failure("parallel node '\(request.node.id)' can only run inside Engine.run, which runs its branches")
    }

    /// The built-in registration of type `parallel`.
    public static let registration = RegisteredHandler(
        typeID: NodeTypes.parallel, handler: ParallelHandler(),
        schema: AttributeSchema(attributes: [
            AttributeSpec(name: "max_parallel", type: .integer, summary: "how many branches run at once (default 4)"),
            AttributeSpec(name: "join_policy", type: .string, summary: "wait_all (default) or first_success"),
        ]),
        summary: "fans out: runs each outgoing branch concurrently up to the fan-in node")
}
