import CTrellisPlugin
import Synchronization
import TrellisCore
import TrellisEngine

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a plugin answered an operation with: JSON text (`adapter_reply`), or, for
/// `llm_complete` since ABI 1.3, a typed answer (`adapter_reply_llm`) that needs no parsing.
enum PluginAnswer: Sendable {
    case json(String)
    case llm(LLMResponse)
}

/// One pending operation of a plugin-provided adapter: what the C `trellis_reply *` points at.
/// Resumes the waiting Swift task exactly once, whichever comes first: the plugin's reply,
/// the operation function failing to start, or the task being cancelled.
///
/// For `llm_complete` it also holds the request (served typed by `reply_llm_request`, ABI 1.3),
/// its conversation (served by the ABI 1.1 message accessors) and its delta sink (fed by
/// `reply_delta`).
///
/// `@unchecked Sendable`: immutable except for `state` (behind a `LockedValue`, which the thread
/// sanitizer can see: plugin threads call in here), `cancelled` (atomic) and `delivery` (a lock).
final class PluginReply: @unchecked Sendable {
    /// The operation (`llm_complete`) and the adapter's qualified name: the description in
    /// messages is made from them only when one is written, not for every operation.
    let operation: StaticString
    let adapterName: String
    let pluginID: String
    /// Whose code the operation runs, for crash reports.
    let crashOrigin: CrashOrigin
    /// The request of an llm_complete operation; `nil` for other operations.
    private let llmRequest: LLMRequest?
    /// Whether `reply_llm_request` leaves the messages out of `messages_json` (the adapter reads them by accessor).
    private let messagesByAccessor: Bool
    /// The entry of a memory_update read by `reply_memory_entry` (ABI 1.3); `nil` otherwise.
    private let memoryEntry: [String: ContextValue]?
    /// Where deltas go; `nil` when the request did not ask for streaming.
    private var onDelta: LLMRequest.DeltaSink? { llmRequest?.onDelta }
    private let state = LockedValue(State())
    let cancelled = Atomic<Bool>(false)
    /// Held while a delta is handed to the sink; the request is resumed only after taking it
    /// once, so no piece reaches the sink after the request ended. Recursive: the sink runs
    /// host code (session event subscribers) that may cancel the request on the same thread,
    /// and the cancellation handler then passes through this lock again. `state` is never held
    /// while the sink runs, for the same reason. `nil` without a sink: no delta can be
    /// delivered, so there is nothing to wait for (and no mutex to create per operation).
    private let delivery: UnsafeMutablePointer<pthread_mutex_t>?
    /// The plugin's activation: not retired while this operation may still be answered (the
    /// reply stays registered until the plugin answers, even after the host gave up on it).
    private let lease: PluginActivation?

    /// Who is waiting for the answer: a suspended task (`perform`), or a function to call
    /// with it (`start(_:then:)`, which spares the caller a task of its own).
    private enum Waiter {
        case continuation(CheckedContinuation<PluginAnswer, any Error>)
        case callback(@Sendable (Result<PluginAnswer, any Error>) -> Void)

        func resume(with result: Result<PluginAnswer, any Error>) {
            switch self {
            case .continuation(let continuation): continuation.resume(with: result)
            case .callback(let callback): callback(result)
            }
        }
    }

    private struct State {
        var waiter: Waiter?
        var pluginDone = false
        /// The concatenation of the deltas published so far; `nil` before the first.
        var streamed: String?
        /// Strings lent to the plugin by the message accessors (made at the first), freed with the reply.
        var lent: LentStrings?
        /// The request as lent by `reply_llm_request` (built on the first call, freed with the reply).
        var lentRequest: LentLLMRequest?
        /// The memory entry as lent by `reply_memory_entry` (built on the first call, freed with the reply).
        var lentEntry: TrellisFieldBuffer?
    }

    /// The description in messages: `llm_complete of adapter 'acme.llm'`.
    var description: String { "\(operation) of adapter '\(adapterName)'" }

    init(operation: StaticString, adapterName: String, pluginID: String, crashOrigin: CrashOrigin, llmRequest: LLMRequest? = nil,
         messagesByAccessor: Bool = false, memoryEntry: [String: ContextValue]? = nil, lease: PluginActivation? = nil) {
        self.crashOrigin = crashOrigin
        self.memoryEntry = memoryEntry
        self.operation = operation
        self.adapterName = adapterName
        self.lease = lease
        self.pluginID = pluginID
        self.llmRequest = llmRequest
        self.messagesByAccessor = messagesByAccessor
        if llmRequest?.onDelta != nil {
            let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
            var attributes = pthread_mutexattr_t()
            pthread_mutexattr_init(&attributes)
            pthread_mutexattr_settype(&attributes, Int32(PTHREAD_MUTEX_RECURSIVE))
            pthread_mutex_init(mutex, &attributes)
            pthread_mutexattr_destroy(&attributes)
            delivery = mutex
        } else {
            delivery = nil
        }
    }

    deinit {
        if let delivery {
            pthread_mutex_destroy(delivery)
            delivery.deallocate()
        }
    }

    /// Waits until no delta is being handed to the sink (after the request was marked ended,
    /// so none can start).
    private func awaitDeliveries() {
        guard let delivery else { return }
        pthread_mutex_lock(delivery)
        pthread_mutex_unlock(delivery)
    }

    /// Runs `body` on the pending operation a C handle names (see `ReplyTable`).
    static func with<Result>(_ handle: OpaquePointer?, otherwise: Result, _ body: (PluginReply) -> Result) -> Result {
        ReplyTable.with(handle, otherwise: otherwise, body)
    }

    /// The handle the plugin holds while the operation is pending (set before it starts).
    private let handle = LockedValue<OpaquePointer?>(nil)

    /// The concatenation of the published deltas, `nil` when the plugin published none.
    /// Read after the reply, when no delta can arrive any more.
    var streamedText: String? { state.withLock { $0.streamed } }

    /// Starts the operation with `start(handle)` and waits for the reply. Throws
    /// `PluginAdapterError` when the plugin answers with an error or fails to start.
    func perform(_ functions: PluginAdapterFunctions, _ start: (OpaquePointer) -> trellis_status) async throws -> PluginAnswer {
        if Task.isCancelled { throw CancellationError() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<PluginAnswer, any Error>) in
                open(.continuation(continuation), start)
            }
        } onCancel: {
            cancelled.store(true, ordering: .releasing)
            let waiter: Waiter? = state.withLock { state in
                state.pluginDone ? nil : state.waiter.take()
            }
            guard let waiter else { return }
            awaitDeliveries()
            waiter.resume(with: .failure(CancellationError()))
            if let opened = handle.withLock({ $0 }), let cancel = functions.adapter.cancel {
                PluginCrashContext.during(crashOrigin, "cancel") { cancel(functions.adapter.state, opened) }
            }
        }
    }

    /// Starts the operation with `start(handle)`; `then` receives the answer exactly once, on
    /// the thread that answers (the plugin's, inside `adapter_reply`, or this one when the
    /// operation fails to start). Nothing cancels it: the caller has no task to cancel.
    func start(_ start: (OpaquePointer) -> trellis_status, then: @escaping @Sendable (Result<PluginAnswer, any Error>) -> Void) {
        open(.callback(then), start)
    }

    private func open(_ waiter: Waiter, _ start: (OpaquePointer) -> trellis_status) {
        state.withLock { $0.waiter = waiter }
        let opened = ReplyTable.open(self)
        handle.withLock { $0 = opened }
        let status = PluginCrashContext.during(crashOrigin, operation) { start(opened) }
        if status != trellis_status(TRELLIS_OK) { startFailed(status) }
    }

    /// The plugin's `adapter_reply`, from any thread.
    func reply(status: trellis_status, result: trellis_string, error: trellis_string) {
        if status == trellis_status(TRELLIS_OK) {
            _ = answer(.success(.json(result.swiftString)))
        } else {
            let message = error.swiftString
            let reason = message.isEmpty ? "the plugin replied with status \(status) and no message" : message
            _ = answer(.failure(PluginAdapterError(message: "\(description) failed: \(reason)")))
        }
    }

    /// The plugin's `adapter_reply_llm` (ABI 1.3), from any thread.
    func replyLLM(_ pointer: UnsafePointer<trellis_llm_answer>?) -> trellis_status {
        guard llmRequest != nil else {
            PluginLog.write(.warning, plugin: pluginID, "adapter_reply_llm called for \(description), which is not llm_complete; use adapter_reply")
            return trellis_status(TRELLIS_UNAVAILABLE)
        }
        let response: LLMResponse
        switch LLMAnswerFields.read(pointer) {
        case .success(let read): response = read
        case .failure(let error):
            PluginLog.write(.warning, plugin: pluginID, "adapter_reply_llm for \(description) refused, nothing answered: \(error.message)")
            return trellis_status(TRELLIS_INVALID)
        }
        guard answer(.success(.llm(response))) else { return trellis_status(TRELLIS_UNAVAILABLE) }
        return trellis_status(TRELLIS_OK)
    }

    /// Resumes the waiting task with `result` unless the operation was already answered (then
    /// logs and returns false).
    private func answer(_ result: Result<PluginAnswer, any Error>) -> Bool {
        var duplicate = false
        let waiter: Waiter? = state.withLock { state in
            if state.pluginDone {
                duplicate = true
                return nil
            }
            state.pluginDone = true
            return state.waiter.take()
        }
        if duplicate {
            PluginLog.write(.warning, plugin: pluginID, "adapter_reply called again for \(description), which was already answered; ignored")
            return false
        }
        awaitDeliveries()
        release()
        waiter?.resume(with: result)
        return true
    }

    /// `reply_llm_request` (ABI 1.3): the request, typed, lent until the plugin replies.
    func request(into out: UnsafeMutablePointer<trellis_llm_request>?) -> trellis_status {
        guard let out, Int(out.pointee.struct_size) >= LLMRequestFields.size13 else { return trellis_status(TRELLIS_INVALID) }
        guard let llmRequest else { return trellis_status(TRELLIS_UNAVAILABLE) }
        return state.withLock { state in
            guard !state.pluginDone else { return trellis_status(TRELLIS_UNAVAILABLE) }
            let lent = state.lentRequest ?? LentLLMRequest(llmRequest, includingMessages: !messagesByAccessor)
            state.lentRequest = lent
            lent.fill(out)
            return trellis_status(TRELLIS_OK)
        }
    }

    /// `reply_memory_entry` (ABI 1.3): the entry's fields, lent until the plugin replies.
    func entry(into fields: UnsafeMutablePointer<UnsafePointer<trellis_field>?>?, count: UnsafeMutablePointer<Int>?) -> trellis_status {
        guard let memoryEntry else { return trellis_status(TRELLIS_UNAVAILABLE) }
        return state.withLock { state in
            guard !state.pluginDone else { return trellis_status(TRELLIS_UNAVAILABLE) }
            let lent = state.lentEntry ?? TrellisFieldBuffer(memoryEntry)
            state.lentEntry = lent
            fields?.pointee = lent.base
            count?.pointee = lent.fields.count
            return trellis_status(TRELLIS_OK)
        }
    }

    // MARK: Streaming and the conversation (ABI 1.1)

    /// `reply_delta`: passes `text` to the delta sink while the request is still waiting.
    func delta(_ text: trellis_string) -> trellis_status {
        // Refused rather than repaired: the pieces must add up to the final content byte for byte.
        guard let piece = text.validatedString else { return trellis_status(TRELLIS_ERROR) }
        guard let onDelta, let delivery else { return trellis_status(TRELLIS_UNAVAILABLE) }
        // Pieces from several plugin threads reach the sink one at a time, in the order they
        // got `delivery`; the request ends (reply, cancel) only once `delivery` is free.
        pthread_mutex_lock(delivery)
        defer { pthread_mutex_unlock(delivery) }
        let live = state.withLock { state in
            guard !state.pluginDone, state.waiter != nil else { return false }
            // Appended in place: a long answer in many pieces stays linear.
            if state.streamed == nil { state.streamed = piece } else { state.streamed?.append(piece) }
            return true
        }
        guard live else { return trellis_status(TRELLIS_UNAVAILABLE) }
        onDelta(piece)
        return trellis_status(TRELLIS_OK)
    }

    /// `reply_messages_count`.
    func messagesCount() -> Int64 {
        state.withLock { state in
            guard let llmRequest, !state.pluginDone else { return -1 }
            return Int64(llmRequest.messages.count)
        }
    }

    /// `reply_message_at`.
    func message(at index: Int64, role: UnsafeMutablePointer<trellis_string>?, content: UnsafeMutablePointer<trellis_string>?) -> trellis_status {
        state.withLock { state in
            let found = Self.lookUp(llmRequest?.messages, index, &state)
            guard case .success(let fields) = found else { return Self.status(of: found) }
            role?.pointee = Self.lend(fields["role"]?.string ?? "", &state)
            content?.pointee = Self.lend(fields["content"]?.string ?? "", &state)
            return trellis_status(TRELLIS_OK)
        }
    }

    /// `reply_message_json_at`.
    func messageJSON(at index: Int64, into out: UnsafeMutablePointer<trellis_string>?) -> trellis_status {
        state.withLock { state in
            let found = Self.lookUp(llmRequest?.messages, index, &state)
            guard case .success(let fields) = found else { return Self.status(of: found) }
            out?.pointee = Self.lend(ContextValue.map(fields).jsonText, &state)
            return trellis_status(TRELLIS_OK)
        }
    }

    /// Why a message accessor cannot answer: its status code.
    private struct Refusal: Error {
        let status: trellis_status
    }

    private static func lookUp(_ messages: MessageList?, _ index: Int64, _ state: inout State) -> Result<[String: ContextValue], Refusal> {
        guard let messages, !state.pluginDone else { return .failure(Refusal(status: trellis_status(TRELLIS_UNAVAILABLE))) }
        guard index >= 0, index < Int64(messages.count) else { return .failure(Refusal(status: trellis_status(TRELLIS_NOT_FOUND))) }
        guard case .map(let fields) = messages[Int(index)] else { return .failure(Refusal(status: trellis_status(TRELLIS_WRONG_TYPE))) }
        return .success(fields)
    }

    private static func status(of result: Result<[String: ContextValue], Refusal>) -> trellis_status {
        if case .failure(let refusal) = result { return refusal.status }
        return trellis_status(TRELLIS_OK)
    }

    /// A host-owned NUL-terminated copy of `text`, valid until the reply is freed (after the
    /// plugin replied, which is as long as the ABI promises).
    private static func lend(_ text: String, _ state: inout State) -> trellis_string {
        let lent = state.lent ?? LentStrings()
        state.lent = lent
        return lent.copy(text)
    }

    // MARK: Ending

    private func startFailed(_ status: trellis_status) {
        let waiter: Waiter? = state.withLock { state in
            if state.pluginDone { return nil }
            state.pluginDone = true
            return state.waiter.take()
        }
        guard let waiter else { return }
        awaitDeliveries()
        release()
        waiter.resume(with: .failure(PluginAdapterError(message: "\(description) failed: the operation returned status \(status) without replying")))
    }

    /// Ends the plugin's handle: later uses of it find nothing (a late reply is logged by name).
    private func release() {
        if let opened = handle.withLock({ $0 }) { ReplyTable.close(opened) }
    }
}

/// A plugin adapter reported an error, or its answer could not be read.
public struct PluginAdapterError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, naming the adapter and the operation.
    public var message: String
    /// The message.
    public var description: String { message }
}
