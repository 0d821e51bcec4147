import CTrellisPlugin
import TrellisEngine

/// One visit of a plugin node: the state a C `trellis_call *` handle names.
///
/// It lives in a `CallTable` slot, reached only through the handle's slot and generation under
/// the slot's lock, never through a pointer into a host frame: a handle used after its call
/// finished finds nothing. It reads the request's context in place (nothing is serialized) and
/// collects writes and outcome fields.
struct CallState {
    let type: PluginNodeType
    /// Where the request of this visit is. A visit borrows the request of the frame running
    /// invoke while that frame is sure to outlive it: a synchronous one for good (that frame
    /// closes the slot, under its lock, before it returns), an asynchronous one until invoke
    /// has returned. Most asynchronous visits complete during invoke (the Swift SDK's do
    /// whenever the handler never suspends), and they cost no copy of the request (a copy
    /// retains a dozen references, and its release frees them again). One still pending then
    /// may outlive the frame (the host gives up on a call the plugin has yet to complete), so
    /// it takes a copy in `ownedRequest` (`ownRequest`) before the frame returns. Both are
    /// constants (`ownRequest` replaces the whole state): as variables they made every
    /// synchronous call about 25 ns slower (`trellis bench plugins`, no-op node).
    private let requestAddress: UnsafePointer<HandlerRequest>
    private let ownedRequest: OwnedRequest?
    /// Set for asynchronous visits: the completion protocol's state.
    var asynchronous: AsyncCompletion?

    /// The request of this visit, read in place.
    var request: HandlerRequest {
        _read { yield requestAddress.pointee }
    }

    /// A request kept on the heap for as long as an asynchronous call's slot holds it.
    final class OwnedRequest {
        let address: UnsafeMutablePointer<HandlerRequest>

        init(_ request: HandlerRequest) {
            address = .allocate(capacity: 1)
            address.initialize(to: request)
        }

        deinit {
            address.deinitialize(count: 1)
            address.deallocate()
        }
    }

    /// The node's context writes. `Dictionary()` is the shared empty storage without a call
    /// (a `[:]` literal calls `init(dictionaryLiteral:)` on every call).
    var updates = [String: ContextValue]()

    /// Room for a typical node's writes, made at the first one: grown key by key, the
    /// dictionary was reallocated at the first, second and third key.
    mutating func reserveUpdates() {
        if updates.isEmpty { updates = .empty(roomFor: Self.typicalUpdates) }
    }

    /// How many context writes a node typically makes (the session node types make 1-6).
    static let typicalUpdates = 6
    /// Everything a typical call never touches, allocated on first use so the common call
    /// creates and destroys as little as possible.
    private var extras: CallExtras?

    /// Outcome fields, rarely used.
    final class CallExtras {
        var statusOverride: OutcomeStatus?
        var failureReason: String?
        var preferredLabel: String?
        var suggestedNextIDs: [String] = []
        var notes: String?
        var userData: UnsafeMutableRawPointer?
    }

    /// Where this call's lent strings go: its slot's (set when the slot opens the call). Not
    /// retained: slots, and what they hold, are never freed.
    unowned(unsafe) var lentStrings: LentStrings?

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

    /// A synchronous visit of `type` reading `request` in place; the caller keeps `request`
    /// where it is until the call's slot is closed.
    init(type: PluginNodeType, borrowing request: UnsafePointer<HandlerRequest>) {
        self.type = type
        requestAddress = request
        ownedRequest = nil
    }

    /// An asynchronous visit of `type` reading `request` in place until `ownRequest`, holding
    /// `lease` (the plugin's activation: not retired while the plugin may still complete the
    /// call). The caller keeps `request` where it is until the slot is closed or owns its copy.
    init(type: PluginNodeType, asynchronous request: UnsafePointer<HandlerRequest>, lease: PluginActivation) {
        self.type = type
        requestAddress = request
        ownedRequest = nil
        asynchronous = AsyncCompletion(lease: lease)
    }

    /// `state` reading `owned` instead of the request it borrowed. It copies every stored
    /// property: one added to `CallState` must be copied here too, or a pending call loses it
    /// (properties with a default value would not fail to compile).
    private init(_ state: CallState, owning owned: OwnedRequest) {
        type = state.type
        requestAddress = UnsafePointer(owned.address)
        ownedRequest = owned
        asynchronous = state.asynchronous
        updates = state.updates
        extras = state.extras
        lentStrings = state.lentStrings
    }

    /// Makes the call hold its own copy of the request it borrowed: for a call that may outlive
    /// the frame whose request it reads.
    mutating func ownRequest() {
        guard ownedRequest == nil else { return }
        self = CallState(self, owning: OwnedRequest(requestAddress.pointee))
    }

    /// Runs `body` on the live call a C handle names (see `CallTable`).
    @inline(__always)
    static func with<Result>(_ handle: OpaquePointer?, otherwise: Result, _ body: (inout CallState) -> Result) -> Result {
        CallTable.with(handle, otherwise: otherwise, body)
    }

    /// Whether the plugin has completed the call (writes are refused then; the slot stays
    /// live only while invoke has not returned yet, or after a cancel until `complete`).
    var isFinished: Bool { asynchronous?.pluginDone ?? false }

    /// Whether the host gave up on the call.
    var isCancelled: Bool { asynchronous?.cancelled ?? false }

    // MARK: Strings handed to the plugin

    /// A host-owned copy of `text` (NUL-terminated), valid until the call ends.
    func lend(_ text: String) -> trellis_string {
        // Every call is opened by its slot, which sets `lentStrings` first.
        lentStrings!.copy(text)
    }

    // MARK: Outcome

    /// The outcome for the plugin's final status (`TRELLIS_OK`/`TRELLIS_ERROR`) and message,
    /// moving the collected fields out of the state.
    mutating func takeOutcome(for status: trellis_status, message: String? = nil, from source: StatusSource = .invoke) -> Outcome {
        var updates = [String: ContextValue]()
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
        case trellis_status(TRELLIS_PENDING) where source == .complete:
            resolved = .fail
            reason = "node type '\(type.qualifiedID)' passed TRELLIS_PENDING to complete() (expected TRELLIS_OK or TRELLIS_ERROR)"
        case trellis_status(TRELLIS_PENDING):
            resolved = .fail
            reason = "node type '\(type.qualifiedID)' returned TRELLIS_PENDING but was not registered with TRELLIS_NODE_ASYNC; "
                + "register it as asynchronous or complete synchronously"
        default:
            resolved = .fail
            reason = source == .invoke
                ? "node type '\(type.qualifiedID)' returned unknown status \(status) from invoke (expected TRELLIS_OK, TRELLIS_ERROR or TRELLIS_PENDING)"
                : "node type '\(type.qualifiedID)' passed unknown status \(status) to complete() (expected TRELLIS_OK or TRELLIS_ERROR)"
        }
        if (resolved == .fail || resolved == .retry), reason == nil {
            reason = failureReason ?? "node type '\(type.qualifiedID)' set status \(resolved.rawValue) without a reason"
        }
        return Outcome(status: resolved, preferredLabel: preferredLabel, suggestedNextIDs: suggestedNextIDs,
                       contextUpdates: updates, notes: notes, failureReason: reason)
    }

    /// Where a final status came from, for the message about a wrong one.
    enum StatusSource { case invoke, complete }

    /// The outcome when every call slot is taken (`CallTable.capacity` calls in flight).
    static func noSlotOutcome(_ type: PluginNodeType, _ request: HandlerRequest) -> Outcome {
        .failure("node '\(request.node.id)' (type '\(type.qualifiedID)') could not start: \(CallTable.capacity) plugin calls are already "
            + "in flight (a plugin that never completes its calls holds their slots)")
    }

    /// The outcome of a call the host gave up on.
    var cancelledOutcome: Outcome { Self.cancelledOutcome(type, nodeID: request.node.id) }

    /// The outcome of a visit of `type` at node `nodeID` that the host gave up on.
    static func cancelledOutcome(_ type: PluginNodeType, nodeID: String) -> Outcome {
        .failure("node '\(nodeID)' (type '\(type.qualifiedID)') was cancelled before the plugin completed it "
            + "(run cancelled); the plugin's cancel function was asked to stop it")
    }

    /// The outcome of a call that ran past the host's default call timeout.
    func timedOutOutcome(after limit: Duration) -> Outcome {
        .failure("node '\(request.node.id)' (type '\(type.qualifiedID)') did not complete within \(DurationText.describe(limit)) (the host's default "
            + "plugin call timeout; set the node's timeout attribute or plugin_call_timeout to change it); the plugin's cancel function was asked to stop it")
    }
}

/// The completion protocol of an asynchronous visit (invoke returned, plugin completed, host
/// gave up), kept in the call's slot and changed only under its lock; the waiting task is
/// resumed exactly once.
///
/// The host waits only for a call still pending when invoke returns: a plugin that completes
/// during invoke (the Swift SDK does whenever its handler never suspends) costs no
/// continuation, cancellation handler or deadline. So the plugin's completion or the host's
/// cancel may come before there is a continuation to resume; the outcome then waits here
/// for `AsyncPluginCall.wait`.
///
/// A class, not a struct: `CheckedContinuation` is a resilient type of another module, so a
/// struct holding it has no size known at compile time, and every move of a `CallState`
/// (synchronous ones included) went through runtime value witnesses.
final class AsyncCompletion {
    /// The plugin's activation, held until the call's slot is retired.
    let lease: PluginActivation
    var continuation: CheckedContinuation<Outcome, Never>?
    var invokeReturned = false
    /// Set once the plugin called `complete` (or invoke returned a final status).
    var pluginDone = false
    /// Set when the host gave up on the call (timeout, run cancelled).
    var cancelled = false
    /// The default call timeout that cancelled the call, for its message (`nil`: the run's cancel).
    var timedOutAfter: Duration?
    /// A completion that came during invoke, applied when invoke returns.
    var earlyCompletion: (status: trellis_status, message: String)?
    /// Set once the host waits for the call (`AsyncPluginCall.wait`).
    var waited = false
    /// The call's outcome, ready before the host started waiting for it.
    var outcomeBeforeWait: Outcome?

    init(lease: PluginActivation) { self.lease = lease }
}

/// The host's side of an asynchronous visit: runs the completion protocol on the call's slot.
/// Effects that leave the host (resuming the task, the plugin's cancel, log lines) happen after
/// the slot's lock is released, since the plugin may call back in from them.
struct AsyncPluginCall: Sendable {
    let entry: CallTable.Entry

    /// Opens the slot for a visit of `type` reading `request` in place; `nil` when no slot is
    /// free. The caller keeps `request` where it is until `invokeReturned` has returned (which
    /// gives a call still pending its own copy).
    init?(type: PluginNodeType, borrowing request: UnsafePointer<HandlerRequest>, lease: PluginActivation) {
        guard let entry = CallTable.open(CallState(type: type, asynchronous: request, lease: lease)) else { return nil }
        self.entry = entry
    }

    var handle: OpaquePointer { entry.handle }

    private struct Effects {
        var resume: (CheckedContinuation<Outcome, Never>, Outcome)?
        var askPluginToCancel = false
        var retire = false
        var log: String?
    }

    /// What a protocol step found in the slot.
    enum StepResult {
        /// The handle names no live call: its call finished (whose type and node, while the slot
        /// was not reused since), or it was never a call.
        case notLive(finished: CallTable.FinishedCall?)
        /// The handle names a live synchronous call: `type` and node id, for the message.
        case synchronous(PluginNodeType, String)
        case done
    }

    /// Runs `body` on the live asynchronous state under the slot's lock, retiring the slot when
    /// it asks, then carries out the effects outside the lock.
    @discardableResult
    private static func step(_ entry: CallTable.Entry, _ body: (inout CallState, AsyncCompletion, inout Effects) -> Void) -> StepResult {
        var effects = Effects()
        // Who the call is, read only for an effect that names it (a log line, the plugin's
        // cancel): taken on every step, the type and node id were four reference counts.
        var owner: (type: PluginNodeType, nodeID: String)?
        let result: StepResult = CallTable.withSlot(entry) { slot in
            guard slot.generation == entry.generation else { return .notLive(finished: nil) }
            guard slot.isLive else { return .notLive(finished: slot.finished) }
            // Optional chaining reads fields in place; binding the call would copy it whole.
            guard slot.call != nil else { return .notLive(finished: nil) }
            guard let completion = slot.call?.asynchronous else { return .synchronous(slot.call!.type, slot.call!.request.node.id) }
            body(&slot.call!, completion, &effects)
            if effects.log != nil || effects.askPluginToCancel, let type = slot.call?.type, let nodeID = slot.call?.request.node.id {
                owner = (type, nodeID)
            }
            if effects.retire { slot.retire() }
            return .done
        }
        guard case .done = result else { return result }
        if effects.retire { CallTable.release(entry) }
        if let log = effects.log, let owner { PluginLog.write(.warning, plugin: owner.type.pluginID, node: owner.nodeID, log) }
        if let (continuation, outcome) = effects.resume { continuation.resume(returning: outcome) }
        if effects.askPluginToCancel, let owner, let cancel = owner.type.cancel {
            PluginCrashContext.during(owner.type.crashOrigin, "cancel") { cancel(owner.type.state, entry.handle) }
        }
        return result
    }

    /// Called on the invoking thread once invoke has returned `status`: the outcome when the
    /// call is over (the plugin completed it during invoke, or invoke returned a final status),
    /// `nil` while it is pending (`wait` follows).
    func invokeReturned(_ status: trellis_status) -> Outcome? {
        var outcome: Outcome?
        Self.step(entry) { call, completion, effects in
            completion.invokeReturned = true
            if status == trellis_status(TRELLIS_PENDING) {
                guard let early = completion.earlyCompletion else {
                    // Pending: the call may outlive the frame whose request it has read so far.
                    call.ownRequest()
                    return
                }
                outcome = call.takeOutcome(for: early.status, message: early.message, from: .complete)
            } else {
                if completion.pluginDone {
                    effects.log = "invoke called complete() and then returned status \(status) instead of TRELLIS_PENDING; the returned status is used"
                }
                completion.pluginDone = true
                outcome = call.takeOutcome(for: status)
            }
            effects.retire = true
        }
        return outcome
    }

    /// Waits (through `continuation`) for a call that was pending when invoke returned: resumes
    /// at once when the plugin completed it, or the host gave up on it, in between.
    func wait(_ continuation: CheckedContinuation<Outcome, Never>) {
        let result = Self.step(entry) { call, completion, effects in
            completion.waited = true
            if let outcome = completion.outcomeBeforeWait.take() {
                effects.resume = (continuation, outcome)
                effects.retire = true
            } else if completion.cancelled {
                effects.resume = (continuation, completion.timedOutAfter.map { call.timedOutOutcome(after: $0) } ?? call.cancelledOutcome)
                effects.askPluginToCancel = true
            } else {
                completion.continuation = continuation
            }
        }
        // Nothing retires the slot of a pending call before the host has waited for it.
        guard case .done = result else { preconditionFailure("an asynchronous plugin call's slot ended before the host waited for it") }
    }

    /// The plugin's `complete`, from any thread.
    static func complete(_ handle: OpaquePointer?, _ status: trellis_status, message: trellis_string) -> StepResult {
        guard let entry = CallTable.resolve(handle) else { return .notLive(finished: nil) }
        return step(entry) { call, completion, effects in
            if completion.pluginDone {
                effects.log = "complete() called again for a call that already completed (type '\(call.type.qualifiedID)'); the second completion is ignored"
                return
            }
            completion.pluginDone = true
            let text = message.swiftString
            if !completion.invokeReturned {
                completion.earlyCompletion = (status, text)
                return
            }
            let outcome = call.takeOutcome(for: status, message: text, from: .complete)
            if let continuation = completion.continuation.take() {
                effects.resume = (continuation, outcome)
                effects.retire = true
            } else if !completion.waited {
                // Completed after invoke returned, before the host started waiting: `wait` answers with it.
                completion.outcomeBeforeWait = outcome
            } else {
                // The host gave up and already answered the node: only the slot is left to end.
                effects.retire = true
            }
        }
    }

    /// The host gives up (task cancelled, or after `timedOutAfter` the default call timeout):
    /// fail the node now and ask the plugin to stop. The slot stays live until the plugin
    /// completes, as the ABI promises `cancel`.
    func hostCancel(timedOutAfter limit: Duration? = nil) {
        Self.step(entry) { call, completion, effects in
            guard !completion.cancelled, !completion.pluginDone else { return }
            completion.cancelled = true
            completion.timedOutAfter = limit
            // Before the host waits, `wait` answers the node and asks the plugin to stop.
            guard let continuation = completion.continuation.take() else { return }
            effects.resume = (continuation, limit.map { call.timedOutOutcome(after: $0) } ?? call.cancelledOutcome)
            effects.askPluginToCancel = true
        }
    }
}
