import CTrellisPlugin

/// The `state` behind one registered adapter: runs each operation in a task and answers the
/// host through `adapter_reply` exactly once. Retained for the life of the process.
final class AdapterRuntime: Sendable {
    let runtime: PluginRuntime
    let adapter: AdapterDefinition.Adapter
    let pending = PendingTasks()

    init(runtime: PluginRuntime, adapter: AdapterDefinition.Adapter) {
        self.runtime = runtime
        self.adapter = adapter
    }

    /// Starts `operation` for `reply` and answers with its JSON result or its error.
    func answer(_ reply: HostHandle, _ operation: @escaping @Sendable () async throws -> PluginValue) -> trellis_status {
        let runtime = runtime
        let pending = pending
        pending.start(reply) { task in
            let status: trellis_status
            var result = ""
            var message = ""
            do {
                result = try await operation().jsonText
                status = TRELLIS_OK
            } catch {
                message = NodeTypeRuntime.describe(error)
                status = TRELLIS_ERROR
            }
            pending.finish(reply, task)
            withTrellisString(result) { resultText in
                withTrellisString(message) { runtime.host.table.pointee.adapter_reply!(reply.pointer, status, resultText, $0) }
            }
        }
        return TRELLIS_OK
    }

    func cancel(_ reply: HostHandle) {
        pending.cancel(reply)
    }

    static func from(_ state: UnsafeMutableRawPointer?) -> AdapterRuntime? {
        guard let state else { return nil }
        return Unmanaged<AdapterRuntime>.fromOpaque(state).takeUnretainedValue()
    }
}

/// `trellis_adapter.llm_complete`.
func adapterLLMComplete(_ state: UnsafeMutableRawPointer?, _ requestJSON: trellis_string, _ reply: OpaquePointer?) -> trellis_status {
    guard let runtime = AdapterRuntime.from(state), let reply, case .llm(let llm) = runtime.adapter else { return TRELLIS_ERROR }
    let text = String(borrowing: requestJSON)
    let host = runtime.runtime.host
    let handle = HostHandle(pointer: reply)
    return runtime.answer(handle) {
        let request = try LLMCompletionRequest(json: PluginValue(jsonText: text, maximumDepth: PluginValue.sdkMaximumJSONDepth))
        let context = LLMCompletionContext(host: host, reply: handle, isStreaming: request.stream)
        // Before `answer` replies: a piece published later must not touch the freed reply.
        defer { context.finish() }
        return try await llm.complete(request, context: context).json
    }
}

/// `trellis_adapter.memory_recall`.
func adapterMemoryRecall(_ state: UnsafeMutableRawPointer?, _ agentID: trellis_string, _ query: trellis_string,
                         _ reply: OpaquePointer?) -> trellis_status {
    guard let runtime = AdapterRuntime.from(state), let reply, case .memory(let memory) = runtime.adapter else { return TRELLIS_ERROR }
    let agent = String(borrowing: agentID)
    let question = String(borrowing: query)
    return runtime.answer(HostHandle(pointer: reply)) {
        .list(try await memory.recall(agentID: agent, query: question))
    }
}

/// `trellis_adapter.memory_update`.
func adapterMemoryUpdate(_ state: UnsafeMutableRawPointer?, _ agentID: trellis_string, _ entryJSON: trellis_string,
                         _ reply: OpaquePointer?) -> trellis_status {
    guard let runtime = AdapterRuntime.from(state), let reply, case .memory(let memory) = runtime.adapter else { return TRELLIS_ERROR }
    let agent = String(borrowing: agentID)
    let text = String(borrowing: entryJSON)
    return runtime.answer(HostHandle(pointer: reply)) {
        try await memory.update(agentID: agent, entry: text.isEmpty ? .null : PluginValue(jsonText: text, maximumDepth: PluginValue.sdkMaximumJSONDepth))
        return .null
    }
}

/// `trellis_adapter.tools_dispatch`.
func adapterToolsDispatch(_ state: UnsafeMutableRawPointer?, _ callsJSON: trellis_string, _ reply: OpaquePointer?) -> trellis_status {
    guard let runtime = AdapterRuntime.from(state), let reply, case .tools(let tools) = runtime.adapter else { return TRELLIS_ERROR }
    let text = String(borrowing: callsJSON)
    return runtime.answer(HostHandle(pointer: reply)) {
        let value = try PluginValue(jsonText: text, maximumDepth: PluginValue.sdkMaximumJSONDepth)
        guard let calls = value.list else { throw PluginError("tool calls must be a JSON list, got \(text)") }
        return .list(try await tools.dispatch(calls))
    }
}

/// `trellis_adapter.cancel`.
func adapterCancel(_ state: UnsafeMutableRawPointer?, _ reply: OpaquePointer?) {
    guard let runtime = AdapterRuntime.from(state), let reply else { return }
    runtime.cancel(HostHandle(pointer: reply))
}
