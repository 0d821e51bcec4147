/// How `SQLiteMemory.consolidate(agentID:now:)` keeps an agent's long-term memory bounded.
///
/// Two steps, in this order, each deterministic (ties broken by insertion order):
///
/// 1. **Merge by day.** Let `cutoff` be the start (00:00 UTC) of the day containing
///    `now - mergeAfter`. Every UTC day before `cutoff` that holds two or more of the
///    agent's entries is folded into one *digest* entry: `input` and `response` are the
///    entries' texts joined by newlines, oldest first, each cut to `digestCharacterLimit`
///    characters; `turn` is the latest turn, `merged_turns` the number of turns it stands
///    for, `input_type` is `"digest"`, `day` the UTC date, `working_memory` the latest one
///    present; its time is the latest entry's, so it stays in its day and its recency. A
///    day is only merged once it is wholly before `cutoff`, so a digest never has to be
///    merged again (a day that already holds a single entry or a digest is left alone).
/// 2. **Cap the count.** Of what remains, the newest `maxEntriesPerAgent` entries (by
///    time, then insertion) are kept and older ones deleted.
///
/// Merging keeps old turns findable by their words at a fraction of the rows; the cap
/// bounds the cost of recall and consolidation whatever the length of a conversation.
public struct MemoryConsolidationPolicy: Sendable, Hashable {
    /// The most entries (turns and digests) kept per agent (default 500).
    public var maxEntriesPerAgent: Int
    /// Entries at least this old (rounded down to a whole UTC day) are merged per day (default 7 days).
    public var mergeAfter: Duration
    /// The most characters a digest keeps of its joined inputs, and of its joined responses (default 4000).
    public var digestCharacterLimit: Int

    /// Creates a policy; negative numbers count as zero.
    public init(maxEntriesPerAgent: Int = 500, mergeAfter: Duration = .seconds(7 * 86_400), digestCharacterLimit: Int = 4_000) {
        self.maxEntriesPerAgent = max(0, maxEntriesPerAgent)
        self.mergeAfter = mergeAfter < .zero ? .zero : mergeAfter
        self.digestCharacterLimit = max(0, digestCharacterLimit)
    }
}
