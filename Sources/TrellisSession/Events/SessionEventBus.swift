import Synchronization
import TrellisCore

/// Delivers session events to subscribers. Publishing is a single atomic load when nobody
/// listens, so sessions build events only when someone will read them.
public final class SessionEventBus: @unchecked Sendable {
    /// Identifies a subscription, for `unsubscribe`.
    public typealias Token = UInt64

    private struct Subscriber: Sendable {
        var token: Token
        var topicPrefix: String?
        var deliver: @Sendable (SessionEvent) -> Void
    }

    /// Only touched with `lock` held, which is what makes the class safe to share. A
    /// `SpinLock` (a few field writes; the subscribers run outside it): every session has a
    /// bus, and a `LockedValue`'s storage of its own cost each idle session about 80
    /// bytes (benchmark 9).
    @exclusivity(unchecked) private var subscribers: (next: Token, list: [Subscriber]) = (1, [])
    private let lock = SpinLock()
    private let count = Atomic<Int>(0)

    /// Runs `body` on the subscribers, holding the lock.
    private func withSubscribers<Result>(_ body: (inout (next: Token, list: [Subscriber])) -> Result) -> Result {
        lock.withLock { body(&subscribers) }
    }

    /// Creates a bus with no subscribers.
    public init() {}

    /// Whether anyone listens (cheap; check before building an event).
    public var hasSubscribers: Bool { count.load(ordering: .relaxed) > 0 }

    /// Calls `deliver` for every event whose topic starts with `topicPrefix` (all events when `nil`).
    /// `deliver` runs on the publisher's task: it must be quick and must not block.
    @discardableResult
    public func subscribe(topicPrefix: String? = nil, _ deliver: @escaping @Sendable (SessionEvent) -> Void) -> Token {
        withSubscribers { state in
            let token = state.next
            state.next += 1
            state.list.append(Subscriber(token: token, topicPrefix: topicPrefix, deliver: deliver))
            count.store(state.list.count, ordering: .relaxed)
            return token
        }
    }

    /// Ends a subscription.
    public func unsubscribe(_ token: Token) {
        withSubscribers { state in
            state.list.removeAll { $0.token == token }
            count.store(state.list.count, ordering: .relaxed)
        }
    }

    /// Delivers `event` to the matching subscribers; builds it only when there are any.
    public func publish(_ event: @autoclosure () -> SessionEvent) {
        guard hasSubscribers else { return }
        let built = event()
        let targets = withSubscribers { $0.list }
        for subscriber in targets where subscriber.topicPrefix.map({ built.topic.hasPrefix($0) }) ?? true {
            subscriber.deliver(built)
        }
    }
}
