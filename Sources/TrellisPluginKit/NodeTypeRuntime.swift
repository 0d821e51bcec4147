import CTrellisPlugin

/// The `state` behind one registered node type: its handler, the runtime, and the tasks of
/// its pending asynchronous calls. Retained for the life of the process (the host keeps the
/// pointer and never unloads the image).
final class NodeTypeRuntime: Sendable {
    let runtime: PluginRuntime
    let handler: NodeTypeDefinition.Handler
    let pending = PendingTasks()

    init(runtime: PluginRuntime, handler: NodeTypeDefinition.Handler) {
        self.runtime = runtime
        self.handler = handler
    }

    /// Runs one visit: synchronously, or by starting a task and answering PENDING.
    func invoke(_ handle: HostHandle) -> trellis_status {
        switch handler {
        case .sync(let handler):
            var call = NodeCall(runtime: runtime, handle: handle)
            do {
                return Self.report(try handler.handle(&call), on: call)
            } catch {
                return Self.report(error, on: call)
            }
        case .async(let handler):
            let runtime = runtime
            let pending = pending
            let task = pending.start(handle) { task in
                var call = NodeCall(runtime: runtime, handle: handle)
                var status: trellis_status
                var message = ""
                do {
                    status = Self.report(try await handler.handle(&call), on: call)
                } catch {
                    message = Self.describe(error)
                    status = Self.report(error, on: call)
                }
                // Forget the task before answering: the host may reuse the handle afterwards.
                pending.finish(handle, task)
                // Finished while invoke still runs: invoke returns the status (a failure's
                // reason is already set on the outcome by `report`).
                if task.finishDuringInvoke(status) { return }
                withTrellisString(message) { runtime.host.table.pointee.complete!(handle.pointer, status, $0) }
            }
            return task.invokeStatus()
        }
    }

    /// Forwards the host's cancel to the call's task.
    func cancel(_ handle: HostHandle) {
        pending.cancel(handle)
    }

    /// Applies a handler's result to the call's outcome and returns the invoke status.
    private static func report(_ result: NodeResult, on call: NodeCall) -> trellis_status {
        for (key, value) in result.updates { call.set(key, value) }
        let host = call.host
        let pointer = call.pointer
        if result.status != .success { _ = host.pointee.outcome_set_status!(pointer, result.status.code) }
        if let reason = result.failureReason {
            _ = withTrellisString(reason) { host.pointee.outcome_set_failure!(pointer, $0) }
        } else if result.status == .fail || result.status == .retry {
            _ = withTrellisString("node type reported \(result.status) without a reason") { host.pointee.outcome_set_failure!(pointer, $0) }
        }
        if let label = result.preferredLabel {
            _ = withTrellisString(label) { host.pointee.outcome_set_preferred_label!(pointer, $0) }
        }
        for next in result.suggestedNextIDs {
            _ = withTrellisString(next) { host.pointee.outcome_add_suggested_next!(pointer, $0) }
        }
        if let notes = result.notes {
            _ = withTrellisString(notes) { host.pointee.outcome_set_notes!(pointer, $0) }
        }
        return TRELLIS_OK
    }

    /// Turns a thrown error into the call's failure reason; the error itself stays on this side.
    private static func report(_ error: any Error, on call: NodeCall) -> trellis_status {
        let pointer = call.pointer
        let host = call.host
        _ = withTrellisString(describe(error)) { host.pointee.outcome_set_failure!(pointer, $0) }
        return TRELLIS_ERROR
    }

    /// A failure reason for `error`: a cancelled task says so plainly.
    static func describe(_ error: any Error) -> String {
        if error is CancellationError { return "cancelled" }
        let text = String(describing: error)
        return text.isEmpty ? "the handler threw an error without a description" : text
    }
}

/// `trellis_node_type.invoke` for every Swift node type.
func invokeNodeType(_ state: UnsafeMutableRawPointer?, _ call: OpaquePointer?) -> trellis_status {
    guard let state, let call else { return TRELLIS_ERROR }
    return Unmanaged<NodeTypeRuntime>.fromOpaque(state).takeUnretainedValue().invoke(HostHandle(pointer: call))
}

/// `trellis_node_type.cancel` for every Swift node type.
func cancelNodeType(_ state: UnsafeMutableRawPointer?, _ call: OpaquePointer?) {
    guard let state, let call else { return }
    Unmanaged<NodeTypeRuntime>.fromOpaque(state).takeUnretainedValue().cancel(HostHandle(pointer: call))
}
