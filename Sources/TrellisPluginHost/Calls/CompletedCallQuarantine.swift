import TrellisCore

/// Keeps the most recently answered adapter replies alive, so that a plugin replying twice
/// reaches a live `PluginReply` (and the host can log and ignore it) instead of freed memory.
/// Bounded: a second reply much later than the first is not caught. (Node calls need no
/// quarantine: their handles name `CallTable` slots, which are never freed.)
enum CompletedCallQuarantine {
    private static let capacity = 1024
    private static let ring = LockedValue(Ring())

    private struct Ring {
        var calls: [(any AnyObject & Sendable)?] = Array(repeating: nil, count: 1024)
        var next = 0
    }

    /// Keeps `object` until `capacity` later objects have been kept.
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
