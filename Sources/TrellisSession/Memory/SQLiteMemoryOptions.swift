/// Settings of a `SQLiteMemory`.
///
/// Recall ranks each match by
///
///     score = relevance × (1 + recencyWeight / (1 + age / recencyHalfLife))
///
/// where `relevance = −bm25(memories_fts, 2, 1, 0.5)` (FTS5's BM25 with the user's input
/// weighted twice the reply and the reply twice the working memory; SQLite's `bm25` is
/// negative, better matches more so) and `age = max(0, now − stored time)`. The recency
/// factor is a hyperbolic decay rather than an exponential one because it needs only the
/// arithmetic SQLite always has (its math functions are a compile-time option), so the
/// whole ranking runs in one `ORDER BY … LIMIT` over every match instead of re-ranking a
/// truncated candidate list. A memory stored now gets up to `1 + recencyWeight` times its
/// relevance, one `recencyHalfLife` old half that boost; relevance stays the main term, so
/// a much better old match still beats a weak new one. Equal scores go to the newer entry.
public struct SQLiteMemoryOptions: Sendable, Hashable {
    /// The most memories one recall returns (default 3, as `InMemoryMemory`).
    public var recallLimit: Int
    /// How much recency can multiply relevance: up to `1 + recencyWeight` (default 1; 0 ranks by BM25 alone).
    public var recencyWeight: Double
    /// The age at which the recency boost has halved (default 7 days).
    public var recencyHalfLife: Duration
    /// Read-only connections recalls share (default 4); see `SQLiteMemory` on locking.
    public var readerConnections: Int
    /// What `consolidate(agentID:now:)` does.
    public var consolidation: MemoryConsolidationPolicy

    /// Creates options; out-of-range numbers are clamped (at least one reader, no negative weights).
    public init(
        recallLimit: Int = 3, recencyWeight: Double = 1, recencyHalfLife: Duration = .seconds(7 * 86_400),
        readerConnections: Int = 4, consolidation: MemoryConsolidationPolicy = MemoryConsolidationPolicy()
    ) {
        self.recallLimit = max(0, recallLimit)
        self.recencyWeight = recencyWeight.isFinite ? max(0, recencyWeight) : 0
        self.recencyHalfLife = recencyHalfLife > .zero ? recencyHalfLife : .milliseconds(1)
        self.readerConnections = max(1, readerConnections)
        self.consolidation = consolidation
    }
}
