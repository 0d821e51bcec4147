import TrellisPluginKit
import TrellisSessionNodes

/// A session node visit on the plugin path: the SDK's `NodeCall` seen as a `SessionNodeCall`,
/// so the plugin runs the one implementation in `SessionNodes`. Small values are read through
/// the C ABI's typed getters; the history is never copied for a model call (the host passes
/// `session.messages` itself), only when a tool round has to rearrange or extend it; recalled
/// memories go from the adapter into the context without entering the plugin.
struct PluginSessionNodeCall: SessionNodeCall {
    let call: NodeCall

    func attribute(_ name: String) -> String? { call.attribute(name) }
    func value(_ key: String) -> PluginValue? { call.value(key) }
    func listCount(_ key: String) -> Int? { call.listCount(key) }
    func listItemText(_ key: String, at index: Int, field: String) -> String? { call.listItemString(key, at: index, field: field) }
    var readsValuesInPlace: Bool { false }
    func mapField(_ key: String, field: String) -> PluginValue? { call.mapField(key, field: field) }

    /// The host writes the memories to `key` itself (`recall_into`): nil, nothing to write.
    nonisolated(nonsending) func recall(agentID: String, query: String, storingAt key: String) async throws -> [PluginValue]? {
        _ = try await call.memory.recall(agentID: agentID, query: query, storingAt: key)
        return nil
    }

    nonisolated(nonsending) func update(agentID: String, entry: PluginValue) async throws {
        try await call.memory.update(agentID: agentID, entry: entry)
    }

    nonisolated(nonsending) func dispatch(_ calls: [PluginValue]) async throws -> [PluginValue] {
        try await call.tools.dispatch(calls)
    }

    nonisolated(nonsending) func complete(_ request: SessionLLMRequest) async throws -> SessionLLMAnswer {
        let answer = try await call.llm.complete(LLMCompletionRequest(
            prompt: request.prompt, messages: request.messages.map(Array.init) ?? [], model: request.model, provider: request.provider,
            options: request.options, useSessionMessages: request.messages == nil, offerTools: true))
        return SessionLLMAnswer(content: answer.content, toolCalls: answer.toolCalls)
    }
}

extension NodeResult {
    /// The SDK's result for a session node's result.
    init(_ result: SessionNodeResult) {
        if let reason = result.failureReason {
            self = .failure(reason)
        } else {
            self.init(status: .success, updates: result.updates, preferredLabel: result.preferredLabel, notes: result.notes)
        }
    }
}

/// A synchronous session node type of the plugin: its behaviour is in `SessionNodes`.
struct SyncSessionNode: SyncNodeHandler {
    let behaviour: @Sendable (PluginSessionNodeCall) -> SessionNodeResult

    func handle(_ call: inout NodeCall) throws -> NodeResult {
        NodeResult(behaviour(PluginSessionNodeCall(call: call)))
    }
}

/// An asynchronous session node type of the plugin (it calls an adapter): its behaviour is in `SessionNodes`.
struct AsyncSessionNode: AsyncNodeHandler {
    let behaviour: nonisolated(nonsending) @Sendable (PluginSessionNodeCall) async throws -> SessionNodeResult

    nonisolated(nonsending) func handle(_ call: inout NodeCall) async throws -> NodeResult {
        NodeResult(try await behaviour(PluginSessionNodeCall(call: call)))
    }
}
