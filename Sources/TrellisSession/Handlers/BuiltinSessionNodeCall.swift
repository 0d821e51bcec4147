import TrellisEngine
import TrellisSessionNodes

/// A session node visit on the built-in path: the engine's request seen as a `SessionNodeCall`,
/// so the built-in handlers run the one implementation in `SessionNodes`. Values are the
/// context's own (shared storage, no copy); adapters are the run's.
struct BuiltinSessionNodeCall: SessionNodeCall {
    let request: HandlerRequest

    func attribute(_ name: String) -> String? { request.node.attribute(name) }
    func value(_ key: String) -> ContextValue? { request.context[key] }
    func listCount(_ key: String) -> Int? { request.context[key]?.listCount }
    var readsValuesInPlace: Bool { true }
    func mapField(_ key: String, field: String) -> ContextValue? { request.context[key]?[field] }
    func listItemText(_ key: String, at index: Int, field: String) -> String? {
        guard let items = request.context[key]?.list, items.indices.contains(index) else { return nil }
        return items[index][field]?.string
    }

    nonisolated(nonsending) func recall(agentID: String, query: String, storingAt key: String) async throws -> [ContextValue]? {
        guard let memory = request.adapters.memory else { throw SessionNodeError.missingAdapter("memory") }
        return try await memory.recall(agentID: agentID, query: query)
    }

    nonisolated(nonsending) func update(agentID: String, entry: ContextValue) async throws {
        guard let memory = request.adapters.memory else { throw SessionNodeError.missingAdapter("memory") }
        try await memory.update(agentID: agentID, entry: entry)
    }

    nonisolated(nonsending) func dispatch(_ calls: [ContextValue]) async throws -> [ContextValue] {
        guard let tools = request.adapters.tools else { throw SessionNodeError.missingAdapter("tools") }
        return try await tools.dispatch(calls)
    }

    nonisolated(nonsending) func complete(_ request: SessionLLMRequest) async throws -> SessionLLMAnswer {
        guard let llm = self.request.adapters.llm else { throw SessionNodeError.missingAdapter("llm") }
        let response = try await llm.complete(LLMRequest(
            prompt: request.prompt, messages: request.messages ?? self.request.context[SessionKeys.messages]?.messageList ?? MessageList(),
            model: request.model, provider: request.provider, options: request.options,
            tools: self.request.adapters.tools?.offers ?? []))
        return SessionLLMAnswer(content: response.content, toolCalls: response.toolCalls)
    }
}

/// Runs one built-in session node: the behaviour (written once in `SessionNodes`) over the
/// request, its result as the engine's outcome, a missing adapter as a failure naming the node.
enum SessionNodeRunner {
    static func run(_ request: HandlerRequest, _ behaviour: (BuiltinSessionNodeCall) async throws -> SessionNodeResult) async throws -> Outcome {
        let result: SessionNodeResult
        do {
            result = try await behaviour(BuiltinSessionNodeCall(request: request))
        } catch SessionNodeError.missingAdapter(let kind) {
            return .failure(SessionNodes.missingAdapter(kind, nodeID: request.node.id, type: request.node.type))
        }
        if let reason = result.failureReason { return .failure(reason) }
        var outcome = Outcome.success(result.updates, notes: result.notes)
        outcome.preferredLabel = result.preferredLabel
        return outcome
    }
}
