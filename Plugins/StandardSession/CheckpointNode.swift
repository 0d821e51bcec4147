import TrellisPluginKit

/// `session.checkpoint`: publishes a snapshot of the session's values as a
/// `session_checkpoint` event (fields: the snapshot and the message count) and writes
/// `session.last_checkpoint` (`turn N, M messages`).
///
/// The built-in version hands the snapshot to the session's checkpoint adapter (the store);
/// a plugin cannot reach the store through the C ABI, so this one leaves persistence to
/// whoever listens to the run's events.
struct CheckpointNode: SyncNodeHandler {
    func handle(_ call: inout NodeCall) throws -> NodeResult {
        var snapshot: [String: PluginValue] = [:]
        for key in SessionKey.snapshotKeys {
            if let value = call.value(key) { snapshot[key] = value }
        }
        let messageCount = call.messageCount
        call.emit("session_checkpoint", fields: ["snapshot": .map(snapshot), "message_count": .integer(messageCount)])
        let turn = call.integer(SessionKey.turnCount) ?? 0
        return .success([SessionKey.lastCheckpoint: .string("turn \(turn), \(messageCount) messages")])
    }
}
