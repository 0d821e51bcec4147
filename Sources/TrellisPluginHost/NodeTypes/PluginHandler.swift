import CTrellisPlugin
import TrellisEngine

/// The engine's view of a plugin node type: runs one visit through the C ABI.
///
/// Synchronous types take the fast path: one call object, one C call, the outcome built from
/// what the plugin wrote; nothing is serialized. Asynchronous types suspend on a checked
/// continuation that the plugin's `complete` (from any thread) resumes exactly once; task
/// cancellation (the node timeout) fails the node at once and calls the plugin's cancel function.
/// Types flagged `TRELLIS_NODE_BLOCKING` are invoked on `BlockingInvokePool`'s threads, never
/// on the cooperative pool.
struct PluginHandler: NodeHandler {
    let type: PluginNodeType

    func execute(_ request: HandlerRequest) async throws -> Outcome {
        if type.isAsynchronous { return await executeAsynchronously(request) }
        if type.isBlocking {
            // TRELLIS_NODE_BLOCKING: the whole call runs on the blocking pool's thread.
            return await BlockingInvokePool.shared.run { [type] in Self.invokeSynchronously(type, request) }
        }
        return Self.invokeSynchronously(type, request)
    }

    private static func invokeSynchronously(_ type: PluginNodeType, _ request: HandlerRequest) -> Outcome {
        withUnsafePointer(to: request) { pointer in
            var state = CallState(type: type, request: pointer, asynchronous: nil)
            let status = withUnsafeMutablePointer(to: &state) { state in
                PluginCrashContext.during(type, request) { type.callInvoke(OpaquePointer(state)) }
            }
            return state.takeOutcome(for: status)
        }
    }

    private func executeAsynchronously(_ request: HandlerRequest) async -> Outcome {
        let call = AsyncPluginCall(type: type, request: request)
        if Task.isCancelled { return call.state.pointee.cancelledOutcome }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Outcome, Never>) in
                call.begin(continuation)
                // The plugin's own reference, released when it completes (see AsyncPluginCall.finish).
                _ = Unmanaged.passRetained(call)
                if type.isBlocking {
                    // TRELLIS_NODE_BLOCKING with ASYNC: the invoke itself runs on the blocking pool.
                    BlockingInvokePool.shared.submit {
                        call.invokeReturned(PluginCrashContext.during(type, request) { type.callInvoke(call.handle) })
                    }
                } else {
                    call.invokeReturned(PluginCrashContext.during(type, request) { type.callInvoke(call.handle) })
                }
            }
        } onCancel: {
            call.hostCancel()
        }
    }
}
