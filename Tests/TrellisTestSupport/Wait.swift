import Foundation
import Testing

/// A wait that reached its deadline; the test has an issue recorded at the caller's line.
public struct WaitTimeout: Error, CustomStringConvertible {
    /// What was awaited, and for how long.
    public var description: String
}

/// Polls `condition` until it holds, for at most `timeout`.
///
/// Replaces open `while !condition { sleep }` loops: when the condition never holds, the
/// test fails at the caller's line naming `what` it waited for, instead of hanging the run.
/// `interval` is the pause between polls.
public func waitUntil(
    timeout: Duration = .seconds(30), _ what: @autoclosure () -> String, interval: Duration = .milliseconds(2),
    sourceLocation: SourceLocation = #_sourceLocation, _ condition: () async throws -> Bool
) async throws {
    _ = try await waitFor(timeout: timeout, what(), interval: interval, sourceLocation: sourceLocation) {
        try await condition() ? true : nil
    }
}

/// Polls `produce` until it returns a value, for at most `timeout`, and returns that value.
///
/// On timeout records an issue at the caller's line and throws `WaitTimeout`, so the test
/// stops there. Cancellation (e.g. the test's time limit) ends the wait with `CancellationError`.
public func waitFor<Value>(
    timeout: Duration = .seconds(30), _ what: @autoclosure () -> String, interval: Duration = .milliseconds(2),
    sourceLocation: SourceLocation = #_sourceLocation, _ produce: () async throws -> Value?
) async throws -> Value {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while true {
        if let value = try await produce() { return value }
        guard clock.now < deadline else {
            let failure = WaitTimeout(description: "timed out after \(timeout) waiting for \(what())")
            Issue.record(Comment(rawValue: failure.description), sourceLocation: sourceLocation)
            throw failure
        }
        try await Task.sleep(for: interval)
    }
}

/// Polls `produce` until it returns a value, for at most `timeout`, blocking the calling thread.
///
/// For synchronous tests that watch a child process: the blocked thread polls on time even
/// when the cooperative pool is busy with other tests, where an `async` poll could oversleep
/// and miss a short-lived state. On timeout it records an issue and throws `WaitTimeout`.
/// A name of its own, not an overload of `waitFor`: the compiler would pick this one for a
/// synchronous closure even in `async` code, and a blocked cooperative thread starves the
/// very tasks being waited for.
public func blockingWaitFor<Value>(
    timeout: Duration = .seconds(30), _ what: @autoclosure () -> String, interval: Duration = .milliseconds(2),
    sourceLocation: SourceLocation = #_sourceLocation, _ produce: () throws -> Value?
) throws -> Value {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    let (seconds, attoseconds) = interval.components
    let pause = useconds_t(seconds * 1_000_000 + attoseconds / 1_000_000_000_000)
    while true {
        if let value = try produce() { return value }
        guard clock.now < deadline else {
            let failure = WaitTimeout(description: "timed out after \(timeout) waiting for \(what())")
            Issue.record(Comment(rawValue: failure.description), sourceLocation: sourceLocation)
            throw failure
        }
        usleep(pause)
    }
}
