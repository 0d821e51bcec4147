import Dispatch

/// Runs `body`, which blocks (waits on a child process, a condition, a pipe), on a Dispatch
/// thread, and waits for it without holding a thread of the cooperative pool.
///
/// The pool has as many threads as cores: two here. Two tests blocked in such waits at once
/// stall every `async` test beside them, which then fail their own deadlines (seen as 30 s
/// stalls in full runs on a loaded machine).
public func offThePool<Value>(_ body: @escaping @Sendable () throws -> Value) async throws -> Value {
    let box: Unchecked<Value> = try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            continuation.resume(with: Result { Unchecked(value: try body()) })
        }
    }
    return box.value
}

/// `offThePool` for a body that cannot fail.
public func offThePool<Value>(_ body: @escaping @Sendable () -> Value) async -> Value {
    let box: Unchecked<Value> = await withCheckedContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(returning: Unchecked(value: body())) }
    }
    return box.value
}

/// Carries a value from the Dispatch thread to the waiting task. The value is made on that
/// thread and only read by the task after the hand-over, so it is never shared (JSON objects
/// as `[String: Any]` are not `Sendable` although nothing else holds them).
private struct Unchecked<Value>: @unchecked Sendable {
    let value: Value
}
