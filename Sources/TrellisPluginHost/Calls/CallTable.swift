import CTrellisPlugin
import Synchronization
#if canImport(Glibc)
import Glibc
#endif
import TrellisCore
import TrellisEngine

/// The live node calls, by the handle (`trellis_call *`) the plugin holds: a slot index and
/// the generation the slot had when the call began, packed into the pointer's bits.
///
/// A handle is never dereferenced. Every host function looks its slot up and compares the
/// generation under the slot's lock, so a handle used after its call finished, synchronous or
/// asynchronous, finds either an empty slot or a later call's generation and gets
/// `TRELLIS_UNAVAILABLE` without touching anything. A synchronous call's state lives in the
/// slot, never in the host frame that ran `invoke`, so a stale handle cannot reach a finished
/// frame either. Slots are reused (a free list) and never freed, so a stale lookup always
/// lands on valid memory.
///
/// Cost (the no-op node of `trellis bench plugins` pays all of it): a lookup takes no table
/// lock — slots are published once, by index, into storage that never moves, behind an atomic
/// count — and the call's state is edited in place in its slot, never copied (a copy of a
/// `CallState` retains a dozen references). A synchronous call uses its thread's own slot, so
/// only asynchronous calls touch the free list.
///
/// Locks: the free list's lock only hands out indices; each slot has its own (`CallSlot`, a
/// lock cheaper than a pthread mutex that the thread sanitizer can still see: plugin threads
/// call in here). The two are never held together.
enum CallTable {
    /// One slot: the generation of its current (or last) call and that call's state while live.
    struct Slot {
        var generation: UInt32 = 0
        var isLive = false
        var call: CallState?
        /// Who the call of `generation` was, once it finished: a late use of its handle is
        /// logged naming the plugin, type and node (until the slot is reused).
        var finished: FinishedCall?
        /// The copies of strings the slot's calls lend, one buffer reused from call to call.
        let lentStrings = LentStrings()

        /// Ends the live call: its handle stops working, and what it held (the request, the
        /// plugin's lease) is released. An asynchronous call is remembered for the message about
        /// a late `complete` (the usual late use); a synchronous one is not, which saves every
        /// synchronous call two reference counts (a late use of its handle is still refused).
        mutating func retire() {
            // Optional chaining reads the fields in place; binding `call` would copy it whole.
            if call?.asynchronous != nil, let type = call?.type, let nodeID = call?.request.node.id {
                finished = FinishedCall(type: type, nodeID: nodeID)
            }
            isLive = false
            call = nil
            lentStrings.reset()
        }
    }

    /// The plugin type and node of a finished call, for the message about a late use.
    struct FinishedCall {
        let type: PluginNodeType
        let nodeID: String
    }

    typealias SlotBox = CallSlot

    /// The most slots there can be: calls in flight at once (a pending asynchronous call holds
    /// its slot until the plugin completes it). The storage is reserved, not touched, up front.
    static let capacity = 1 << 22

    /// Slot `i` at `slots[i]` for every `i < created`; written once each, before `created`
    /// grows past it, and never changed or freed.
    nonisolated(unsafe) private static let slots = UnsafeMutablePointer<Unmanaged<SlotBox>>.allocate(capacity: capacity)
    /// How many slots exist; published with release ordering after the slot is stored.
    private static let created = Atomic<Int>(0)
    /// Indices of slots whose call has finished.
    private static let free = LockedValue<[Int]>([])

    /// A live call's handle and its slot's index (the host keeps both for the call's lifetime;
    /// `withSlot` reaches the slot). Unchecked: the handle is only bits naming the slot.
    struct Entry: @unchecked Sendable {
        let handle: OpaquePointer
        let index: Int
        let generation: UInt32
        /// Whether the slot is the calling thread's own (see `openOnThisThread`), kept when the call closes.
        var ownedByThread = false
    }

    /// Starts a call with `state` in a slot from the free list; the returned handle is what the
    /// plugin receives. `nil` when `capacity` calls are already in flight.
    static func open(_ state: consuming CallState) -> Entry? {
        guard let index = takeFreeIndex() else { return nil }
        var state: CallState? = consume state
        return start(index, &state)
    }

    /// Starts a synchronous call with `state` in the calling thread's own slot, which only this
    /// thread ever opens: no free-list lock on the way in or out (most plugin calls are short
    /// synchronous ones). Falls back to `open` when that slot is busy (a call nested in a call).
    static func openOnThisThread(_ state: consuming CallState) -> Entry? {
        var index = Int(bitPattern: pthread_getspecific(threadSlotKey)) - 1
        if index < 0 {
            guard let taken = takeFreeIndex() else { return nil }
            pthread_setspecific(threadSlotKey, UnsafeRawPointer(bitPattern: taken + 1))
            index = taken
        }
        var state: CallState? = consume state
        guard var entry = start(index, &state) else { return open(state.take()!) }
        entry.ownedByThread = true
        return entry
    }

    /// Opens slot `index` for the call in `state` (moved in), unless the slot is live.
    private static func start(_ index: Int, _ state: inout CallState?) -> Entry? {
        // Slots are never freed, so the slot is used without a reference of its own (a retain
        // and a release on every call).
        slots[index]._withUnsafeGuaranteedRef { slot in
            let generation = slot.withLock { slot -> UInt32? in
                if slot.isLive { return nil }
                // Generation 0 never names a call, so a zeroed handle's low bits never match.
                slot.generation = slot.generation == UInt32.max ? 1 : slot.generation + 1
                state?.lentStrings = slot.lentStrings
                swap(&slot.call, &state)
                slot.isLive = true
                if slot.finished != nil { slot.finished = nil }
                return slot.generation
            }
            guard let generation else { return nil }
            let bits = (UInt(index + 1) << 32) | UInt(generation)
            return Entry(handle: OpaquePointer(bitPattern: bits)!, index: index, generation: generation)
        }
    }

    /// A free slot's index, creating a slot when none is free; `nil` at `capacity`.
    private static func takeFreeIndex() -> Int? {
        free.withLock { free in
            if let index = free.popLast() { return index }
            let index = created.load(ordering: .relaxed)  // only ever changed under this lock
            guard index < capacity else { return nil }
            (slots + index).initialize(to: Unmanaged.passRetained(SlotBox(Slot())))
            created.store(index + 1, ordering: .releasing)
            return index
        }
    }

    /// Each thread's own slot for synchronous calls, as index + 1; handed back to the free list
    /// when the thread exits (its last call has ended by then).
    private static let threadSlotKey: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { value in
            let index = Int(bitPattern: value) - 1
            if index >= 0 { CallTable.free.withLock { $0.append(index) } }
        }
        return key
    }()

    /// Ends the call of `entry`: its handle stops working and the slot becomes free (or stays
    /// its thread's). `body` runs on the call's last state under the slot's lock (to take the
    /// outcome); `nil` when the call had already ended.
    static func close<Result>(_ entry: Entry, _ body: (inout CallState) -> Result) -> Result? {
        let result: Result? = withSlot(entry) { slot in
            guard slot.isLive, slot.generation == entry.generation else { return nil }
            let result = body(&slot.call!)
            slot.retire()
            return result
        }
        if !entry.ownedByThread { release(entry) }
        return result
    }

    /// Returns the slot of `entry` to the free list; its call must already be retired (under
    /// the slot's lock), so a lookup racing with reuse finds nothing or the next call.
    static func release(_ entry: Entry) {
        free.withLock { $0.append(entry.index) }
    }

    /// The slot and generation a handle names (not necessarily live), or `nil` for NULL or a
    /// value no call ever had. Takes no lock.
    @inline(__always)
    static func resolve(_ handle: OpaquePointer?) -> Entry? {
        guard let handle, let (index, generation) = decode(handle) else { return nil }
        return Entry(handle: handle, index: index, generation: generation)
    }

    /// Runs `body` on the slot of `entry` under its lock, using the slot without a reference of
    /// its own (slots are never freed; held through a reference, each use retained and released it).
    @inline(__always)
    static func withSlot<Result>(_ entry: Entry, _ body: (inout Slot) -> Result) -> Result {
        slots[entry.index]._withUnsafeGuaranteedRef { $0.withLock(body) }
    }

    /// The slot index and generation in `handle`'s bits, when they can name a call.
    @inline(__always)
    private static func decode(_ handle: OpaquePointer) -> (index: Int, generation: UInt32)? {
        let bits = UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(handle)))
        let index = Int(bits >> 32) - 1
        let generation = UInt32(truncatingIfNeeded: bits)
        guard index >= 0, generation != 0, index < created.load(ordering: .acquiring) else { return nil }
        return (index, generation)
    }

    /// Runs `body` on the live call `handle` names, under its slot's lock; `otherwise` when the
    /// handle is NULL, unknown, or its call has finished. Every host function a plugin calls
    /// comes through here, so the slot is used without a reference of its own (through an
    /// `Entry`, each call retained and released it).
    @inline(__always)
    static func with<Result>(_ handle: OpaquePointer?, otherwise: Result, _ body: (inout CallState) -> Result) -> Result {
        guard let handle, let (index, generation) = decode(handle) else { return otherwise }
        return slots[index]._withUnsafeGuaranteedRef { box in
            box.withLock { slot in
                guard slot.isLive, slot.generation == generation else { return otherwise }
                return body(&slot.call!)
            }
        }
    }

    /// Whether `handle` names a live call.
    static func isLive(_ handle: OpaquePointer?) -> Bool {
        with(handle, otherwise: false) { _ in true }
    }
}
