import CTrellisPlugin
import TrellisEngine

/// A plugin's memory adapter as the engine's `MemoryAdapter`.
/// (The plugin side is TrellisPluginKit's `PluginMemoryAdapter` protocol.)
struct PluginMemoryBridge: MemoryAdapter {
    let function: PluginAdapterFunctions

    func recall(agentID: String, query: String) async throws -> [ContextValue] {
        let answer = try await function.perform("memory_recall") { state, handle in
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
        let json = entry.jsonText
        _ = try await function.perform("memory_update") { state, handle in
            withTrellisString(agentID) { agent in
                withTrellisString(json) { function.adapter.memory_update(state, agent, $0, handle) }
            }
        }
    }
}
