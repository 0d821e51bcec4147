import Foundation
import TrellisEngine

/// `session.memory_consolidate`: applies the memory adapter's consolidation policy to
/// `session.agent_id`'s memories (for heartbeat graphs; see `docs/memory.md`) and writes
/// what it did to `session.memory_consolidation`.
///
/// A memory that does not consolidate (`InMemoryMemory` bounds itself; plugin memories
/// may manage their own storage) is not an error: the node succeeds and writes nothing, so
/// one heartbeat graph serves sessions whatever memory they are configured with.
public struct MemoryConsolidateHandler: NodeHandler {
    /// The context key the report is written to: a map of `merged`, `digests`, `pruned`, `remaining`.
    public static let reportKey = "session.memory_consolidation"

    /// Creates the handler.
    public init() {}

    /// The registration of type `session.memory_consolidate`.
    public static let registration = RegisteredHandler(
        typeID: "session.memory_consolidate", handler: MemoryConsolidateHandler(),
        summary: "consolidate long-term memory through the memory adapter")

    /// Consolidates as of the current time.
    public nonisolated(nonsending) func execute(_ request: HandlerRequest) async throws -> Outcome {
        guard let memory = request.adapters.memory else {
            return .failure(SessionHandlers.missingAdapter("memory", node: request.node))
        }
        guard let consolidating = memory as? any ConsolidatingMemory else {
            return .success(notes: "the memory adapter does not consolidate")
        }
        let report = try await consolidating.consolidate(agentID: request.context.string(SessionKeys.agentID), now: Date())
        return .success([Self.reportKey: report.contextValue])
    }
}
