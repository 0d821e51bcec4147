import Testing
@testable import TrellisCore

/// `SharedTimer`: every wait ends, none before its deadline, earlier deadlines first, and a
/// cancelled wait ends at once with `CancellationError`.
@Suite("SharedTimer", .timeLimit(.minutes(1)))
struct SharedTimerTests {
    @Test("two thousand concurrent waits all end, none before its deadline")
    func manyWaitsEndOnTime() async throws {
        let clock = ContinuousClock()
        let early = LockedValue(0)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<2_000 {
                group.addTask {
                    let duration = Duration.milliseconds(5 + index % 40)
                    let start = clock.now
                    try await SharedTimer.shared.sleep(for: duration)
                    if clock.now - start < duration { early.withLock { $0 += 1 } }
                }
            }
            try await group.waitForAll()
        }
        #expect(early.withLock { $0 } == 0)
    }

    /// A lone wait longer than twice `earlyWake` arms the timer early and spins out the rest
    /// (the concurrent waits above are too close together for that): it too must not end early.
    @Test("lone waits, which the thread wakes early for, do not end before their deadline")
    func loneWaitsEndOnTime() async throws {
        let clock = ContinuousClock()
        for milliseconds in [1, 2, 3, 1, 2, 3, 1, 2, 3, 5] {
            let duration = Duration.milliseconds(milliseconds)
            #expect(duration > SharedTimer.earlyWake * 2)
            let start = clock.now
            try await SharedTimer.shared.sleep(for: duration)
            #expect(clock.now - start >= duration)
        }
    }

    @Test("waits end in deadline order, whatever order they began in")
    func earlierDeadlinesEndFirst() async throws {
        let order = LockedValue<[Int]>([])
        try await withThrowingTaskGroup(of: Void.self) { group in
            // Far enough apart that scheduling noise on a loaded machine cannot reorder them.
            for milliseconds in [600, 200, 400] {
                group.addTask {
                    try await SharedTimer.shared.sleep(for: .milliseconds(milliseconds))
                    order.withLock { $0.append(milliseconds) }
                }
            }
            try await group.waitForAll()
        }
        #expect(order.withLock { $0 } == [200, 400, 600])
    }

    @Test("a cancelled wait ends at once with CancellationError, and the others carry on")
    func cancellationEndsAWait() async throws {
        let clock = ContinuousClock()
        let start = clock.now
        let long = Task { try await SharedTimer.shared.sleep(for: .seconds(60)) }
        let short = Task { try await SharedTimer.shared.sleep(for: .milliseconds(50)) }
        long.cancel()
        await #expect(throws: CancellationError.self) { try await long.value }
        try await short.value
        // The CancellationError above already shows that cancelling ended the wait (a wait that
        // reached its deadline returns normally). This guards only against it lasting its 60 s;
        // the margin is wide because the synchronous CLI tests beside it can hold both pool
        // threads in blocking waits for half a minute on a loaded machine (seen: 31-37 s).
        #expect(clock.now - start < .seconds(55), "the cancelled wait must not last its 60 s")
    }

    @Test("a task cancelled before it waits does not wait")
    func alreadyCancelledTaskThrows() async throws {
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await SharedTimer.shared.sleep(for: .seconds(60))
        }
        await #expect(throws: CancellationError.self) { try await task.value }
    }
    @Test("a scheduled action runs once its delay has passed, and a cancelled one never runs")
    func scheduledActionsRunUnlessCancelled() async throws {
        let clock = ContinuousClock()
        let ran = LockedValue<[String]>([])
        let start = clock.now
        let kept = SharedTimer.shared.schedule(after: .milliseconds(50)) {
            let elapsed = clock.now - start
            ran.withLock { $0.append(elapsed >= .milliseconds(50) ? "kept" : "kept too early, after \(elapsed)") }
        }
        let dropped = SharedTimer.shared.schedule(after: .milliseconds(20)) { ran.withLock { $0.append("dropped") } }
        #expect(SharedTimer.shared.cancel(dropped))
        // A wait longer than both delays, on the same timer, ends after them.
        try await SharedTimer.shared.sleep(for: .milliseconds(200))
        let log = ran.withLock { $0 }
        #expect(log == ["kept"])
        #expect(!SharedTimer.shared.cancel(kept), "an action that ran is no longer pending")
    }

    /// Waits cancelled around their deadlines race the timer's pass for the same entry: each must
    /// end exactly once, either on time or with `CancellationError`, and none may hang. (The
    /// continuations are unchecked, so a wait resumed twice or never is what this looks for.)
    @Test("waits cancelled as they fall due each end once, on time or cancelled")
    func cancellationRacingTheDeadline() async throws {
        let outcomes = LockedValue((ended: 0, cancelled: 0))
        try await withThrowingTaskGroup(of: Void.self) { group in
            var waits: [Task<Void, Never>] = []
            for index in 0..<1_000 {
                waits.append(Task {
                    do {
                        try await SharedTimer.shared.sleep(for: .microseconds(500 + (index % 50) * 20))
                        outcomes.withLock { $0.ended += 1 }
                    } catch {
                        outcomes.withLock { $0.cancelled += 1 }
                    }
                })
            }
            let cancelled = waits.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
            group.addTask {
                // Cancel every other wait while they come due (500-1,500 µs after they began).
                try await SharedTimer.shared.sleep(for: .microseconds(500))
                for wait in cancelled { wait.cancel() }
            }
            try await group.waitForAll()
            for wait in waits { await wait.value }
        }
        let counted = outcomes.withLock { $0 }
        #expect(counted.ended + counted.cancelled == 1_000)
        #expect(counted.ended >= 500, "only half the waits were cancelled")
    }
}

