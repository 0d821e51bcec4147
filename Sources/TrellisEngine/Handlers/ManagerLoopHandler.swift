import TrellisDOT

/// The manager loop (`house`, type `stack.manager_loop`): runs a child pipeline and observes its outcome.
///
/// The engine runs this node itself, because it needs the registry and the engine. The child
/// pipeline file comes from the node's `stack.child_dotfile` (or `manager.pipeline`), else the
/// graph's `stack.child_dotfile`; a relative path is taken from the parent pipeline's directory
/// (or the working directory when the parent was not read from a file). The child runs on a copy
/// of the context, with its artifacts under `<run dir>/<node>/child-<cycle>`. Up to
/// `manager.max_cycles` (default 1) cycles run the child again while it fails. The node succeeds
/// when a child run succeeds, or when `manager.stop_condition` (a condition, evaluated on the
/// child's final context and status) holds; otherwise it fails with the child's reason.
/// It records `stack.child.status` (`completed` or `failed`), `stack.child.outcome`,
/// `stack.child.completed_nodes`, `stack.child.failure_reason`, `stack.child.cycles` and
/// `stack.child.context` (the keys the child changed).
public struct ManagerLoopHandler: NodeHandler {
    /// Creates the handler.
    public init() {}

    /// Called only when a manager node is run outside an engine; the engine runs the child itself.
    public func execute(_ request: HandlerRequest) async throws -> Outcome {
        Outcome.failure("manager loop node '\(request.node.id)' can only run inside Engine.run, which runs its child pipeline")
    }

    /// The built-in registration of type `stack.manager_loop`.
    public static let registration = RegisteredHandler(
        typeID: NodeTypes.managerLoop, handler: ManagerLoopHandler(),
        schema: AttributeSchema(attributes: [
            AttributeSpec(name: "stack.child_dotfile", type: .string, summary: "the child pipeline file"),
            AttributeSpec(name: "manager.pipeline", type: .string, summary: "the child pipeline file (alternative spelling)"),
            AttributeSpec(name: "manager.max_cycles", type: .integer, summary: "how many times a failing child is run (default 1)"),
            AttributeSpec(name: "manager.stop_condition", type: .string, summary: "a condition on the child's context that ends the loop successfully"),
        ]),
        summary: "runs a child pipeline and observes its outcome")
}
