import TrellisCore
import Synchronization

/// `SQLiteMemory`'s read-only connections, each behind its own lock.
///
/// A recall is one short `LIMIT`ed statement, cheap enough to run on the caller's thread,
/// but one connection behind one lock would make concurrent sessions recall one at a time.
/// In WAL mode readers do not block each other or the writer, so several connections let
/// recalls run in parallel: each takes the first free connection, starting from a rotating
/// index so the load spreads, and waits on one only when every connection is busy.
final class MemoryReaderPool: Sendable {
    /// One connection and its lock.
    private final class Slot: Sendable {
        let connection: LockedValue<SQLiteDatabase>
        init(_ connection: sending SQLiteDatabase) { self.connection = LockedValue(connection) }
    }

    private let slots: [Slot]
    private let next = Atomic<Int>(0)

    /// Opens `count` (at least one) read-only connections to `path`.
    init(path: String, count: Int) throws(SQLiteError) {
        var slots: [Slot] = []
        for _ in 0..<max(1, count) {
            let connection = try SQLiteDatabase(path: path)
            try connection.execute("PRAGMA query_only=1")
            slots.append(Slot(connection))
        }
        self.slots = slots
    }

    /// Runs `body` with exclusive use of a free connection.
    func withConnection<Value: Sendable>(_ body: (SQLiteDatabase) throws -> Value) throws -> Value {
        let ticket = UInt(bitPattern: next.wrappingAdd(1, ordering: .relaxed).oldValue)
        let start = Int(ticket % UInt(slots.count))
        for offset in 0..<slots.count {
            let slot = slots[(start + offset) % slots.count]
            if let value = try slot.connection.withLockIfAvailable({ database in try body(database) }) { return value }
        }
        return try slots[start].connection.withLock { database in try body(database) }
    }

    /// Closes every connection; later uses fail.
    func close() {
        for slot in slots { slot.connection.withLock { $0.close() } }
    }
}
