import CTrellisPlugin
import TrellisEngine

/// The function table of a plugin-provided adapter, copied at registration.
///
/// `@unchecked Sendable`: immutable; the pointers belong to an image that is never unloaded,
/// and the ABI requires adapter operations to be callable concurrently from any thread.
struct PluginAdapterFunctions: @unchecked Sendable {
    typealias CancelFunction = @convention(c) (UnsafeMutableRawPointer?, OpaquePointer?) -> Void

    let kind: PluginAdapter.Kind
    let pluginID: String
    let name: String
    let adapter: trellis_adapter

    var qualifiedName: String { pluginID + "." + name }

    /// Runs one operation: `start` calls the plugin's function with the reply handle; the
    /// answer's JSON text is returned.
    func perform(_ operation: String, _ start: (UnsafeMutableRawPointer?, OpaquePointer) -> trellis_status) async throws -> ContextValue {
        let reply = PluginReply(description: "\(operation) of adapter '\(qualifiedName)'", pluginID: pluginID)
        let text = try await reply.perform(self) { handle in start(adapter.state, handle) }
        do {
            return try ContextValue(jsonText: text)
        } catch {
            throw PluginAdapterError(message: "\(operation) of adapter '\(qualifiedName)' answered text that is not JSON: \(error.reason)")
        }
    }
}

/// A plugin's LLM adapter as the engine's `LLMAdapter`.
struct PluginLLMAdapter: LLMAdapter {
    let function: PluginAdapterFunctions

    func complete(_ request: LLMRequest) async throws -> LLMResponse {
        let json = LLMRequestJSON.encode(request)
        let answer = try await function.perform("llm_complete") { state, handle in
            withTrellisString(json) { function.adapter.llm_complete(state, $0, handle) }
        }
        return try LLMRequestJSON.decodeResponse(answer, from: function.qualifiedName)
    }
}

/// A plugin's memory adapter as the engine's `MemoryAdapter`.
struct PluginMemoryAdapter: MemoryAdapter {
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

/// A plugin's tools adapter as the engine's `ToolsAdapter`.
struct PluginToolsAdapter: ToolsAdapter {
    let function: PluginAdapterFunctions

    func dispatch(_ calls: [ContextValue]) async throws -> [ContextValue] {
        let json = ContextValue.list(calls).jsonText
        let answer = try await function.perform("tools_dispatch") { state, handle in
            withTrellisString(json) { function.adapter.tools_dispatch(state, $0, handle) }
        }
        guard case .list(let results) = answer else {
            throw PluginAdapterError(message: "tools_dispatch of adapter '\(function.qualifiedName)' answered \(answer.jsonText), expected a JSON list")
        }
        return results
    }
}
