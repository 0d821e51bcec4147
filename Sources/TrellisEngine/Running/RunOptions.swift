/// How one `Engine.run` behaves beyond what the graph says.
public struct RunOptions: Sendable {
    /// The most node executions the run may make before it fails (a guard against endless
    /// loops). `nil` takes the graph attribute `max_steps`, else `RunOptions.defaultMaxSteps`.
    public var maxSteps: Int?
    /// A run directory holding a `checkpoint.json` to continue from, or `nil` for a fresh run.
    /// The run continues exactly where the checkpoint says, writing into the same directory.
    public var resumeFrom: String?
    /// Route as the specification's pseudocode does where Trellis deliberately does not
    /// (`trellis run --spec-routing`; docs/semantics.md lists the differences): when no edge is
    /// eligible, follow the best of all edges (weight, then target id), even one whose condition
    /// is false, instead of failing; check only the goal gates that ran, instead of counting a
    /// gate that never ran as unsatisfied; and end a run that reaches a node without outgoing
    /// edges (not an exit, not failed) as a success, instead of with that node's status after
    /// checking the goal gates.
    public var specRouting = false
    /// When the checkpoint is synced to disk (see `RunDurability`; default `batched`).
    public var durability: RunDurability

    /// The step limit when neither the options nor the graph set one.
    public static let defaultMaxSteps = 1_000

    /// Creates options.
    public init(maxSteps: Int? = nil, resumeFrom: String? = nil, specRouting: Bool = false, durability: RunDurability = .batched) {
        self.maxSteps = maxSteps
        self.resumeFrom = resumeFrom
        self.specRouting = specRouting
        self.durability = durability
    }
}
