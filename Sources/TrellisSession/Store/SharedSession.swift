/// A session as a shared (PostgreSQL) store lists it for every host: what it is, how many
/// turns the store holds for it, and which host holds its lease now.
public struct SharedSession: Sendable, Equatable {
    /// The session's id.
    public var sessionID: String
    /// Its agent id.
    public var agentID: String
    /// Its type (`primary`, `background`, ...).
    public var sessionType: String
    /// Turns committed to the store (a host running it may have newer ones queued).
    public var turnCount: Int
    /// The host id holding an unexpired lease on it, or `nil` when none does (the next host
    /// asked for it takes it over).
    public var owner: String?
}
