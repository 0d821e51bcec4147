import Synchronization

/// The answer to one adapter operation a node started through the host, handed from the
/// host's callback (any thread, exactly once) to the node's task.
///
/// Most answers come before the host's start function returns (a built-in adapter with an
/// answer at hand, a mock): `value()` then returns it without suspending, so the task makes no
/// continuation and no executor switch. Only an answer still to come suspends the task, on an
/// unsafe continuation resumed exactly once: by `deliver` when the task waits first, by
/// `value()` itself when the answer came in between.
struct AdapterAnswer<Value: Sendable>: ~Copyable, Sendable {
    /// Where the answer is. Not `private`: this toolchain's debug build then fails to link
    /// the type's descriptor into the files that use `AdapterAnswer` ("Global is external, but
    /// doesn't have external or weak linkage").
    enum State {
        case pending
        case delivered(Result<Value, any Error>)
        case awaited(UnsafeContinuation<Value, any Error>)
        case taken
    }

    private let state = Mutex(State.pending)

    init() {}

    /// The host's callback: the operation's result. Called once.
    func deliver(_ result: Result<Value, any Error>) {
        let waiting: UnsafeContinuation<Value, any Error>? = state.withLock { state in
            guard case .awaited(let continuation) = state else {
                state = .delivered(result)
                return nil
            }
            state = .taken
            return continuation
        }
        waiting?.resume(with: result)
    }

    /// The result, once delivered; suspends only while it has not been. Called once.
    nonisolated(nonsending) func value() async throws -> Value {
        if let delivered = take() { return try delivered.get() }
        return try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Value, any Error>) in
            let delivered: Result<Value, any Error>? = state.withLock { state in
                guard case .delivered(let result) = state else {
                    state = .awaited(continuation)
                    return nil
                }
                state = .taken
                return result
            }
            if let delivered { continuation.resume(with: delivered) }
        }
    }

    private func take() -> Result<Value, any Error>? {
        state.withLock { state in
            guard case .delivered(let result) = state else { return nil }
            state = .taken
            return result
        }
    }
}
