import TrellisCore

/// The pending adapter operations, by the handle (`trellis_reply *`) the plugin holds: a
/// serial number, never a pointer. A reply handle used after its operation was answered finds
/// nothing (the functions taking it return `TRELLIS_UNAVAILABLE` or their neutral value), and
/// a late `adapter_reply` is logged naming the operation, from a bounded record of recent
/// answers. The lock is a `LockedValue`: plugin threads call in here.
enum ReplyTable {
    /// What an answered operation was, for the message about a late reply (no text is made
    /// until such a message is written).
    private struct Answered {
        var serial: UInt = 0
        var operation: StaticString = ""
        var adapterName = ""
        var pluginID = ""
    }

    private struct Table {
        var next: UInt = 1
        var live: [UInt: PluginReply] = [:]
        /// The last `keepAnswered` answered operations, a ring (written at `answeredNext`).
        var answered = [Answered](repeating: Answered(), count: keepAnswered)
        var answeredNext = 0
    }

    private static let keepAnswered = 1024
    private static let table = LockedValue(Table())

    /// Registers `reply` as pending; the returned handle is what the plugin receives.
    static func open(_ reply: PluginReply) -> OpaquePointer {
        let serial = table.withLock { table -> UInt in
            let serial = table.next
            table.next += 1
            table.live[serial] = reply
            return serial
        }
        return OpaquePointer(bitPattern: serial)!
    }

    /// Ends the operation of `handle`: later uses find nothing.
    static func close(_ handle: OpaquePointer) {
        let serial = serial(of: handle)
        let removed: PluginReply? = table.withLock { table in
            guard let reply = table.live.removeValue(forKey: serial) else { return nil }
            table.answered[table.answeredNext] = Answered(serial: serial, operation: reply.operation,
                                                          adapterName: reply.adapterName, pluginID: reply.pluginID)
            table.answeredNext = (table.answeredNext + 1) % keepAnswered
            return reply
        }
        _ = removed  // released outside the lock
    }

    /// Runs `body` on the pending operation `handle` names, or returns `otherwise`.
    static func with<Result>(_ handle: OpaquePointer?, otherwise: Result, _ body: (PluginReply) -> Result) -> Result {
        guard let handle else { return otherwise }
        let serial = serial(of: handle)
        guard let reply = table.withLock({ $0.live[serial] }) else { return otherwise }
        return body(reply)
    }

    /// What the answered operation `handle` named was, while it is remembered (a scan: only
    /// misuse asks).
    static func answered(_ handle: OpaquePointer?) -> String? {
        guard let handle else { return nil }
        let serial = serial(of: handle)
        guard let found = table.withLock({ $0.answered.first { $0.serial == serial && serial != 0 } }) else { return nil }
        return "\(found.operation) of adapter '\(found.adapterName)' of plugin '\(found.pluginID)'"
    }

    private static func serial(of handle: OpaquePointer) -> UInt {
        UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(handle)))
    }
}
