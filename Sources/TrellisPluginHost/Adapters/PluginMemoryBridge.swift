import CTrellisPlugin
import TrellisEngine

/// A plugin's memory adapter as the engine's `MemoryAdapter`.
/// (The plugin side is TrellisPluginKit's `PluginMemoryAdapter` protocol.)
struct PluginMemoryBridge: MemoryAdapter {
    let function: PluginAdapterFunctions

    func recall(agentID: String, query: String) async throws -> [ContextValue] {
        let answer = try await function.performJSON("memory_recall") { state, handle in
            withTrellisString(agentID) { agent in
                withTrellisString(query) { function.adapter.memory_recall(state, agent, $0, handle) }
            }
        }
        return try memories(answer)
    }

    /// `recall` without a task of its own (see `PluginLLMBridge.start`): `then` receives the
    /// memories on the thread that answers.
    func startRecall(agentID: String, query: String, then: @escaping @Sendable (Result<[ContextValue], any Error>) -> Void) {
        function.reply("memory_recall").start({ handle in
            withTrellisString(agentID) { agent in
                withTrellisString(query) { function.adapter.memory_recall(function.adapter.state, agent, $0, handle) }
            }
        }, then: { [self] answer in
            then(Result { try memories(function.json(answer.get(), of: "memory_recall")) })
        })
    }

    private func memories(_ answer: ContextValue) throws -> [ContextValue] {
        switch answer {
        case .list(let items): return items
        case .null: return []
        default: throw PluginAdapterError(message: "memory_recall of adapter '\(function.qualifiedName)' answered \(answer.jsonText), expected a JSON list")
        }
    }

    func update(agentID: String, entry: ContextValue) async throws {
        let (reply, entryJSON) = updateReply(entry)
        _ = try await function.performJSON("memory_update", reply: reply) { state, handle in
            withTrellisString(agentID) { agent in
                withTrellisString(entryJSON) { function.adapter.memory_update(state, agent, $0, handle) }
            }
        }
    }

    /// `update` without a task of its own (see `PluginLLMBridge.start`).
    func startUpdate(agentID: String, entry: ContextValue, then: @escaping @Sendable (Result<Void, any Error>) -> Void) {
        let (reply, entryJSON) = updateReply(entry)
        reply.start({ handle in
            withTrellisString(agentID) { agent in
                withTrellisString(entryJSON) { function.adapter.memory_update(function.adapter.state, agent, $0, handle) }
            }
        }, then: { [function] answer in
            then(Result { _ = try function.json(answer.get(), of: "memory_update") })
        })
    }

    /// The pending update and the entry's JSON text. ABI 1.3: a map entry is read by the plugin
    /// with reply_memory_entry, so its text is empty.
    private func updateReply(_ entry: ContextValue) -> (PluginReply, String) {
        if function.requestByAccessor, case .map(let fields) = entry {
            return (function.reply("memory_update", memoryEntry: fields), "")
        }
        return (function.reply("memory_update"), entry.jsonText)
    }
}
