import CTrellisPlugin
import TrellisCore
import TrellisEngine

/// The `trellis.llm/1`, `trellis.memory/1` and `trellis.tools/1` extensions: a node calls the
/// run's adapters without threads of its own. A built-in adapter is first asked for an answer
/// at hand (`completeImmediately` and friends); otherwise each call starts a task that awaits
/// the adapter and then runs the plugin's callback on whichever pool thread the task finishes
/// on. A plugin's adapter answers through its reply, with no host task.
///
/// Both start on the calling thread, outside every host lock (`Task.immediate` for the task):
/// an adapter that answers without waiting (a cache, a mock, an in-memory store) answers
/// before the extension function returns, and the plugin's waiting task resumes without a
/// thread hop (a hop per adapter call was most of a Swift plugin node's cost, benchmark 8).
enum AdapterExtensionCalls {
    typealias ResultFunction = @convention(c) (UnsafeMutableRawPointer?, trellis_status, trellis_string, trellis_string) -> Void

    /// The plugin's callback; the plugin promises it may run on any thread.
    struct ResultCallback: @unchecked Sendable {
        let function: ResultFunction
        let userData: UnsafeMutableRawPointer?

        /// Calls the plugin's callback (code of the node type `origin` names) with `result`.
        func deliver(_ result: Result<String, any Error>, _ origin: CrashOrigin) {
            switch result {
            case .success(let json):
                withTrellisString(json) { text in
                    PluginCrashContext.during(origin, "result callback") { function(userData, trellis_status(TRELLIS_OK), text, .empty) }
                }
            case .failure(let error):
                withTrellisString(String(describing: error)) { text in
                    PluginCrashContext.during(origin, "result callback") { function(userData, trellis_status(TRELLIS_ERROR), .empty, text) }
                }
            }
        }
    }

    /// The plugin's typed callback (`trellis_llm_answer_fn`, ABI 1.3); it may run on any thread.
    struct LLMAnswerCallback: @unchecked Sendable {
        let function: trellis_llm_answer_fn
        let userData: UnsafeMutableRawPointer?

        /// Calls the plugin's callback (code of the node type `origin` names) with `result`.
        func deliver(_ result: Result<LLMResponse, any Error>, _ origin: CrashOrigin) {
            switch result {
            case .success(let response):
                LLMAnswerFields.withAnswer(response) { answer in
                    PluginCrashContext.during(origin, "result callback") { function(userData, trellis_status(TRELLIS_OK), answer, .empty) }
                }
            case .failure(let error):
                withTrellisString(String(describing: error)) { text in
                    PluginCrashContext.during(origin, "result callback") { function(userData, trellis_status(TRELLIS_ERROR), nil, text) }
                }
            }
        }
    }

    private static let unavailable = trellis_status(TRELLIS_UNAVAILABLE)

    /// A call handle kept until an adapter answers. Safe to keep past the call: every use goes
    /// through `CallState.with`, which checks the handle's generation and refuses a stale one.
    struct LaterCall: @unchecked Sendable {
        let handle: OpaquePointer?
    }

    /// How an accepted request is carried out.
    enum Work<Answer: Sendable>: Sendable {
        /// Awaited in a task of its own (any adapter).
        case task(@Sendable () async throws -> Answer)
        /// Asked on the calling thread first: an answer at hand (a built-in adapter with no
        /// latency to simulate) is delivered there, nil falls back to `later` in a task, as
        /// `.task`. A task per call was about 0.8 us of a plugin node's adapter call.
        case atOnceOrTask(@Sendable () throws -> Answer?, later: @Sendable () async throws -> Answer)
        /// Started at once; calls its argument with the answer exactly once. A plugin adapter
        /// answers through its reply, so no host task has to wait for it (a task and a
        /// continuation per adapter call, benchmark 8).
        case direct(@Sendable (@escaping @Sendable (Result<Answer, any Error>) -> Void) -> Void)

        /// The same work with its answer passed through `transform`.
        func map<Mapped: Sendable>(_ transform: @escaping @Sendable (Answer) -> Mapped) -> Work<Mapped> {
            switch self {
            case .task(let work):
                return .task { transform(try await work()) }
            case .atOnceOrTask(let immediately, let later):
                return .atOnceOrTask({ try immediately().map(transform) }, later: { transform(try await later()) })
            case .direct(let work):
                return .direct { answer in work { answer($0.map(transform)) } }
            }
        }
    }

    /// Common checks, then `work` on a new task with the result handed to `deliver`.
    /// `refused` is the status for a request `prepare` refuses (TRELLIS_ERROR for JSON, TRELLIS_INVALID for typed requests).
    private static func start<Answer: Sendable>(
        _ handle: OpaquePointer?, _ what: String, hasCallback: Bool, refused: trellis_status = trellis_status(TRELLIS_ERROR),
        _ prepare: (inout CallState) -> Result<Work<Answer>, PluginAdapterError>?,
        deliver: @escaping @Sendable (Result<Answer, any Error>, CrashOrigin) -> Void
    ) -> trellis_status {
        // The work, and who the caller is (its result callback is that node type's code).
        var started: (work: Work<Answer>, origin: CrashOrigin)?
        let status = CallState.with(handle, otherwise: unavailable) { call -> trellis_status in
            guard !call.isFinished else { return unavailable }
            guard call.asynchronous != nil else {
                // A synchronous call ends when invoke returns, before any adapter could answer.
                PluginLog.write(.warning, plugin: call.type.pluginID, node: call.request.node.id,
                                "\(what) needs a node type registered with TRELLIS_NODE_ASYNC (it answers later, after invoke returned PENDING)")
                return unavailable
            }
            guard hasCallback else {
                PluginLog.write(.warning, plugin: call.type.pluginID, node: call.request.node.id, "\(what) called without a result callback")
                return trellis_status(TRELLIS_ERROR)
            }
            switch prepare(&call) {
            case nil:
                return unavailable
            case .failure(let error):
                PluginLog.write(.warning, plugin: call.type.pluginID, node: call.request.node.id, "\(what): \(error.message)")
                return refused
            case .success(let work):
                started = (work, call.type.crashOrigin)
                return trellis_status(TRELLIS_OK)
            }
        }
        // Outside the slot's lock: the callback may complete the call on this thread.
        // The call's slot stays live until the plugin completes, which it does from the callback at the earliest.
        guard let (work, origin) = started else { return status }
        switch work {
        case .task(let work):
            awaitInTask(work, deliver, origin)
        case .atOnceOrTask(let immediately, let later):
            do {
                guard let answer = try immediately() else {
                    awaitInTask(later, deliver, origin)
                    break
                }
                deliver(.success(answer), origin)
            } catch {
                deliver(.failure(error), origin)
            }
        case .direct(let work):
            work { result in
                // The callback runs on a host thread, as the header promises: the answering
                // thread when it runs a Swift task (the cooperative pool: a Swift plugin's
                // adapter), else one of the pool's, not a thread a C plugin created.
                if withUnsafeCurrentTask(body: { $0 != nil }) {
                    deliver(result, origin)
                } else {
                    Task { deliver(result, origin) }
                }
            }
        }
        return status
    }

    /// `adapter` as the plugin bridge type `bridge`, or nil. The dynamic type is compared first:
    /// a cast that fails (a built-in adapter) searched the runtime's conformance tables, about
    /// 0.2 us per adapter call.
    private static func pluginBridge<Bridge>(_ adapter: Any, _ bridge: Bridge.Type) -> Bridge? {
        type(of: adapter) == bridge ? adapter as? Bridge : nil
    }

    /// Runs `work` in a task that starts on this thread, and hands its result to `deliver`.
    private static func awaitInTask<Answer: Sendable>(_ work: @escaping @Sendable () async throws -> Answer,
                                                      _ deliver: @escaping @Sendable (Result<Answer, any Error>, CrashOrigin) -> Void,
                                                      _ origin: CrashOrigin) {
        Task.immediate {
            let result: Result<Answer, any Error>
            do { result = .success(try await work()) } catch { result = .failure(error) }
            deliver(result, origin)
        }
    }

    /// `start` for the JSON extension functions, answering through a `trellis_result_fn`.
    private static func start(_ handle: OpaquePointer?, _ what: String, _ function: ResultFunction?, _ userData: UnsafeMutableRawPointer?,
                              _ prepare: (inout CallState) -> Result<Work<String>, PluginAdapterError>?) -> trellis_status {
        let callback = function.map { ResultCallback(function: $0, userData: userData) }
        return start(handle, what, hasCallback: callback != nil, prepare) { callback?.deliver($0, $1) }
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
            return .success(.atOnceOrTask({ try llm.completeImmediately(request).map(LLMRequestJSON.encodeResponse) },
                                          later: { LLMRequestJSON.encodeResponse(try await llm.complete(request)) }))
        }
    }

    /// `trellis.llm/1` `complete_request` (ABI 1.3): the request typed, the answer typed.
    static func llmCompleteRequest(_ handle: OpaquePointer?, _ request: UnsafePointer<trellis_llm_request>?,
                                   _ function: trellis_llm_answer_fn?, _ userData: UnsafeMutableRawPointer?) -> trellis_status {
        let callback = function.map { LLMAnswerCallback(function: $0, userData: userData) }
        return start(handle, "trellis.llm/1 complete_request", hasCallback: callback != nil, refused: trellis_status(TRELLIS_INVALID), { call in
            guard let llm = call.request.adapters.llm else { return nil }
            let decoded: LLMRequest
            do throws(PluginAdapterError) {
                decoded = try LLMRequestFields.read(request, sessionMessages: call.sessionMessages,
                                                    offeredTools: call.request.adapters.tools?.offers ?? [])
            } catch {
                return .failure(error)
            }
            if let plugin = pluginBridge(llm, PluginLLMBridge.self) {
                return .success(.direct { answer in plugin.start(decoded, then: answer) })
            }
            let question = LLMQuestion(llm: llm, request: decoded)
            return .success(.atOnceOrTask({ try question.askImmediately() }, later: { try await question.ask() }))
        }, deliver: { callback?.deliver($0, $1) })
    }

    // The questions below are what a built-in adapter is asked: at once, and without an answer
    // at hand, in a task. A `Work.atOnceOrTask`'s two closures each hold the one question
    // (holding the adapter and the arguments, each closure was a context of its own and a
    // copy of every reference in them).

    /// A completion for a built-in LLM adapter.
    private final class LLMQuestion: Sendable {
        let llm: any LLMAdapter
        let request: LLMRequest

        init(llm: any LLMAdapter, request: LLMRequest) {
            self.llm = llm
            self.request = request
        }

        func askImmediately() throws -> LLMResponse? { try llm.completeImmediately(request) }
        func ask() async throws -> LLMResponse { try await llm.complete(request) }
    }

    /// A recall for a built-in memory adapter.
    private final class RecallQuestion: Sendable {
        let memory: any MemoryAdapter
        let agentID: String
        let query: String

        init(memory: any MemoryAdapter, agentID: String, query: String) {
            self.memory = memory
            self.agentID = agentID
            self.query = query
        }

        func askImmediately() throws -> [ContextValue]? { try memory.recallImmediately(agentID: agentID, query: query) }
        func ask() async throws -> [ContextValue] { try await memory.recall(agentID: agentID, query: query) }
    }

    /// An update for a built-in memory adapter.
    private final class UpdateQuestion: Sendable {
        let memory: any MemoryAdapter
        let agentID: String
        let entry: ContextValue

        init(memory: any MemoryAdapter, agentID: String, entry: ContextValue) {
            self.memory = memory
            self.agentID = agentID
            self.entry = entry
        }

        func askImmediately() throws -> Bool { try memory.updateImmediately(agentID: agentID, entry: entry) }
        func ask() async throws { try await memory.update(agentID: agentID, entry: entry) }
    }

    static func memoryRecall(_ handle: OpaquePointer?, _ agent: trellis_string, _ query: trellis_string, _ function: ResultFunction?, _ userData: UnsafeMutableRawPointer?) -> trellis_status {
        start(handle, "trellis.memory/1 recall", function, userData) { call in
            guard let memory = call.request.adapters.memory else { return nil }
            return .success(recallWork(memory, agentID: agent.swiftString, query: query.swiftString).map { ContextValue.list($0).jsonText })
        }
    }

    /// `trellis.memory/1` `recall_into` (ABI 1.4): the memories go into the call's context
    /// updates under `key` and never cross to the plugin, which is told how many there are.
    static func memoryRecallInto(_ handle: OpaquePointer?, _ agent: trellis_string, _ query: trellis_string, _ key: trellis_string,
                                 _ function: ResultFunction?, _ userData: UnsafeMutableRawPointer?) -> trellis_status {
        let callback = function.map { ResultCallback(function: $0, userData: userData) }
        let name = key.validatedString ?? ""
        let call = LaterCall(handle: handle)
        return start(handle, "trellis.memory/1 recall_into", hasCallback: callback != nil, refused: trellis_status(TRELLIS_INVALID), { (state: inout CallState) -> Result<Work<[ContextValue]>, PluginAdapterError>? in
            guard let memory = state.request.adapters.memory else { return nil }
            guard !name.isEmpty else { return .failure(PluginAdapterError(message: "the key is empty or not valid UTF-8")) }
            guard let agentID = agent.validatedString, let text = query.validatedString else {
                return .failure(PluginAdapterError(message: "agent_id or query is not valid UTF-8"))
            }
            return .success(recallWork(memory, agentID: agentID, query: text))
        }, deliver: { (result: Result<[ContextValue], any Error>, origin: CrashOrigin) in
            callback?.deliver(result.flatMap { (memories: [ContextValue]) -> Result<String, any Error> in
                // Stored before the plugin hears of it: its callback normally completes the call.
                let stored = CallState.with(call.handle, otherwise: false) { state in
                    guard !state.isFinished, !state.isCancelled else { return false }
                    state.reserveUpdates()
                    state.updates[name] = .list(memories)
                    return true
                }
                guard stored else {
                    return .failure(PluginAdapterError(message: "the node's call ended before its memories arrived; '\(name)' was not written"))
                }
                return .success(String(memories.count))
            }, origin)
        })
    }

    /// A recall: direct for a plugin's adapter, else asked at once and awaited if need be.
    private static func recallWork(_ memory: any MemoryAdapter, agentID: String, query: String) -> Work<[ContextValue]> {
        if let plugin = pluginBridge(memory, PluginMemoryBridge.self) {
            return .direct { answer in plugin.startRecall(agentID: agentID, query: query, then: answer) }
        }
        let question = RecallQuestion(memory: memory, agentID: agentID, query: query)
        return .atOnceOrTask({ try question.askImmediately() }, later: { try await question.ask() })
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
            return .success(updateWork(memory, agentID: agentID, entry: value))
        }
    }

    /// A memory update, direct for a plugin's adapter; the result text is "null".
    private static func updateWork(_ memory: any MemoryAdapter, agentID: String, entry: ContextValue) -> Work<String> {
        if let plugin = pluginBridge(memory, PluginMemoryBridge.self) {
            return .direct { answer in plugin.startUpdate(agentID: agentID, entry: entry) { answer($0.map { "null" }) } }
        }
        let question = UpdateQuestion(memory: memory, agentID: agentID, entry: entry)
        return .atOnceOrTask({ try question.askImmediately() ? "null" : nil }, later: {
            try await question.ask()
            return "null"
        })
    }

    /// `trellis.memory/1` `update_entry` (ABI 1.3): a map entry as fields, no JSON.
    static func memoryUpdateEntry(_ handle: OpaquePointer?, _ agent: trellis_string, _ entry: UnsafePointer<trellis_field>?, _ count: Int,
                                  _ function: ResultFunction?, _ userData: UnsafeMutableRawPointer?) -> trellis_status {
        let callback = function.map { ResultCallback(function: $0, userData: userData) }
        return start(handle, "trellis.memory/1 update_entry", hasCallback: callback != nil, refused: trellis_status(TRELLIS_INVALID), { call in
            guard let memory = call.request.adapters.memory else { return nil }
            guard let agentID = agent.validatedString else { return .failure(PluginAdapterError(message: "agent_id is not valid UTF-8")) }
            let fields: [String: ContextValue]
            do throws(TrellisFieldError) { fields = try contextMap(fields: entry, count: count) } catch {
                return .failure(PluginAdapterError(message: "entry: \(error.message)"))
            }
            return .success(updateWork(memory, agentID: agentID, entry: .map(fields)))
        }, deliver: { callback?.deliver($0, $1) })
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
            return .success(.task { ContextValue.list(try await tools.dispatch(calls)).jsonText })
        }
    }
}

extension CallState {
    /// `session.messages` (a session's own: shared storage, no copy), empty when unset.
    var sessionMessages: MessageList { request.context[Self.messagesKey]?.messageList ?? MessageList() }
}
