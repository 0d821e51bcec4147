import TrellisCore

/// One `CallTable` slot behind a `SpinLock` of its own.
///
/// Why not `LockedValue`: every plugin call takes its slot's lock at least twice (open and
/// close), and a pthread mutex costs about 15 ns a lock-unlock pair there, a sixth of the no-op
/// node's whole overhead in `trellis bench plugins`. The sections this lock guards are a few
/// field reads and writes, or one host function's work on a live call; two threads meet here
/// only when a plugin uses one call from two threads, or a stale handle races the slot's next
/// call.
final class CallSlot: @unchecked Sendable {
    // Only touched with `lock` held (hence no dynamic exclusivity check either).
    @exclusivity(unchecked) private var slot: CallTable.Slot
    private let lock = SpinLock()

    init(_ slot: CallTable.Slot) { self.slot = slot }

    /// Runs `body` with the slot, holding its lock. Not reentrant.
    @inline(__always)
    func withLock<Result>(_ body: (inout CallTable.Slot) throws -> Result) rethrows -> Result {
        try lock.withLock { try body(&slot) }
    }
}
