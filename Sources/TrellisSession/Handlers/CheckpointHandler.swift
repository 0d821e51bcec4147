import Foundation
import TrellisEngine

/// Keeps session snapshots taken by `session.checkpoint` nodes (the session store is one).
public protocol CheckpointAdapter: Sendable {
    /// Stores `snapshot` (a map of the session's `session.*` values) for `sessionID`.
    func checkpoint(sessionID: String, snapshot: ContextValue) async throws
}

/// The store keeps each session's last checkpoint (`SessionStore.checkpoint(sessionID:snapshot:)`).
extension SessionStore: CheckpointAdapter {}

/// The checkpoint adapter of the running session. A task-local rather than a field of
/// `AdapterSet` (which the engine owns) so that it reaches handlers, and any child task of
/// the run, without the engine knowing about it.
public enum SessionCheckpointing {
    /// The adapter for runs started inside `$adapter.withValue(...)`; `nil` outside sessions.
    @TaskLocal public static var adapter: (any CheckpointAdapter)?
}

/// `session.checkpoint`: hands a snapshot of every `session.*` value of the context to the
/// session's checkpoint adapter and writes the time it was taken to `session.last_checkpoint`.
public struct CheckpointHandler: NodeHandler {
    /// Creates the handler.
    public init() {}

    /// The registration of type `session.checkpoint`.
    public static let registration = RegisteredHandler(
        typeID: "session.checkpoint", handler: CheckpointHandler(),
        summary: "store a snapshot of the session through the checkpoint adapter")

    /// Takes the snapshot.
    public nonisolated(nonsending) func execute(_ request: HandlerRequest) async throws -> Outcome {
        guard let adapter = SessionCheckpointing.adapter else {
            return .failure(SessionHandlers.missingAdapter("checkpoint", node: request.node))
        }
        var snapshot: [String: ContextValue] = [:]
        request.context.forEach { key, value in if key.hasPrefix("session.") { snapshot[key] = value } }
        try await adapter.checkpoint(sessionID: request.context.string(SessionKeys.sessionID), snapshot: .map(snapshot))
        let stamp = ISO8601DateFormatter().string(from: Date())
        return .success([SessionKeys.lastCheckpoint: .string(stamp)])
    }
}
