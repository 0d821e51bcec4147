import CTrellisPlugin
import TrellisEngine

/// The `trellis.llm/1`, `trellis.memory/1` and `trellis.tools/1` extensions: a node calls the
/// run's adapters without threads of its own. Each call starts a task that awaits the adapter
/// and then runs the plugin's callback on whichever pool thread the task finishes on.
///
/// The task starts immediately on the calling thread (`Task.immediate`), outside every host
/// lock: an adapter that answers without waiting (a cache, a mock, an in-memory store) answers
/// before the extension function returns, and the plugin's waiting task resumes without a
/// thread hop (a hop per adapter call was most of a Swift plugin node's cost, benchmark 8).
enum AdapterExtensionCalls {
    typealias ResultFunction = @convention(c) (UnsafeMutableRawPointer?, trellis_status, trellis_string, trellis_string) -> Void

    /// The plugin's callback; the plugin promises it may run on any thread.
    struct ResultCallback: @unchecked Sendable {
        let function: ResultFunction
        let userData: UnsafeMutableRawPointer?

        func deliver(_ result: Result<String, any Error>) {
            switch result {
            case .success(let json):
                withTrellisString(json) { function(userData, trellis_status(TRELLIS_OK), $0, .empty) }
            case .failure(let error):
                withTrellisString(String(describing: error)) { function(userData, trellis_status(TRELLIS_ERROR), .empty, $0) }
            }
        }
    }

    private static let unavailable = trellis_status(TRELLIS_UNAVAILABLE)

    /// Common checks, then `work` on a new task with the result delivered to the callback.
    private static func start(_ handle: OpaquePointer?, _ what: String, _ function: ResultFunction?, _ userData: UnsafeMutableRawPointer?,
                              _ prepare: (inout CallState) -> Result<@Sendable () async throws -> String, PluginAdapterError>?) -> trellis_status {
        var started: (work: @Sendable () async throws -> String, callback: ResultCallback)?
        let status = CallState.with(handle, otherwise: unavailable) { call -> trellis_status in
            guard !call.isFinished else { return unavailable }
            guard call.asynchronous != nil else {
                // A synchronous call ends when invoke returns, before any adapter could answer.
                PluginLog.write(.warning, plugin: call.type.pluginID, node: call.request.node.id,
                                "\(what) needs a node type registered with TRELLIS_NODE_ASYNC (it answers later, after invoke returned PENDING)")
                return unavailable
            }
            guard let function else {
                PluginLog.write(.warning, plugin: call.type.pluginID, node: call.request.node.id, "\(what) called without a result callback")
                return trellis_status(TRELLIS_ERROR)
            }
            switch prepare(&call) {
            case nil:
                return unavailable
            case .failure(let error):
                PluginLog.write(.warning, plugin: call.type.pluginID, node: call.request.node.id, "\(what): \(error.message)")
                return trellis_status(TRELLIS_ERROR)
            case .success(let work):
                started = (work, ResultCallback(function: function, userData: userData))
                return trellis_status(TRELLIS_OK)
            }
        }
        // Outside the slot's lock: the callback may complete the call on this thread.
        // The call's slot stays live until the plugin completes, which it does from the callback at the earliest.
        if let (work, callback) = started {
            Task.immediate {
                let result: Result<String, any Error>
                do { result = .success(try await work()) } catch { result = .failure(error) }
                callback.deliver(result)
            }
        }
        return status
    }

    private static func parse(_ json: trellis_string) -> Result<ContextValue, PluginAdapterError> {
        do { return .success(try ContextValue(jsonText: json.swiftString)) } catch {
            return .failure(PluginAdapterError(message: "not valid JSON: \(error.reason)"))
        }
    }

    static func llmComplete(_ handle: OpaquePointer?, _ json: trellis_string, _ function: ResultFunction?, _ userData: UnsafeMutableRawPointer?) -> trellis_status {
        start(handle, "trellis.llm/1 complete", function, userData) { call in
            guard let llm = call.request.adapters.llm else { return nil }
            let value: ContextValue
            switch parse(json) {
            case .success(let parsed): value = parsed
            case .failure(let error): return .failure(error)
            }
            let request: LLMRequest
            do throws(PluginAdapterError) {
                request = try LLMRequestJSON.decodeRequest(value, sessionMessages: call.sessionMessages,
                                                           offeredTools: call.request.adapters.tools?.offers ?? [])
            } catch {
                return .failure(error)
            }
            return .success { LLMRequestJSON.encodeResponse(try await llm.complete(request)) }
        }
    }

    static func memoryRecall(_ handle: OpaquePointer?, _ agent: trellis_string, _ query: trellis_string, _ function: ResultFunction?, _ userData: UnsafeMutableRawPointer?) -> trellis_status {
        start(handle, "trellis.memory/1 recall", function, userData) { call in
            guard let memory = call.request.adapters.memory else { return nil }
            let agentID = agent.swiftString, text = query.swiftString
            return .success { ContextValue.list(try await memory.recall(agentID: agentID, query: text)).jsonText }
        }
    }

    static func memoryUpdate(_ handle: OpaquePointer?, _ agent: trellis_string, _ entry: trellis_string, _ function: ResultFunction?, _ userData: UnsafeMutableRawPointer?) -> trellis_status {
        start(handle, "trellis.memory/1 update", function, userData) { call in
            guard let memory = call.request.adapters.memory else { return nil }
            let agentID = agent.swiftString
            let value: ContextValue
            switch parse(entry) {
            case .success(let parsed): value = parsed
            case .failure(let error): return .failure(error)
            }
            return .success {
                try await memory.update(agentID: agentID, entry: value)
                return "null"
            }
        }
    }

    static func toolsDispatch(_ handle: OpaquePointer?, _ json: trellis_string, _ function: ResultFunction?, _ userData: UnsafeMutableRawPointer?) -> trellis_status {
        start(handle, "trellis.tools/1 dispatch", function, userData) { call in
            guard let tools = call.request.adapters.tools else { return nil }
            let calls: [ContextValue]
            switch parse(json) {
            case .success(.list(let items)): calls = items
            case .success(let other): return .failure(PluginAdapterError(message: "tool calls must be a JSON list, got \(other.jsonText)"))
            case .failure(let error): return .failure(error)
            }
            return .success { ContextValue.list(try await tools.dispatch(calls)).jsonText }
        }
    }
}

extension CallState {
    /// `session.messages` (a session's own: shared storage, no copy), empty when unset.
    var sessionMessages: MessageList { request.context[Self.messagesKey]?.messageList ?? MessageList() }
}
