import Foundation
import TrellisEngine

/// A memory that can be compacted between turns (by the heartbeat's
/// `session.memory_consolidate` node). Separate from the engine's `MemoryAdapter` so
/// that adapters which bound themselves (like `InMemoryMemory`) need not implement it.
public protocol ConsolidatingMemory: MemoryAdapter {
    /// Applies the memory's consolidation policy to `agentID`'s memories as of `now`.
    func consolidate(agentID: String, now: Date) async throws -> MemoryConsolidation
}
