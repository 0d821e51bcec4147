import CTrellisPlugin

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The pending answer of one LLM request (ABI 1.1): publish the answer in pieces with
/// `delta(_:)`, and read the conversation without it crossing as JSON.
///
/// Valid while `complete(_:context:)` runs; afterwards every call is a harmless no-op (`delta`
/// returns false, `messageCount` 0), so a piece produced by a straggling task cannot reach a
/// reply the host has already freed. Usable from any task or thread.
public final class LLMCompletionContext: @unchecked Sendable {
    private let host: UnsafePointer<trellis_host_api>
    private let reply: OpaquePointer
    /// Whether the host asked for the answer in pieces (the request's `"stream": true`).
    public let isStreaming: Bool
    // Guards `finished` and is held across every host call, so `finish()` waits for a call in
    // flight and nothing touches the reply after the SDK answered. A pthread mutex rather
    // than `Synchronization.Mutex`, whose futex the thread sanitizer cannot see on Linux.
    private let lock: UnsafeMutablePointer<pthread_mutex_t>
    private var finished = false

    init(host: HostTable, reply: HostHandle, isStreaming: Bool) {
        self.host = host.table
        self.reply = reply.pointer
        self.isStreaming = isStreaming
        lock = .allocate(capacity: 1)
        pthread_mutex_init(lock, nil)
    }

    deinit {
        pthread_mutex_destroy(lock)
        lock.deallocate()
    }

    /// Publishes the next piece of the answer. Returns false when nobody listens (the request
    /// did not ask for streaming, was cancelled, or was answered): the adapter may stop
    /// producing pieces. The completion's `content` must be the concatenation of the pieces
    /// that returned true.
    @discardableResult
    public func delta(_ text: String) -> Bool {
        guard isStreaming else { return false }
        return withLive(otherwise: false) {
            withTrellisString(text) { host.pointee.reply_delta!(reply, $0) } == TRELLIS_OK
        }
    }

    /// How many messages the request's conversation has (oldest first). With
    /// `messagesByAccessor` set on the definition, this is where the conversation is; the
    /// request's `messages` is then empty.
    public var messageCount: Int {
        withLive(otherwise: 0) { max(0, Int(host.pointee.reply_messages_count!(reply))) }
    }

    /// Role and content of message `index`; nil when out of range or not a message.
    public func message(at index: Int) -> (role: String, content: String)? {
        withLive(otherwise: nil) {
            var role = trellis_string(data: nil, length: 0)
            var content = trellis_string(data: nil, length: 0)
            guard host.pointee.reply_message_at!(reply, Int64(index), &role, &content) == TRELLIS_OK else { return nil }
            return (String(borrowing: role), String(borrowing: content))
        }
    }

    /// Message `index` whole (`tool_calls`, `tool_call_id`, `name` included); nil when out of range.
    public func messageValue(at index: Int) -> PluginValue? {
        withLive(otherwise: nil) {
            var json = trellis_string(data: nil, length: 0)
            guard host.pointee.reply_message_json_at!(reply, Int64(index), &json) == TRELLIS_OK else { return nil }
            return try? PluginValue(jsonText: String(borrowing: json), maximumDepth: PluginValue.sdkMaximumJSONDepth)
        }
    }

    /// Every message whole, oldest first (what `LLMCompletionRequest.messages` holds without
    /// the accessor flag).
    public func messages() -> [PluginValue] {
        (0..<messageCount).compactMap { messageValue(at: $0) }
    }

    /// Called by the SDK before it replies: later calls become no-ops.
    func finish() {
        pthread_mutex_lock(lock)
        finished = true
        pthread_mutex_unlock(lock)
    }

    private func withLive<Result>(otherwise: Result, _ body: () -> Result) -> Result {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return finished ? otherwise : body()
    }
}
