import TrellisEngine

/// What `Session.send` returns.
public struct TurnReply: Sendable {
    /// The reply (`session.response`).
    public var reply: String
    /// The session's turn count after this turn.
    public var turnCount: Int
    /// From the turn's start to its reply (including the store commit in `sync` mode).
    public var latency: Duration
    /// Per-node timings of the run.
    public var nodeTimings: [NodeTiming]
    /// Tokens the turn's model calls used (tool rounds included).
    public var usage: LLMUsage = LLMUsage()
}

extension Duration {
    /// The duration in whole microseconds.
    var wholeMicroseconds: Int {
        let parts = components
        return Int(parts.seconds) * 1_000_000 + Int(parts.attoseconds / 1_000_000_000_000)
    }
}
