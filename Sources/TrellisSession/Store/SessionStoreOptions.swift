/// How hard the session store works to keep what it was given.
///
/// - `sync`: every turn is committed with `synchronous=FULL` (fsync) before `send` returns
///   its reply, so an acknowledged turn survives a crash of the process or of the machine.
///   Turns of different sessions that finish together share one commit (group commit).
/// - `batched`: turns are queued and committed as a group every `batchInterval` or every
///   `batchSize` writes, whichever comes first, with `synchronous=NORMAL`; the reply does
///   not wait while fewer than `maxQueuedWrites` writes are waiting to be committed. A killed
///   process loses at most the writes not yet committed: the group being committed and the
///   queue, never more than `maxQueuedWrites`.
/// - `off`: grouped like `batched`, but SQLite never syncs (`synchronous=OFF`): cheapest,
///   and what a killed process had not yet handed to SQLite is lost.
public enum Durability: String, Sendable, Hashable, CaseIterable {
    /// Grouped writes, no syncing.
    case off
    /// Grouped writes on a timer or a count.
    case batched
    /// Each turn committed and synced before its reply.
    case sync

    /// Parses a durability name, with an error listing the valid ones.
    public static func named(_ name: String) throws(SessionError) -> Durability {
        guard let value = Durability(rawValue: name) else {
            throw SessionError.invalidArgument("unknown durability '\(name)'; use off, batched or sync")
        }
        return value
    }
}

/// Settings of a `SessionStore`.
public struct SessionStoreOptions: Sendable {
    /// How durable writes are (default `sync`).
    public var durability: Durability
    /// In `batched` and `off` modes, the longest a write waits before its group is committed (default 20 ms).
    public var batchInterval: Duration
    /// In `batched` and `off` modes, the number of queued writes that triggers a commit at once (default 64).
    public var batchSize: Int
    /// In `batched` and `off` modes, the most writes that wait uncommitted before a write waits
    /// for its own commit, which it also starts (default 512). Turns that come faster than the
    /// store commits them slow to its pace instead of queueing without bound, which bounds
    /// both the queue's memory and what a killed process loses.
    public var maxQueuedWrites: Int
    /// Messages kept per session in the store, newest first; `nil` keeps all (default).
    /// Restoring a session loads at most this many of its latest messages.
    public var maxMessagesPerSession: Int?
    /// Journal entries (one per turn) kept per session; `nil` keeps all (default).
    public var maxJournalEntriesPerSession: Int?

    /// Creates options.
    public init(
        durability: Durability = .sync,
        batchInterval: Duration = .milliseconds(20),
        batchSize: Int = 64,
        maxQueuedWrites: Int = 512,
        maxMessagesPerSession: Int? = nil,
        maxJournalEntriesPerSession: Int? = nil
    ) {
        self.durability = durability
        self.batchInterval = batchInterval
        self.batchSize = max(1, batchSize)
        self.maxQueuedWrites = max(1, maxQueuedWrites)
        self.maxMessagesPerSession = maxMessagesPerSession
        self.maxJournalEntriesPerSession = maxJournalEntriesPerSession
    }
}
