import TrellisCore

/// The requests a server is answering right now, so that a stopping server can wait for them
/// (for a bounded time) without keeping a result per request it ever served. Its lock is a
/// `LockedValue`: requests end on any pool thread, and the thread sanitizer must see the lock.
final class InFlightRequests: Sendable {
    private struct State {
        var count = 0
        var idleWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = LockedValue(State())

    /// A request started.
    func begin() { state.withLock { $0.count += 1 } }

    /// A request ended.
    func end() {
        let waiters: [CheckedContinuation<Void, Never>] = state.withLock { state in
            state.count -= 1
            guard state.count == 0 else { return [] }
            defer { state.idleWaiters.removeAll() }
            return state.idleWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Waits until no request runs, or `limit` passed; returns whether it became idle.
    func waitUntilIdle(within limit: Duration) async -> Bool {
        await withTaskGroup(of: Bool.self) { race in
            race.addTask { [self] in
                await withCheckedContinuation { continuation in
                    let idle = state.withLock { state -> Bool in
                        if state.count == 0 { return true }
                        state.idleWaiters.append(continuation)
                        return false
                    }
                    if idle { continuation.resume() }
                }
                return true
            }
            race.addTask {
                try? await Task.sleep(for: limit)
                return false
            }
            let first = await race.next() ?? false
            if !first {
                // Release the idle waiter so the race can end.
                let waiters = state.withLock { state in
                    defer { state.idleWaiters.removeAll() }
                    return state.idleWaiters
                }
                for waiter in waiters { waiter.resume() }
            }
            race.cancelAll()
            return first
        }
    }
}
