import TrellisCore

/// A request to stop serving: a signal (SIGTERM, SIGINT) or an output nobody reads any more.
/// The server stops reading input, lets the requests in flight finish (for at most its drain
/// time), and returns, so the caller can commit the store and exit 0.
public final class ServeStop: Sendable {
    private struct State {
        var reason: String?
        var listener: (@Sendable (String) -> Void)?
    }

    private let state = LockedValue(State())

    /// A stop not requested yet.
    public init() {}

    /// Why the server was asked to stop, once it was.
    public var reason: String? { state.withLock { $0.reason } }

    /// Asks the server to stop; the first reason given is kept. Safe from any thread.
    public func request(_ reason: String) {
        let listener: (@Sendable (String) -> Void)? = state.withLock { state in
            guard state.reason == nil else { return nil }
            state.reason = reason
            return state.listener
        }
        listener?(reason)
    }

    /// Calls `listener` once the stop is requested (at once if it already was).
    func onRequest(_ listener: @escaping @Sendable (String) -> Void) {
        let already: String? = state.withLock { state in
            if let reason = state.reason { return reason }
            state.listener = listener
            return nil
        }
        if let already { listener(already) }
    }
}
