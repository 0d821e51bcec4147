/// How one `Engine.run` behaves beyond what the graph says.
public struct RunOptions: Sendable {
    /// The most node executions the run may make before it fails (a guard against endless
    /// loops). `nil` takes the graph attribute `max_steps`, else `RunOptions.defaultMaxSteps`.
    public var maxSteps: Int?
    /// A run directory holding a `checkpoint.json` to continue from, or `nil` for a fresh run.
    /// The run continues exactly where the checkpoint says, writing into the same directory.
    public var resumeFrom: String?
    /// When the checkpoint is synced to disk (see `RunDurability`; default `batched`).
    public var durability: RunDurability

    /// The step limit when neither the options nor the graph set one.
    public static let defaultMaxSteps = 1_000

    /// Creates options.
    public init(maxSteps: Int? = nil, resumeFrom: String? = nil, durability: RunDurability = .batched) {
        self.maxSteps = maxSteps
        self.resumeFrom = resumeFrom
        self.durability = durability
    }
}
