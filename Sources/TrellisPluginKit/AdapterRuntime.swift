import CTrellisPlugin
import TrellisCore

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

    /// Answers `reply` with `immediate`'s result when it has one, else starts `operation` for
    /// it; with the JSON result or the error.
    func answer(_ reply: HostHandle, immediately immediate: () throws -> PluginValue?,
                _ operation: @escaping @Sendable () async throws -> PluginValue) -> trellis_status {
        answer(reply, immediately: immediate, operation) { host, value in
            withTrellisString(value.jsonText) { host.pointee.adapter_reply!(reply.pointer, TRELLIS_OK, $0, .empty) }
        }
    }

    /// Answers `reply` on this thread with `immediate`'s result (through `success`) or error
    /// when it has one; otherwise starts `operation` for it as `answer(_:_:success:)` does.
    func answer<Value: Sendable>(_ reply: HostHandle, immediately immediate: () throws -> Value?,
                                 _ operation: @escaping @Sendable () async throws -> Value,
                                 success: @escaping @Sendable (UnsafePointer<trellis_host_api>, Value) -> Void) -> trellis_status {
        let value: Value?
        do { value = try immediate() } catch {
            withTrellisString(NodeTypeRuntime.describe(error)) { runtime.host.table.pointee.adapter_reply!(reply.pointer, TRELLIS_ERROR, .empty, $0) }
            return TRELLIS_OK
        }
        guard let value else { return answer(reply, operation, success: success) }
        success(runtime.host.table, value)
        return TRELLIS_OK
    }

    /// Starts `operation` for `reply` and answers with `success` (given the host table and the
    /// result) or with its error through `adapter_reply`.
    func answer<Value: Sendable>(_ reply: HostHandle, _ operation: @escaping @Sendable () async throws -> Value,
                                 success: @escaping @Sendable (UnsafePointer<trellis_host_api>, Value) -> Void) -> trellis_status {
        let runtime = runtime
        let pending = pending
        pending.start(reply) { task in
            let result: Result<Value, any Error>
            do { result = .success(try await operation()) } catch { result = .failure(error) }
            pending.finish(reply, task)
            let host = runtime.host.table
            switch result {
            case .success(let value):
                success(host, value)
            case .failure(let error):
                withTrellisString(NodeTypeRuntime.describe(error)) { host.pointee.adapter_reply!(reply.pointer, TRELLIS_ERROR, .empty, $0) }
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

/// `trellis_adapter.llm_complete`. The SDK registers its LLM adapters with
/// `TRELLIS_ADAPTER_REQUEST_BY_ACCESSOR` (ABI 1.3): the request is read typed with
/// `reply_llm_request` before the task starts, and the answer goes back typed with
/// `adapter_reply_llm`, so neither side writes or parses JSON for it.
func adapterLLMComplete(_ state: UnsafeMutableRawPointer?, _ requestJSON: trellis_string, _ reply: OpaquePointer?) -> trellis_status {
    guard let runtime = AdapterRuntime.from(state), let reply, case .llm(let llm) = runtime.adapter else { return TRELLIS_ERROR }
    let host = runtime.runtime.host
    let handle = HostHandle(pointer: reply)
    var fields = trellis_llm_request()
    fields.struct_size = UInt32(MemoryLayout<trellis_llm_request>.size)
    guard let readRequest = host.table.pointee.reply_llm_request, readRequest(reply, &fields) == TRELLIS_OK else {
        return TRELLIS_ERROR  // the host then fails the request, saying the operation did not start
    }
    let parsed = Result { () throws(PluginError) -> LLMCompletionRequest in try LLMCompletionRequest(fields: fields) }
    let context = LLMCompletionContext(host: host, reply: handle, isStreaming: (try? parsed.get())?.stream == true)
    return runtime.answer(handle, immediately: {
        // Finished before `answer` replies (a piece published later must not touch the freed
        // reply), unless the task below answers instead.
        var answersHere = true
        defer { if answersHere { context.finish() } }
        let completion = try llm.completeImmediately(try parsed.get(), context: context)
        answersHere = completion != nil
        return completion
    }, {
        defer { context.finish() }
        return try await llm.complete(try parsed.get(), context: context)
    }, success: { host, completion in
        let status = completion.withAnswer { host.pointee.adapter_reply_llm!(handle.pointer, $0) }
        guard status != TRELLIS_OK else { return }
        // Refused (tool calls that are not maps): nothing was answered, so fail the request
        // saying so rather than leave it waiting.
        withTrellisString("the adapter's answer was refused by the host (status \(status)); tool calls must be maps") {
            _ = host.pointee.adapter_reply!(handle.pointer, TRELLIS_ERROR, .empty, $0)
        }
    })
}

/// `trellis_adapter.memory_recall`.
func adapterMemoryRecall(_ state: UnsafeMutableRawPointer?, _ agentID: trellis_string, _ query: trellis_string,
                         _ reply: OpaquePointer?) -> trellis_status {
    guard let runtime = AdapterRuntime.from(state), let reply, case .memory(let memory) = runtime.adapter else { return TRELLIS_ERROR }
    let agent = String(borrowing: agentID)
    let question = String(borrowing: query)
    return runtime.answer(HostHandle(pointer: reply), immediately: {
        try memory.recallImmediately(agentID: agent, query: question).map(PluginValue.list)
    }) {
        .list(try await memory.recall(agentID: agent, query: question))
    }
}

/// `trellis_adapter.memory_update`.
func adapterMemoryUpdate(_ state: UnsafeMutableRawPointer?, _ agentID: trellis_string, _ entryJSON: trellis_string,
                         _ reply: OpaquePointer?) -> trellis_status {
    guard let runtime = AdapterRuntime.from(state), let reply, case .memory(let memory) = runtime.adapter else { return TRELLIS_ERROR }
    let agent = String(borrowing: agentID)
    // ABI 1.3 (the SDK registers TRELLIS_ADAPTER_REQUEST_BY_ACCESSOR): an empty entry_json means
    // a map entry to read as fields, without JSON.
    var entry: Result<PluginValue, PluginError>?
    if entryJSON.length == 0 {
        var fields: UnsafePointer<trellis_field>?
        var count = 0
        if let readEntry = runtime.runtime.host.table.pointee.reply_memory_entry, readEntry(reply, &fields, &count) == TRELLIS_OK {
            do throws(TrellisFieldError) {
                entry = .success(.map(try contextMap(fields: fields, count: count, maximumDepth: PluginValue.sdkMaximumJSONDepth)))
            } catch {
                entry = .failure(PluginError("the host's memory entry: \(error.message)"))
            }
        }
    }
    let text = entry == nil ? String(borrowing: entryJSON) : ""
    let value = Result { () throws -> PluginValue in
        try entry?.get() ?? (text.isEmpty ? .null : PluginValue(jsonText: text, maximumDepth: PluginValue.sdkMaximumJSONDepth))
    }
    return runtime.answer(HostHandle(pointer: reply), immediately: {
        try memory.updateImmediately(agentID: agent, entry: value.get()) ? PluginValue.null : nil
    }) {
        try await memory.update(agentID: agent, entry: value.get())
        return .null
    }
}

/// `trellis_adapter.tools_dispatch`.
func adapterToolsDispatch(_ state: UnsafeMutableRawPointer?, _ callsJSON: trellis_string, _ reply: OpaquePointer?) -> trellis_status {
    guard let runtime = AdapterRuntime.from(state), let reply, case .tools(let tools) = runtime.adapter else { return TRELLIS_ERROR }
    let text = String(borrowing: callsJSON)
    let parsed = Result { () throws -> [PluginValue] in
        let value = try PluginValue(jsonText: text, maximumDepth: PluginValue.sdkMaximumJSONDepth)
        guard let calls = value.list else { throw PluginError("tool calls must be a JSON list, got \(text)") }
        return calls
    }
    return runtime.answer(HostHandle(pointer: reply), immediately: {
        try tools.dispatchImmediately(parsed.get()).map(PluginValue.list)
    }) {
        .list(try await tools.dispatch(parsed.get()))
    }
}

/// `trellis_adapter.cancel`.
func adapterCancel(_ state: UnsafeMutableRawPointer?, _ reply: OpaquePointer?) {
    guard let runtime = AdapterRuntime.from(state), let reply else { return }
    runtime.cancel(HostHandle(pointer: reply))
}
