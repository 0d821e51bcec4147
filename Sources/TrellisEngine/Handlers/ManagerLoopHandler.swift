import TrellisDOT

/// The manager loop (`house`, type `stack.manager_loop`): supervises a child pipeline in
/// observe / steer / wait cycles (pipeline specification, manager loop handler).
///
/// The engine runs this node itself, because it needs the registry and the engine. The child
/// pipeline file comes from the node's `stack.child_dotfile` (or `manager.pipeline`), else the
/// graph's `stack.child_dotfile`; a relative path is taken from the parent pipeline's directory
/// (validation refuses a manager without a readable child). The child starts at once, on a copy
/// of the context, with its files under `<run dir>/<node>/child`. Then, for up to
/// `manager.max_cycles` cycles (default 1000), doing what `manager.actions` lists (default
/// `observe,wait`):
/// - observe: publish the child's telemetry as `stack.child.*` (`status` running, completed or
///   failed; `outcome`, `active_node`, `completed_nodes`, `failed_nodes`, `retries`,
///   `failure_reason`, `cycles`);
/// - steer: write the node's `prompt` as `steer.md` into the child's active stage directory,
///   once per stage, where that stage's next LLM call appends it to its prompt;
/// - when the child has ended: succeed if it succeeded (or `manager.stop_condition` holds on its
///   final context), else fail with its reason; `stack.child.context` holds the keys it changed;
/// - when `manager.stop_condition` holds on the telemetry: succeed and stop the child;
/// - wait: sleep `manager.poll_interval` (default 45s), waking early when the child ends.
/// Running out of cycles stops the child and fails the node.
public struct ManagerLoopHandler: NodeHandler {
    /// Creates the handler.
    public init() {}

    /// Called only when a manager node is run outside an engine; the engine runs the child itself.
    public nonisolated(nonsending) func execute(_ request: HandlerRequest) async throws -> Outcome {
        Outcome.failure("manager loop node '\(request.node.id)' can only run inside Engine.run, which runs its child pipeline")
    }

    /// The built-in registration of type `stack.manager_loop`.
    public static let registration = RegisteredHandler(
        typeID: NodeTypes.managerLoop, handler: ManagerLoopHandler(),
        schema: AttributeSchema(attributes: [
            AttributeSpec(name: "stack.child_dotfile", type: .string, summary: "the child pipeline file"),
            AttributeSpec(name: "manager.pipeline", type: .string, summary: "the child pipeline file (alternative spelling)"),
            AttributeSpec(name: "manager.max_cycles", type: .integer, summary: "observation cycles before the manager gives up (default 1000)"),
            AttributeSpec(name: "manager.poll_interval", type: .duration, summary: "the wait between cycles (default 45s)"),
            AttributeSpec(name: "manager.actions", type: .string, summary: "what each cycle does: observe, steer, wait (default observe,wait)"),
            AttributeSpec(name: "manager.stop_condition", type: .string, summary: "a condition on the child's telemetry or final context that ends the loop successfully"),
            AttributeSpec(name: "stack.child_autostart", type: .boolean, summary: "start the child with the node (only true is supported)"),
            AttributeSpec(name: "prompt", type: .string, summary: "the instruction the steer action gives the child's active stage"),
        ]),
        summary: "supervises a child pipeline: observe, steer and wait cycles until it ends")
}
