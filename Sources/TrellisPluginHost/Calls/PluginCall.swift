import CTrellisPlugin
import Synchronization
import TrellisCore
import TrellisEngine

#if canImport(Glibc)
import Glibc
#endif

/// One visit of a plugin node: what the C `trellis_call *` handle points at.
///
/// A plain struct reached through a pointer: on the synchronous path it lives on the stack of
/// `PluginHandler.execute` and borrows the request (no allocation, no copy of the request's
/// references, no dynamic exclusivity checks); an asynchronous visit keeps it in memory owned by
/// its `AsyncPluginCall`. It reads the request's context in place (nothing is serialized) and
/// collects writes and outcome fields. The ABI says a plugin serializes its own uses of one
/// call, so these fields need no lock.
struct CallState {
    /// Unowned: the handler (synchronous) or the `AsyncPluginCall` holds the type for the whole call.
    unowned(unsafe) let type: PluginNodeType
    /// The request: the caller's on the synchronous path, the async call's own copy otherwise.
    let requestPointer: UnsafePointer<HandlerRequest>
    /// Set for asynchronous visits: the completion protocol and the owner of this state.
    unowned(unsafe) let asynchronous: AsyncPluginCall?

    var updates: [String: ContextValue] = [:]
    /// Everything a typical call never touches, allocated on first use so the common call
    /// creates and destroys as little as possible.
    private var extras: CallExtras?

    /// Outcome fields and lent strings, rarely used.
    final class CallExtras {
        var statusOverride: OutcomeStatus?
        var failureReason: String?
        var preferredLabel: String?
        var suggestedNextIDs: [String] = []
        var notes: String?
        var userData: UnsafeMutableRawPointer?
        /// Copies of strings handed to the plugin, freed with the call.
        var lent: [UnsafeMutableRawPointer] = []

        deinit {
            for pointer in lent { free(pointer) }
        }
    }

    private mutating func writableExtras() -> CallExtras {
        if let extras { return extras }
        let created = CallExtras()
        extras = created
        return created
    }

    var statusOverride: OutcomeStatus? {
        get { extras?.statusOverride }
        set { writableExtras().statusOverride = newValue }
    }

    var failureReason: String? {
        get { extras?.failureReason }
        set { writableExtras().failureReason = newValue }
    }

    var preferredLabel: String? {
        get { extras?.preferredLabel }
        set { writableExtras().preferredLabel = newValue }
    }

    var suggestedNextIDs: [String] {
        get { extras?.suggestedNextIDs ?? [] }
        set { writableExtras().suggestedNextIDs = newValue }
    }

    var notes: String? {
        get { extras?.notes }
        set { writableExtras().notes = newValue }
    }

    /// The plugin's own pointer for this call (`call_set_user_data`).
    var userData: UnsafeMutableRawPointer? {
        get { extras?.userData }
        set { writableExtras().userData = newValue }
    }

    init(type: PluginNodeType, request: UnsafePointer<HandlerRequest>, asynchronous: AsyncPluginCall?) {
        self.type = type
        self.requestPointer = request
        self.asynchronous = asynchronous
    }

    /// The request of this visit, read in place.
    var request: HandlerRequest {
        unsafeAddress { requestPointer }
    }

    /// Runs `body` on the state a C handle points at.
    @inline(__always)
    static func with<Result>(_ handle: OpaquePointer?, otherwise: Result, _ body: (inout CallState) -> Result) -> Result {
        guard let handle else { return otherwise }
        return body(&UnsafeMutablePointer<CallState>(handle).pointee)
    }

    /// Whether the call has completed (writes are refused then). Synchronous calls never are
    /// while the plugin may legally use them.
    var isFinished: Bool { asynchronous?.finished.load(ordering: .acquiring) ?? false }

    /// Whether the host gave up on the call.
    var isCancelled: Bool { asynchronous?.cancelled.load(ordering: .acquiring) ?? false }

    // MARK: Strings handed to the plugin

    /// A host-owned copy of `text` (NUL-terminated), valid until the call ends.
    mutating func lend(_ text: String) -> trellis_string {
        let extras = writableExtras()
        var text = text
        return text.withUTF8 { utf8 in
            let copy = malloc(utf8.count + 1)!
            if let base = utf8.baseAddress, utf8.count > 0 { memcpy(copy, base, utf8.count) }
            copy.storeBytes(of: 0, toByteOffset: utf8.count, as: UInt8.self)
            extras.lent.append(copy)
            return trellis_string(data: copy.assumingMemoryBound(to: CChar.self), length: utf8.count)
        }
    }

    // MARK: Outcome

    /// The outcome for the plugin's final status (`TRELLIS_OK`/`TRELLIS_ERROR`) and message,
    /// moving the collected fields out of the state.
    mutating func takeOutcome(for status: trellis_status, message: String? = nil) -> Outcome {
        var updates: [String: ContextValue] = [:]
        swap(&updates, &self.updates)
        if extras == nil && status == trellis_status(TRELLIS_OK) {
            return Outcome(status: .success, contextUpdates: updates)
        }
        let resolved: OutcomeStatus
        var reason: String?
        switch status {
        case trellis_status(TRELLIS_OK):
            resolved = statusOverride ?? .success
        case trellis_status(TRELLIS_ERROR):
            resolved = statusOverride == .retry ? .retry : .fail
            reason = (message?.isEmpty == false ? message : nil) ?? failureReason
                ?? "node type '\(type.qualifiedID)' returned TRELLIS_ERROR without a reason (the plugin should call outcome_set_failure)"
        case trellis_status(TRELLIS_PENDING):
            resolved = .fail
            reason = "node type '\(type.qualifiedID)' returned TRELLIS_PENDING but was not registered with TRELLIS_NODE_ASYNC; "
                + "register it as asynchronous or complete synchronously"
        default:
            resolved = .fail
            reason = "node type '\(type.qualifiedID)' returned unknown status \(status) from invoke (expected TRELLIS_OK, TRELLIS_ERROR or TRELLIS_PENDING)"
        }
        if (resolved == .fail || resolved == .retry), reason == nil {
            reason = failureReason ?? "node type '\(type.qualifiedID)' set status \(resolved.rawValue) without a reason"
        }
        return Outcome(status: resolved, preferredLabel: preferredLabel, suggestedNextIDs: suggestedNextIDs,
                       contextUpdates: updates, notes: notes, failureReason: reason)
    }

    /// The outcome of a call the host gave up on.
    var cancelledOutcome: Outcome {
        .failure("node '\(request.node.id)' (type '\(type.qualifiedID)') was cancelled before the plugin completed it "
            + "(node timeout or run cancelled); the plugin's cancel function was asked to stop it")
    }
}

/// An asynchronous visit: owns the call state for as long as the plugin may use it and runs
/// the completion protocol (invoke returned, plugin completed, host cancelled), resuming the
/// waiting task exactly once.
///
/// `@unchecked Sendable`: `state` is used by one thread at a time by the ABI's contract and
/// handed over through `completion`'s lock; the flags are atomics.
final class AsyncPluginCall: @unchecked Sendable {
    let type: PluginNodeType
    let state: UnsafeMutablePointer<CallState>
    private let request: UnsafeMutablePointer<HandlerRequest>
    /// Set once the plugin is done with the call: writes are refused afterwards.
    let finished = Atomic<Bool>(false)
    /// Set when the host gave up on the call.
    let cancelled = Atomic<Bool>(false)
    private let completion = Mutex(CompletionState())

    private struct CompletionState {
        var continuation: CheckedContinuation<Outcome, Never>?
        var invokeReturned = false
        var pluginDone = false
        var earlyCompletion: (status: trellis_status, message: String)?
    }

    init(type: PluginNodeType, request: HandlerRequest) {
        self.type = type
        self.request = UnsafeMutablePointer<HandlerRequest>.allocate(capacity: 1)
        self.request.initialize(to: request)
        state = UnsafeMutablePointer<CallState>.allocate(capacity: 1)
        state.initialize(to: CallState(type: type, request: UnsafePointer(self.request), asynchronous: self))
    }

    deinit {
        state.deinitialize(count: 1)
        state.deallocate()
        request.deinitialize(count: 1)
        request.deallocate()
    }

    /// The handle handed to C.
    var handle: OpaquePointer { OpaquePointer(state) }

    var nodeID: String { request.pointee.node.id }

    /// Stores the continuation the completion resumes; before invoke.
    func begin(_ continuation: CheckedContinuation<Outcome, Never>) {
        completion.withLock { $0.continuation = continuation }
    }

    /// Called on the invoking thread once invoke has returned `status`.
    func invokeReturned(_ status: trellis_status) {
        var resume: (CheckedContinuation<Outcome, Never>, Outcome)?
        var askPluginToCancel = false
        var pluginFinished = false
        var misuse: String?
        completion.withLock { completion in
            completion.invokeReturned = true
            if status == trellis_status(TRELLIS_PENDING) {
                if let early = completion.earlyCompletion, let continuation = completion.continuation.take() {
                    resume = (continuation, state.pointee.takeOutcome(for: early.status, message: early.message))
                } else if cancelled.load(ordering: .acquiring), let continuation = completion.continuation.take() {
                    resume = (continuation, state.pointee.cancelledOutcome)
                    askPluginToCancel = true
                }
            } else {
                if completion.pluginDone {
                    misuse = "invoke called complete() and then returned status \(status) instead of TRELLIS_PENDING; the returned status is used"
                } else {
                    completion.pluginDone = true
                    pluginFinished = true
                }
                if let continuation = completion.continuation.take() {
                    resume = (continuation, state.pointee.takeOutcome(for: status))
                }
            }
        }
        if let misuse { PluginLog.write(.warning, plugin: type.pluginID, node: nodeID, misuse) }
        if pluginFinished { finish() }
        if let (continuation, outcome) = resume { continuation.resume(returning: outcome) }
        if askPluginToCancel { type.cancel?(type.state, handle) }
    }

    /// The plugin's `complete`, from any thread.
    func complete(_ status: trellis_status, message: String) {
        var resume: (CheckedContinuation<Outcome, Never>, Outcome)?
        var duplicate = false
        completion.withLock { completion in
            if completion.pluginDone {
                duplicate = true
                return
            }
            completion.pluginDone = true
            if !completion.invokeReturned {
                completion.earlyCompletion = (status, message)
            } else if let continuation = completion.continuation.take() {
                resume = (continuation, state.pointee.takeOutcome(for: status, message: message))
            }
        }
        if duplicate {
            PluginLog.write(.warning, plugin: type.pluginID, node: nodeID,
                            "complete() called again for a call that already completed (type '\(type.qualifiedID)'); the second completion is ignored")
            return
        }
        finish()
        if let (continuation, outcome) = resume { continuation.resume(returning: outcome) }
    }

    /// The host gives up (task cancelled): fail the node now and ask the plugin to stop.
    func hostCancel() {
        cancelled.store(true, ordering: .releasing)
        let continuation: CheckedContinuation<Outcome, Never>? = completion.withLock { completion in
            guard completion.invokeReturned, !completion.pluginDone else { return nil }
            return completion.continuation.take()
        }
        guard let continuation else { return }
        continuation.resume(returning: state.pointee.cancelledOutcome)
        type.cancel?(type.state, handle)
    }

    /// The plugin is done with the call: refuse later writes and hand the plugin's reference
    /// to the quarantine, so a buggy second `complete` still finds a live object and is logged.
    private func finish() {
        finished.store(true, ordering: .releasing)
        CompletedCallQuarantine.keep(self)
        Unmanaged.passUnretained(self).release()
    }
}

/// Keeps the most recently completed asynchronous calls alive, so that a plugin calling
/// `complete` twice reaches a live call (and the host can log and ignore it) instead of freed
/// memory. Bounded: a second completion much later than the first is not caught.
enum CompletedCallQuarantine {
    private static let capacity = 1024
    // LockedValue, not Mutex: plugin threads complete calls here, and the thread sanitizer
    // cannot see a Mutex's futex (it reported this ring as a race).
    private static let ring = LockedValue(Ring())

    private struct Ring {
        var calls: [(any AnyObject & Sendable)?] = Array(repeating: nil, count: 1024)
        var next = 0
    }

    static func keep(_ object: any AnyObject & Sendable) {
        let evicted: (any AnyObject & Sendable)? = ring.withLock { ring in
            let old = ring.calls[ring.next]
            ring.calls[ring.next] = object
            ring.next = (ring.next + 1) % capacity
            return old
        }
        _ = evicted  // released outside the lock
    }
}
