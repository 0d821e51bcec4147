import CTrellisPlugin
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
/// Locks: the table's lock only maps an index to its slot; each slot has its own
/// (`LockedValue`, which the thread sanitizer can see: plugin threads call in here).
/// The two are never held together.
enum CallTable {
    /// One slot: the generation of its current (or last) call and that call's state while live.
    struct Slot {
        var generation: UInt32 = 0
        var call: CallState?
        /// Who the call of `generation` was, once it finished: a late use of its handle is
        /// logged naming the plugin, type and node (until the slot is reused).
        var finished: (type: PluginNodeType, nodeID: String)?

        /// Ends the live call: its handle stops working.
        mutating func retire() {
            if let call { finished = (call.type, call.request.node.id) }
            call = nil
        }
    }

    typealias SlotBox = LockedValue<Slot>

    private struct Table {
        var slots: [SlotBox] = []
        var free: [Int] = []
    }

    private static let table = LockedValue(Table())

    /// A live call's handle and its slot (the host keeps both for the call's lifetime).
    struct Entry: @unchecked Sendable {
        let handle: OpaquePointer
        let slot: SlotBox
        let index: Int
        let generation: UInt32
    }

    /// Starts a call with `state`; the returned handle is what the plugin receives.
    static func open(_ state: CallState) -> Entry {
        let (index, slot) = table.withLock { table -> (Int, SlotBox) in
            if let index = table.free.popLast() { return (index, table.slots[index]) }
            let slot = SlotBox(Slot())
            table.slots.append(slot)
            return (table.slots.count - 1, slot)
        }
        let generation = slot.withLock { slot -> UInt32 in
            // Generation 0 never names a call, so a zeroed handle's low bits never match.
            slot.generation = slot.generation == UInt32.max ? 1 : slot.generation + 1
            slot.call = state
            slot.finished = nil
            return slot.generation
        }
        let bits = (UInt(index + 1) << 32) | UInt(generation)
        return Entry(handle: OpaquePointer(bitPattern: bits)!, slot: slot, index: index, generation: generation)
    }

    /// Ends the call of `entry`: its handle stops working and the slot becomes free.
    /// `body` runs on the call's last state under the slot's lock (to take the outcome).
    static func close<Result>(_ entry: Entry, _ body: (inout CallState) -> Result) -> Result? {
        let result: Result? = entry.slot.withLock { slot in
            guard slot.generation == entry.generation, slot.call != nil else { return nil }
            let result = body(&slot.call!)
            slot.retire()
            return result
        }
        release(entry)
        return result
    }

    /// Returns the slot of `entry` to the free list; its call must already be gone (set to
    /// `nil` under the slot's lock), so a lookup racing with reuse finds nothing or the next call.
    static func release(_ entry: Entry) {
        table.withLock { $0.free.append(entry.index) }
    }

    /// The slot and generation a handle names (not necessarily live), or `nil` for NULL or a
    /// value no call ever had.
    static func resolve(_ handle: OpaquePointer?) -> Entry? {
        guard let handle else { return nil }
        let bits = UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(handle)))
        let index = Int(bits >> 32) - 1
        let generation = UInt32(truncatingIfNeeded: bits)
        guard index >= 0, generation != 0 else { return nil }
        let slot: SlotBox? = table.withLock { table in index < table.slots.count ? table.slots[index] : nil }
        guard let slot else { return nil }
        return Entry(handle: handle, slot: slot, index: index, generation: generation)
    }

    /// Runs `body` on the live call `handle` names, under its slot's lock; `otherwise` when the
    /// handle is NULL, unknown, or its call has finished.
    @inline(__always)
    static func with<Result>(_ handle: OpaquePointer?, otherwise: Result, _ body: (inout CallState) -> Result) -> Result {
        guard let entry = resolve(handle) else { return otherwise }
        return entry.slot.withLock { slot in
            guard slot.generation == entry.generation, slot.call != nil else { return otherwise }
            return body(&slot.call!)
        }
    }

    /// Whether `handle` names a live call.
    static func isLive(_ handle: OpaquePointer?) -> Bool {
        with(handle, otherwise: false) { _ in true }
    }
}
