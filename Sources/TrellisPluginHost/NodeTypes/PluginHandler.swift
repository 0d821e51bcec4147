import CTrellisPlugin
import TrellisEngine

/// The engine's view of a plugin node type: runs one visit through the C ABI.
///
/// Synchronous types take the fast path: one call object, one C call, the outcome built from
/// what the plugin wrote; nothing is serialized. Asynchronous types suspend on a checked
/// continuation that the plugin's `complete` (from any thread) resumes exactly once; task
/// cancellation (the node timeout) fails the node at once and calls the plugin's cancel function.
struct PluginHandler: NodeHandler {
    let type: PluginNodeType

    func execute(_ request: HandlerRequest) async throws -> Outcome {
        if type.isAsynchronous { return await executeAsynchronously(request) }
        return withUnsafePointer(to: request) { pointer in
            var state = CallState(type: type, request: pointer, asynchronous: nil)
            let status = withUnsafeMutablePointer(to: &state) { type.callInvoke(OpaquePointer($0)) }
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
                let status = type.callInvoke(call.handle)
                call.invokeReturned(status)
            }
        } onCancel: {
            call.hostCancel()
        }
    }
}
