/// A node type whose work is quick and needs no waiting: runs on the host's thread and returns.
///
/// Called concurrently from several threads, so keep state immutable or lock it yourself.
/// A thrown error fails the node with the error's description as the reason; no Swift error
/// crosses the C ABI.
public protocol SyncNodeHandler: Sendable {
    /// Runs one visit of a node.
    func handle(_ call: inout NodeCall) throws -> NodeResult
}

/// A node type that waits (on an adapter, a timer, other work): runs in a Swift task the SDK
/// starts, so no host thread blocks while it waits.
///
/// The SDK reports the call as pending to the host and completes it exactly once when
/// `handle` returns or throws. When the host gives up on the call (node timeout, run
/// cancelled) the task is cancelled: honour `Task.isCancelled` / `Task.checkCancellation()`.
///
/// `handle` is `nonisolated(nonsending)`: it runs on the task the SDK started, with no executor
/// hop on the way in or out. A conformance declared plainly (`func handle(...) async throws`)
/// compiles and works unchanged; marking it `nonisolated(nonsending)` as well spares it the hops.
/// The SDK's adapter calls (`call.llm`, `call.memory`, `call.tools`) are `nonisolated(nonsending)`
/// too, and return without suspending when the adapter answers at once.
public protocol AsyncNodeHandler: Sendable {
    /// Runs one visit of a node.
    nonisolated(nonsending) func handle(_ call: inout NodeCall) async throws -> NodeResult
}

/// An error a plugin throws to fail a node or an adapter operation with a message.
public struct PluginError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, for the user reading the run's failure reason.
    public var message: String

    /// Creates an error with `message`.
    public init(_ message: String) { self.message = message }

    /// The message.
    public var description: String { message }
}
