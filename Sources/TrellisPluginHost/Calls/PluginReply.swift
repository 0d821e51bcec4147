import CTrellisPlugin
import Synchronization
import TrellisCore
import TrellisEngine

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One pending operation of a plugin-provided adapter: what the C `trellis_reply *` points at.
/// Resumes the waiting Swift task exactly once, whichever comes first: the plugin's reply,
/// the operation function failing to start, or the task being cancelled.
///
/// For `llm_complete` it also holds the request's conversation (served by the ABI 1.1 message
/// accessors) and its delta sink (fed by `reply_delta`).
///
/// `@unchecked Sendable`: immutable except for `state` (behind a pthread mutex, which the thread
/// sanitizer can see: plugin threads call in here), `cancelled` (atomic) and `delivery` (a lock).
final class PluginReply: @unchecked Sendable {
    let description: String
    let pluginID: String
    /// The request's messages for the accessors; `nil` for operations other than llm_complete.
    private let messages: MessageList?
    /// Where deltas go; `nil` when the request did not ask for streaming.
    private let onDelta: LLMRequest.DeltaSink?
    private let state = LockedValue(State())
    let cancelled = Atomic<Bool>(false)
    /// Held while a delta is handed to the sink; the request is resumed only after taking it
    /// once, so no piece reaches the sink after the request ended. Recursive: the sink runs
    /// host code (session event subscribers) that may cancel the request on the same thread,
    /// and the cancellation handler then passes through this lock again. `state` is never held
    /// while the sink runs, for the same reason.
    private let delivery: UnsafeMutablePointer<pthread_mutex_t>
    /// The plugin's activation: not retired while this operation may still be answered (the
    /// reply stays registered until the plugin answers, even after the host gave up on it).
    private let lease: PluginActivation?

    private struct State {
        var continuation: CheckedContinuation<String, any Error>?
        var pluginDone = false
        /// The concatenation of the deltas published so far; `nil` before the first.
        var streamed: String?
        /// Strings lent to the plugin by the message accessors, freed with the reply.
        var lent: [UnsafeMutableRawPointer] = []
    }

    init(description: String, pluginID: String, messages: MessageList? = nil, onDelta: LLMRequest.DeltaSink? = nil,
         lease: PluginActivation? = nil) {
        self.description = description
        self.lease = lease
        self.pluginID = pluginID
        self.messages = messages
        self.onDelta = onDelta
        delivery = .allocate(capacity: 1)
        var attributes = pthread_mutexattr_t()
        pthread_mutexattr_init(&attributes)
        pthread_mutexattr_settype(&attributes, Int32(PTHREAD_MUTEX_RECURSIVE))
        pthread_mutex_init(delivery, &attributes)
        pthread_mutexattr_destroy(&attributes)
    }

    deinit {
        state.withLock { state in
            for pointer in state.lent { free(pointer) }
        }
        pthread_mutex_destroy(delivery)
        delivery.deallocate()
    }

    /// Waits until no delta is being handed to the sink (after the request was marked ended,
    /// so none can start).
    private func awaitDeliveries() {
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
    func perform(_ functions: PluginAdapterFunctions, _ start: (OpaquePointer) -> trellis_status) async throws -> String {
        if Task.isCancelled { throw CancellationError() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<String, any Error>) in
                state.withLock { $0.continuation = continuation }
                let opened = ReplyTable.open(self)
                handle.withLock { $0 = opened }
                let status = start(opened)
                if status != trellis_status(TRELLIS_OK) { startFailed(status) }
            }
        } onCancel: {
            cancelled.store(true, ordering: .releasing)
            let continuation: CheckedContinuation<String, any Error>? = state.withLock { state in
                state.pluginDone ? nil : state.continuation.take()
            }
            guard let continuation else { return }
            awaitDeliveries()
            continuation.resume(throwing: CancellationError())
            if let opened = handle.withLock({ $0 }) { functions.adapter.cancel?(functions.adapter.state, opened) }
        }
    }

    /// The plugin's `adapter_reply`, from any thread.
    func reply(status: trellis_status, result: String, error: String) {
        var duplicate = false
        let continuation: CheckedContinuation<String, any Error>? = state.withLock { state in
            if state.pluginDone {
                duplicate = true
                return nil
            }
            state.pluginDone = true
            return state.continuation.take()
        }
        if duplicate {
            PluginLog.write(.warning, plugin: pluginID, "adapter_reply called again for \(description), which was already answered; ignored")
            return
        }
        awaitDeliveries()
        release()
        if status == trellis_status(TRELLIS_OK) {
            continuation?.resume(returning: result)
        } else {
            let reason = error.isEmpty ? "the plugin replied with status \(status) and no message" : error
            continuation?.resume(throwing: PluginAdapterError(message: "\(description) failed: \(reason)"))
        }
    }

    // MARK: Streaming and the conversation (ABI 1.1)

    /// `reply_delta`: passes `text` to the delta sink while the request is still waiting.
    func delta(_ text: trellis_string) -> trellis_status {
        // Refused rather than repaired: the pieces must add up to the final content byte for byte.
        guard let piece = text.validatedString else { return trellis_status(TRELLIS_ERROR) }
        guard let onDelta else { return trellis_status(TRELLIS_UNAVAILABLE) }
        // Pieces from several plugin threads reach the sink one at a time, in the order they
        // got `delivery`; the request ends (reply, cancel) only once `delivery` is free.
        pthread_mutex_lock(delivery)
        defer { pthread_mutex_unlock(delivery) }
        let live = state.withLock { state in
            guard !state.pluginDone, state.continuation != nil else { return false }
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
            guard let messages, !state.pluginDone else { return -1 }
            return Int64(messages.count)
        }
    }

    /// `reply_message_at`.
    func message(at index: Int64, role: UnsafeMutablePointer<trellis_string>?, content: UnsafeMutablePointer<trellis_string>?) -> trellis_status {
        state.withLock { state in
            let found = Self.lookUp(messages, index, &state)
            guard case .success(let fields) = found else { return Self.status(of: found) }
            role?.pointee = Self.lend(fields["role"]?.string ?? "", &state)
            content?.pointee = Self.lend(fields["content"]?.string ?? "", &state)
            return trellis_status(TRELLIS_OK)
        }
    }

    /// `reply_message_json_at`.
    func messageJSON(at index: Int64, into out: UnsafeMutablePointer<trellis_string>?) -> trellis_status {
        state.withLock { state in
            let found = Self.lookUp(messages, index, &state)
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
        var text = text
        return text.withUTF8 { utf8 in
            let copy = malloc(utf8.count + 1)!
            if let base = utf8.baseAddress, utf8.count > 0 { memcpy(copy, base, utf8.count) }
            copy.storeBytes(of: 0, toByteOffset: utf8.count, as: UInt8.self)
            state.lent.append(copy)
            return trellis_string(data: copy.assumingMemoryBound(to: CChar.self), length: utf8.count)
        }
    }

    // MARK: Ending

    private func startFailed(_ status: trellis_status) {
        let continuation: CheckedContinuation<String, any Error>? = state.withLock { state in
            if state.pluginDone { return nil }
            state.pluginDone = true
            return state.continuation.take()
        }
        guard let continuation else { return }
        awaitDeliveries()
        release()
        continuation.resume(throwing: PluginAdapterError(message: "\(description) failed: the operation returned status \(status) without replying"))
    }

    /// Ends the plugin's handle: later uses of it find nothing (a late reply is logged by name).
    private func release() {
        if let opened = handle.withLock({ $0 }) { ReplyTable.close(opened, pluginID: pluginID, description: description) }
    }
}

/// A plugin adapter reported an error, or its answer could not be read.
public struct PluginAdapterError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, naming the adapter and the operation.
    public var message: String
    /// The message.
    public var description: String { message }
}
