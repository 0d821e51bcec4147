import CTrellisPlugin
import TrellisCore

extension NodeCall {
    /// The run's LLM adapter, reached through the host (`trellis.llm/1`).
    public var llm: HostLLM { HostLLM(call: self) }
    /// The run's memory adapter, reached through the host (`trellis.memory/1`).
    public var memory: HostMemory { HostMemory(call: self) }
    /// The run's tools adapter, reached through the host (`trellis.tools/1`).
    public var tools: HostTools { HostTools(call: self) }
}

/// The run's LLM adapter as a node sees it. Calls suspend the handler's task, never a thread.
public struct HostLLM: Sendable {
    let call: NodeCall

    /// Asks the run's LLM adapter. Set `useSessionMessages` to let the host pass the session
    /// history without copying it through JSON. The request and the answer cross as typed
    /// fields (`complete_request`, ABI 1.3), not JSON.
    public nonisolated(nonsending) func complete(_ request: LLMCompletionRequest) async throws -> LLMCompletion {
        guard let llm = call.runtime.llm, let start = llm.table.pointee.complete_request else {
            throw PluginError("the host offers no \(TRELLIS_EXT_LLM) extension with complete_request (ABI 1.3)")
        }
        let pointer = call.pointer
        let waiter = LLMAnswerWaiter()
        let retained = Unmanaged.passRetained(waiter).toOpaque()
        let status = request.withFields { start(pointer, $0, deliverLLMAnswer, retained) }
        guard status == TRELLIS_OK else {
            // The host said on_answer will not run: the waiter's retain is ours to give back.
            Unmanaged<LLMAnswerWaiter>.fromOpaque(retained).release()
            throw PluginError(refusal(status, adapter: "LLM"))
        }
        return try await waiter.answer.value()
    }
}

/// The run's memory adapter as a node sees it.
public struct HostMemory: Sendable {
    let call: NodeCall

    /// Memories relevant to `query` for `agentID`.
    public nonisolated(nonsending) func recall(agentID: String, query: String) async throws -> [PluginValue] {
        guard let memory = call.runtime.memory else { throw PluginError("the host offers no \(TRELLIS_EXT_MEMORY) extension") }
        let pointer = call.pointer
        let answer = try await awaitHostResult(adapter: "memory") { deliver, waiter in
            withTrellisString(agentID) { agent in
                withTrellisString(query) { memory.table.pointee.recall!(pointer, agent, $0, deliver, waiter) }
            }
        }
        let value = try PluginValue(jsonText: answer, maximumDepth: PluginValue.sdkMaximumJSONDepth)
        guard let items = value.list else { throw PluginError("the memory adapter answered \(answer) where a JSON list was expected") }
        return items
    }

    /// Recalls memories for `agentID` relevant to `query` and has the host write them to this
    /// call's context key `key` (`recall_into`, ABI 1.4): they never cross into the plugin,
    /// which saves two JSON copies of the list when the node only stores it. Returns how many
    /// were stored.
    public nonisolated(nonsending) func recall(agentID: String, query: String, storingAt key: String) async throws -> Int {
        guard let memory = call.runtime.memory else { throw PluginError("the host offers no \(TRELLIS_EXT_MEMORY) extension") }
        let pointer = call.pointer
        let answer = try await awaitHostResult(adapter: "memory") { deliver, waiter in
            withTrellisString(agentID) { agent in
                withTrellisString(query) { text in
                    withTrellisString(key) { memory.table.pointee.recall_into!(pointer, agent, text, $0, deliver, waiter) }
                }
            }
        }
        guard let count = Int(answer) else { throw PluginError("the host answered \(answer) where a count of memories was expected") }
        return count
    }

    /// Records `entry` for `agentID`. A map entry crosses as typed fields (`update_entry`,
    /// ABI 1.3), anything else as JSON.
    public nonisolated(nonsending) func update(agentID: String, entry: PluginValue) async throws {
        guard let memory = call.runtime.memory else { throw PluginError("the host offers no \(TRELLIS_EXT_MEMORY) extension") }
        let pointer = call.pointer
        if case .map(let map) = entry, let updateEntry = memory.table.pointee.update_entry {
            _ = try await awaitHostResult(adapter: "memory") { deliver, waiter in
                withTrellisString(agentID) { agent in
                    withTrellisFields(map) { fields, count in updateEntry(pointer, agent, fields, count, deliver, waiter) }
                }
            }
            return
        }
        let json = entry.jsonText
        _ = try await awaitHostResult(adapter: "memory") { deliver, waiter in
            withTrellisString(agentID) { agent in
                withTrellisString(json) { memory.table.pointee.update!(pointer, agent, $0, deliver, waiter) }
            }
        }
    }
}

/// The run's tools adapter as a node sees it.
public struct HostTools: Sendable {
    let call: NodeCall

    /// Runs tool calls (`{name, arguments}` maps); one result per call, in order.
    public nonisolated(nonsending) func dispatch(_ calls: [PluginValue]) async throws -> [PluginValue] {
        guard let tools = call.runtime.tools else { throw PluginError("the host offers no \(TRELLIS_EXT_TOOLS) extension") }
        let pointer = call.pointer
        let json = PluginValue.list(calls).jsonText
        let answer = try await awaitHostResult(adapter: "tools") { deliver, waiter in
            withTrellisString(json) { tools.table.pointee.dispatch!(pointer, $0, deliver, waiter) }
        }
        let value = try PluginValue(jsonText: answer, maximumDepth: PluginValue.sdkMaximumJSONDepth)
        guard let items = value.list else { throw PluginError("the tools adapter answered \(answer) where a JSON list was expected") }
        return items
    }
}

/// Where one `trellis_result_fn` reply goes, retained for the host until it calls back. Not
/// generic (nor is `LLMAnswerWaiter`): a generic class looks its metadata up at run time on
/// every allocation, which benchmark 8's profile showed per adapter call.
private final class ResultWaiter: Sendable {
    let answer = AdapterAnswer<String>()
}

/// Where one `trellis_llm_answer_fn` reply goes.
private final class LLMAnswerWaiter: Sendable {
    let answer = AdapterAnswer<LLMCompletion>()
}

/// Why the host refused to start an adapter operation (the callback will not run).
private func refusal(_ status: trellis_status, adapter: String) -> String {
    switch status {
    case TRELLIS_UNAVAILABLE: return "this run has no \(adapter) adapter (configure one for the session or run), or the call already completed"
    case TRELLIS_INVALID: return "the host refused the \(adapter) request as invalid (see its log for why)"
    default: return "the host refused the \(adapter) request as malformed"
    }
}

/// The `trellis_result_fn` the SDK hands the host: delivers the answer exactly once (the host
/// runs it exactly once) and releases the waiter retained for it.
private func deliverHostResult(_ userData: UnsafeMutableRawPointer?, _ status: trellis_status,
                               _ result: trellis_string, _ error: trellis_string) {
    guard let userData else { return }
    let waiter = Unmanaged<ResultWaiter>.fromOpaque(userData).takeRetainedValue()
    if status == TRELLIS_OK {
        waiter.answer.deliver(.success(String(borrowing: result)))
    } else {
        let message = String(borrowing: error)
        waiter.answer.deliver(.failure(PluginError(message.isEmpty ? "the adapter failed without a message" : message)))
    }
}

/// The `trellis_llm_answer_fn` the SDK hands the host (ABI 1.3): as `deliverHostResult`, typed.
private func deliverLLMAnswer(_ userData: UnsafeMutableRawPointer?, _ status: trellis_status,
                              _ answer: UnsafePointer<trellis_llm_answer>?, _ error: trellis_string) {
    guard let userData else { return }
    let waiter = Unmanaged<LLMAnswerWaiter>.fromOpaque(userData).takeRetainedValue()
    guard status == TRELLIS_OK, let answer else {
        let message = String(borrowing: error)
        waiter.answer.deliver(.failure(PluginError(message.isEmpty ? "the adapter failed without a message" : message)))
        return
    }
    waiter.answer.deliver(Result { try LLMCompletion(answer: answer) })
}

/// Starts an adapter operation through `start` (which calls the host with the delivery
/// function and the waiter) and returns the JSON answer, suspending only when it has not come
/// by the time `start` returns.
private nonisolated(nonsending) func awaitHostResult(
    adapter: String,
    _ start: (trellis_result_fn, UnsafeMutableRawPointer) -> trellis_status
) async throws -> String {
    let waiter = ResultWaiter()
    let retained = Unmanaged.passRetained(waiter).toOpaque()
    let status = start(deliverHostResult, retained)
    guard status == TRELLIS_OK else {
        // The host said on_result will not run: the waiter's retain is ours to give back.
        Unmanaged<ResultWaiter>.fromOpaque(retained).release()
        throw PluginError(refusal(status, adapter: adapter))
    }
    return try await waiter.answer.value()
}
