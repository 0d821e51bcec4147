import Foundation
import TrellisEngine

extension SQLiteMemory {
    /// Milliseconds in a day: the unit `created_at` is bucketed by when merging.
    static let dayMilliseconds: Int64 = 86_400_000

    /// Applies `options.consolidation` (see `MemoryConsolidationPolicy`) to `agentID`'s
    /// memories as of `now`, in one transaction on the writer queue.
    public func consolidate(agentID: String, now: Date) async throws -> MemoryConsolidation {
        let policy = options.consolidation
        let age = policy.mergeAfter.components
        let threshold = Self.milliseconds(now) - age.seconds * 1_000 - age.attoseconds / 1_000_000_000_000_000
        // Start of the UTC day holding the threshold (rounding toward minus infinity).
        let cutoff = (threshold >= 0 ? threshold / Self.dayMilliseconds : (threshold + 1) / Self.dayMilliseconds - 1)
            * Self.dayMilliseconds
        do {
            return try await perform { database in
                try Self.consolidate(agentID: agentID, cutoff: cutoff, policy: policy, in: database)
            }
        } catch {
            throw SessionError.store("cannot consolidate the memories of '\(agentID)' in '\(path)': \(error)")
        }
    }

    private static func consolidate(
        agentID: String, cutoff: Int64, policy: MemoryConsolidationPolicy, in database: SQLiteDatabase
    ) throws -> MemoryConsolidation {
        var report = MemoryConsolidation()
        // Only days with something to merge are read, so a consolidation with nothing to do
        // costs one index scan of integers.
        var days: [Int64] = []
        try database.query("""
            SELECT created_at / 86400000 AS day FROM memories
            WHERE agent_id=?1 AND created_at >= 0 AND created_at < ?2
            GROUP BY day HAVING COUNT(*) > 1 ORDER BY day
            """, [.text(agentID), .integer(cutoff)]) { row in days.append(Int64(row.integer(0))) }
        for day in days {
            let range: [SQLiteValue] = [.text(agentID), .integer(day * dayMilliseconds), .integer((day + 1) * dayMilliseconds)]
            var rows: [MemoryRow] = []
            try database.query(
                "SELECT created_at, entry FROM memories WHERE agent_id=?1 AND created_at >= ?2 AND created_at < ?3 ORDER BY created_at, id",
                range
            ) { row in rows.append(MemoryRow(entry: try ContextValue(jsonText: row.text(1)), createdAt: Int64(row.integer(0)))) }
            try database.run("DELETE FROM memories WHERE agent_id=?1 AND created_at >= ?2 AND created_at < ?3", range)
            try MemoryRow.digest(of: rows, day: day, characterLimit: policy.digestCharacterLimit)
                .insert(agentID: agentID, into: database)
            report.merged += rows.count
            report.digests += 1
        }
        report.pruned = try database.run("""
            DELETE FROM memories WHERE id IN (
                SELECT id FROM memories WHERE agent_id=?1 ORDER BY created_at DESC, id DESC LIMIT -1 OFFSET ?2)
            """, [.text(agentID), .integer(Int64(policy.maxEntriesPerAgent))])
        try database.query("SELECT COUNT(*) FROM memories WHERE agent_id=?1", [.text(agentID)]) { row in
            report.remaining = row.integer(0)
        }
        return report
    }
}
