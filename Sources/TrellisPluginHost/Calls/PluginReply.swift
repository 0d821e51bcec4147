import CTrellisPlugin
import Synchronization

/// One pending operation of a plugin-provided adapter: what the C `trellis_reply *` points at.
/// Resumes the waiting Swift task exactly once, whichever comes first: the plugin's reply,
/// the operation function failing to start, or the task being cancelled.
///
/// `@unchecked Sendable`: immutable except for `state` (locked) and `cancelled` (atomic).
final class PluginReply: @unchecked Sendable {
    let description: String
    let pluginID: String
    private let state = Mutex(State())
    let cancelled = Atomic<Bool>(false)

    private struct State {
        var continuation: CheckedContinuation<String, any Error>?
        var pluginDone = false
    }

    init(description: String, pluginID: String) {
        self.description = description
        self.pluginID = pluginID
    }

    static func with<Result>(_ handle: OpaquePointer?, otherwise: Result, _ body: (PluginReply) -> Result) -> Result {
        guard let handle else { return otherwise }
        return Unmanaged<PluginReply>.fromOpaque(UnsafeRawPointer(handle))._withUnsafeGuaranteedRef(body)
    }

    /// Starts the operation with `start(handle)` and waits for the reply. Throws
    /// `PluginAdapterError` when the plugin answers with an error or fails to start.
    func perform(_ functions: PluginAdapterFunctions, _ start: (OpaquePointer) -> trellis_status) async throws -> String {
        if Task.isCancelled { throw CancellationError() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<String, any Error>) in
                state.withLock { $0.continuation = continuation }
                let handle = OpaquePointer(Unmanaged.passRetained(self).toOpaque())
                let status = start(handle)
                if status != trellis_status(TRELLIS_OK) { startFailed(status) }
            }
        } onCancel: {
            cancelled.store(true, ordering: .releasing)
            let continuation: CheckedContinuation<String, any Error>? = state.withLock { state in
                state.pluginDone ? nil : state.continuation.take()
            }
            guard let continuation else { return }
            continuation.resume(throwing: CancellationError())
            functions.adapter.cancel?(functions.adapter.state, OpaquePointer(Unmanaged.passUnretained(self).toOpaque()))
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
        release()
        if status == trellis_status(TRELLIS_OK) {
            continuation?.resume(returning: result)
        } else {
            let reason = error.isEmpty ? "the plugin replied with status \(status) and no message" : error
            continuation?.resume(throwing: PluginAdapterError(message: "\(description) failed: \(reason)"))
        }
    }

    private func startFailed(_ status: trellis_status) {
        let continuation: CheckedContinuation<String, any Error>? = state.withLock { state in
            if state.pluginDone { return nil }
            state.pluginDone = true
            return state.continuation.take()
        }
        guard let continuation else { return }
        release()
        continuation.resume(throwing: PluginAdapterError(message: "\(description) failed: the operation returned status \(status) without replying"))
    }

    /// Drops the plugin's reference, keeping the object recognizable for a buggy second reply.
    private func release() {
        CompletedCallQuarantine.keep(self)
        Unmanaged.passUnretained(self).release()
    }
}

/// A plugin adapter reported an error, or its answer could not be read.
public struct PluginAdapterError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, naming the adapter and the operation.
    public var message: String
    /// The message.
    public var description: String { message }
}
