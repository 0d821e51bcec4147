/// When a run's checkpoint reaches the disk, the same three modes as the session store's
/// `--durability` (`docs/pipeline-runs.md`).
///
/// Every mode replaces `checkpoint.json` atomically after every node (a temporary file
/// renamed over it), so a killed *process* never loses a completed node and never leaves a
/// torn checkpoint; the modes differ only in `fsync`, which decides what an operating-system
/// crash or a power cut can take back.
///
/// - `sync`: the checkpoint file and its directory are synced after every node: nothing a
///   node completed is lost even to a power cut, at the price of two `fsync`s per node.
/// - `batched` (the default): synced when at least `batchInterval` has passed since the
///   last sync, and always at the end of the run: a power cut loses at most that long.
/// - `off`: never synced; the operating system writes it back when it likes.
public enum RunDurability: String, Sendable, Hashable, CaseIterable {
    /// Never synced.
    case off
    /// Synced at most every `batchInterval`, and at the end.
    case batched
    /// Synced after every node.
    case sync

    /// The longest a `batched` run goes without syncing its checkpoint.
    public static let batchInterval: Duration = .milliseconds(100)

    /// Parses a mode name; the error lists the valid ones.
    public static func named(_ name: String) throws(RunDurabilityError) -> RunDurability {
        guard let mode = RunDurability(rawValue: name) else { throw RunDurabilityError(name: name) }
        return mode
    }
}

/// An unknown durability name.
public struct RunDurabilityError: Error, Sendable, CustomStringConvertible {
    /// The name given.
    public var name: String
    /// `unknown durability 'NAME'; use off, batched or sync`.
    public var description: String { "unknown durability '\(name)'; use off, batched or sync" }
}
