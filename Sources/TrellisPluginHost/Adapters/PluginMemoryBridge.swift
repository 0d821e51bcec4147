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
        switch answer {
        case .list(let items): return items
        case .null: return []
        default: throw PluginAdapterError(message: "memory_recall of adapter '\(function.qualifiedName)' answered \(answer.jsonText), expected a JSON list")
        }
    }

    func update(agentID: String, entry: ContextValue) async throws {
        // ABI 1.3: a map entry is read by the plugin with reply_memory_entry, without JSON.
        if function.requestByAccessor, case .map(let fields) = entry {
            _ = try await function.performJSON("memory_update", reply: function.reply("memory_update", memoryEntry: fields)) { state, handle in
                withTrellisString(agentID) { function.adapter.memory_update(state, $0, .empty, handle) }
            }
            return
        }
        let json = entry.jsonText
        _ = try await function.performJSON("memory_update") { state, handle in
            withTrellisString(agentID) { agent in
                withTrellisString(json) { function.adapter.memory_update(state, agent, $0, handle) }
            }
        }
    }
}
