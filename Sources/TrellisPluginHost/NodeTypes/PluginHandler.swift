import CTrellisPlugin
import TrellisDOT
import TrellisEngine

/// The engine's view of a plugin node type: runs one visit through the C ABI.
///
/// Synchronous types take the fast path: one call object, one C call, the outcome built from
/// what the plugin wrote; nothing is serialized. An asynchronous call completed during invoke
/// is answered at once; one still pending when invoke returns suspends on a checked
/// continuation that the plugin's `complete` (from any thread) resumes exactly once; task
/// cancellation (the node timeout) fails the node at once and calls the plugin's cancel function.
/// Types flagged `TRELLIS_NODE_BLOCKING` are invoked on `BlockingInvokePool`'s threads, never
/// on the cooperative pool.
struct PluginHandler: NodeHandler {
    let type: PluginNodeType
    /// Keeps the plugin's activation from being retired while a generation serves this handler
    /// (and so while a run on it may call the plugin).
    let activation: PluginActivation
    /// How long an asynchronous call of a node without a `timeout` attribute may stay pending
    /// before the host cancels it; `nil` waits for ever.
    var defaultTimeout: Duration? = nil

    nonisolated(nonsending) func execute(_ request: HandlerRequest) async throws -> Outcome {
        // The common synchronous call awaits nothing: with the other paths in a function of
        // their own, this one allocates no frame for them (three task allocations a call).
        if !type.isAsynchronous && !type.isBlocking { return Self.invokeSynchronously(type, request) }
        return await executeElsewhere(request)
    }

    /// An asynchronous call, or a blocking one (on `BlockingInvokePool`).
    @inline(never)
    private nonisolated(nonsending) func executeElsewhere(_ request: HandlerRequest) async -> Outcome {
        if type.isAsynchronous { return await executeAsynchronously(request) }
        // TRELLIS_NODE_BLOCKING: the whole call runs on the blocking pool's thread.
        return await BlockingInvokePool.shared.run { [type] in Self.invokeSynchronously(type, request) }
    }

    private static func invokeSynchronously(_ type: PluginNodeType, _ request: HandlerRequest) -> Outcome {
        // The call reads `request` where it is: the slot is closed before this closure returns.
        withUnsafePointer(to: request) { address in
            guard let entry = CallTable.openOnThisThread(CallState(type: type, borrowing: address)) else { return CallState.noSlotOutcome(type, request) }
            let status = PluginCrashContext.during(type, address) { type.callInvoke(entry.handle) }
            // The slot was live for the whole invoke and only this frame closes it.
            return CallTable.close(entry) { $0.takeOutcome(for: status) }!
        }
    }

    private func executeAsynchronously(_ request: HandlerRequest) async -> Outcome {
        if Task.isCancelled { return CallState.cancelledOutcome(type, nodeID: request.node.id) }
        let started: StartedCall
        if type.isBlocking {
            // TRELLIS_NODE_BLOCKING with ASYNC: the invoke itself runs on the blocking pool.
            started = await BlockingInvokePool.shared.run { [type, activation] in
                withUnsafePointer(to: request) { Self.start(type, activation, $0) }
            }
        } else {
            started = withUnsafePointer(to: request) { Self.start(type, activation, $0) }
        }
        let call: AsyncPluginCall
        switch started {
        case .noSlot: return CallState.noSlotOutcome(type, request)
        case .finished(let outcome): return outcome
        case .pending(let pending): call = pending
        }
        // A node's own timeout is the engine's (it cancels this task); without one, the host's
        // default, counted from when invoke returned the call pending.
        let deadline = (request.node.attributes["timeout"] == nil ? defaultTimeout : nil).map {
            PluginCallDeadlines.add(call, after: $0, from: ContinuousClock.now)
        }
        defer { if let deadline { PluginCallDeadlines.remove(deadline) } }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Outcome, Never>) in
                call.wait(continuation)
            }
        } onCancel: {
            call.hostCancel()
        }
    }

    /// How an asynchronous call came out of invoke.
    private enum StartedCall: Sendable {
        /// Every call slot was taken: the plugin was not called.
        case noSlot
        /// Completed during invoke, or invoke returned a final status.
        case finished(Outcome)
        /// Pending: the plugin completes it later (it owns its copy of the request by now).
        case pending(AsyncPluginCall)
    }

    /// Opens a slot for a visit of `type` reading the request at `request` in place, and
    /// invokes the plugin. The request stays where it is until this returns: a call still
    /// pending then has taken its own copy (`AsyncPluginCall.invokeReturned`).
    private static func start(_ type: PluginNodeType, _ activation: PluginActivation, _ request: UnsafePointer<HandlerRequest>) -> StartedCall {
        guard let call = AsyncPluginCall(type: type, borrowing: request, lease: activation) else { return .noSlot }
        let status = PluginCrashContext.during(type, request) { type.callInvoke(call.handle) }
        if let outcome = call.invokeReturned(status) { return .finished(outcome) }
        return .pending(call)
    }
}
