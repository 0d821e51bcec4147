import Synchronization
import TrellisEngine

/// The built-in memory: per agent, the latest `capacity` turn entries in memory. Recall
/// waits `recallLatency` (the reference's `lat/10`) and returns the kept entries whose input
/// shares a word of three letters or more with the query, newest first, at most `recallLimit`.
/// Cost is bounded by `capacity`, never by the length of a conversation; each entry's words
/// are computed once, when it is kept.
public final class InMemoryMemory: MemoryAdapter {
    private struct Kept: Sendable {
        var entry: ContextValue
        var words: Set<String>
    }

    private let entries = Mutex<[String: [Kept]]>([:])
    /// Entries kept per agent.
    public let capacity: Int
    /// The most memories one recall returns.
    public let recallLimit: Int
    /// How long a recall takes.
    public let recallLatency: Duration

    /// Creates an empty memory.
    public init(capacity: Int = 32, recallLimit: Int = 3, recallLatency: Duration = .zero) {
        self.capacity = max(0, capacity)
        self.recallLimit = recallLimit
        self.recallLatency = recallLatency
    }

    /// Entries kept for `agentID`, oldest first.
    public func stored(agentID: String) -> [ContextValue] { entries.withLock { ($0[agentID] ?? []).map(\.entry) } }

    /// Recalls memories related to `query`.
    public func recall(agentID: String, query: String) async throws -> [ContextValue] {
        if recallLatency > .zero { try await SharedTimer.shared.sleep(for: recallLatency) }
        guard recallLimit > 0 else { return [] }
        let words = Self.words(of: query)
        guard !words.isEmpty else { return [] }
        return entries.withLock { table in
            var found: [ContextValue] = []
            for kept in (table[agentID] ?? []).reversed() where !kept.words.isDisjoint(with: words) {
                found.append(kept.entry)
                if found.count == recallLimit { break }
            }
            return found
        }
    }

    /// Keeps `entry`, dropping the oldest beyond `capacity`.
    public func update(agentID: String, entry: ContextValue) async throws {
        guard capacity > 0 else { return }
        var input = ""
        if case .map(let fields) = entry { input = fields["input"]?.stringValue ?? "" }
        let kept = Kept(entry: entry, words: Self.words(of: input))
        entries.withLock { table in
            // Taken out of the table, not copied from it: a copy would share the table's
            // storage, and the append would then copy every kept entry.
            var list = table.removeValue(forKey: agentID) ?? []
            list.append(kept)
            if list.count > capacity { list.removeFirst(list.count - capacity) }
            table[agentID] = list
        }
    }

    /// The words of three characters or more, ASCII letters folded to lower case. Bytes
    /// outside ASCII count as letters, so words in any script are kept whole without a
    /// Unicode property lookup per character.
    static func words(of text: String) -> Set<String> {
        var words: Set<String> = []
        var current: [UInt8] = []
        func flush() {
            if current.count >= 3 { words.insert(String(decoding: current, as: UTF8.self)) }
            current.removeAll(keepingCapacity: true)
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): current.append(byte + 32)
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"), 0x80...: current.append(byte)
            default: flush()
            }
        }
        flush()
        return words
    }
}
