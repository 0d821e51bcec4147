import TrellisEngine

/// What one consolidation did.
public struct MemoryConsolidation: Sendable, Hashable {
    /// Entries folded into digests (step 1 of the policy).
    public var merged: Int
    /// Digests written.
    public var digests: Int
    /// Entries deleted to respect the cap (step 2).
    public var pruned: Int
    /// Entries the agent has afterwards.
    public var remaining: Int

    /// Creates a report.
    public init(merged: Int = 0, digests: Int = 0, pruned: Int = 0, remaining: Int = 0) {
        self.merged = merged
        self.digests = digests
        self.pruned = pruned
        self.remaining = remaining
    }

    /// The report as a context map (`merged`, `digests`, `pruned`, `remaining`).
    public var contextValue: ContextValue {
        .map(["merged": .integer(merged), "digests": .integer(digests), "pruned": .integer(pruned), "remaining": .integer(remaining)])
    }
}
