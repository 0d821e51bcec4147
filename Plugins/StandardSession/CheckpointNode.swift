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
        for key in Self.snapshotKeys {
            if let value = call.value(key) { snapshot[key] = value }
        }
        let messageCount = call.messageCount
        call.emit("session_checkpoint", fields: ["snapshot": .map(snapshot), "message_count": .integer(messageCount)])
        let turn = call.integer(SessionContextKeys.turnCount) ?? 0
        return .success([SessionContextKeys.lastCheckpoint: .string("turn \(turn), \(messageCount) messages")])
    }

    /// The keys the snapshot holds (the ABI cannot list a context's keys, so they are named).
    private static let snapshotKeys = [
        SessionContextKeys.sessionID, SessionContextKeys.agentID, SessionContextKeys.sessionType,
        SessionContextKeys.phase, SessionContextKeys.traceID, SessionContextKeys.turnCount,
        SessionContextKeys.cognitiveMode, SessionContextKeys.goals, SessionContextKeys.workingMemory,
        SessionContextKeys.input, SessionContextKeys.inputType, SessionContextKeys.response,
        SessionContextKeys.signalTopic,
    ]
}
