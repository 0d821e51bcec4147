import TrellisCore
import TrellisEngine
import TrellisSessionNodes

/// The built-in memory: per agent, the latest `capacity` turn entries in memory. Recall
/// waits `recallLatency` (the reference's `lat/10`) and returns the kept entries whose input
/// shares a word of three letters or more with the query, newest first, at most `recallLimit`.
/// Cost is bounded by `capacity`, never by the length of a conversation.
///
/// Entries are kept compactly (benchmark 9 counts them in every session's size): a turn entry
/// as written by `session.memory_update` as its four fields rather than a map, and no word set
/// beside it — recall reads the words of each kept input in place, which costs about what
/// hashing them into sets did and keeps nothing per entry.
public final class InMemoryMemory: MemoryAdapter, @unchecked Sendable {
    /// Only touched with `lock` held, which is what makes the class safe to share. A
    /// `SpinLock` (a recall scans at most `capacity` entries): each session has its own memory,
    /// and a `LockedValue`'s storage of its own cost each idle session about 80 bytes
    /// (benchmark 9).
    @exclusivity(unchecked) private var entries: [String: [KeptEntry]] = [:]
    private let lock = SpinLock()

    /// Runs `body` on the entries, holding the lock.
    private func withEntries<Result>(_ body: (inout [String: [KeptEntry]]) -> Result) -> Result {
        lock.withLock { body(&entries) }
    }
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
    public func stored(agentID: String) -> [ContextValue] { withEntries { ($0[agentID] ?? []).map(\.value) } }

    /// Recalls memories related to `query`.
    public func recall(agentID: String, query: String) async throws -> [ContextValue] {
        if recallLatency > .zero { try await SharedTimer.shared.sleep(for: recallLatency) }
        return matches(agentID: agentID, query: query)
    }

    /// Without a recall latency to simulate, the memories are at hand.
    public func recallImmediately(agentID: String, query: String) throws -> [ContextValue]? {
        recallLatency > .zero ? nil : matches(agentID: agentID, query: query)
    }

    /// The kept entries that match `query`, newest first, at most `recallLimit`.
    private func matches(agentID: String, query: String) -> [ContextValue] {
        guard recallLimit > 0 else { return [] }
        let words = WordMatcher(query: query)
        guard !words.isEmpty else { return [] }
        return withEntries { table in
            var found: [ContextValue] = []
            for kept in (table[agentID] ?? []).reversed() where words.matchesAWord(of: kept.input) {
                found.append(kept.value)
                if found.count == recallLimit { break }
            }
            return found
        }
    }

    /// Keeps `entry`, dropping the oldest beyond `capacity`.
    public func update(agentID: String, entry: ContextValue) async throws {
        keep(agentID: agentID, entry: entry)
    }

    /// An update never waits.
    public func updateImmediately(agentID: String, entry: ContextValue) throws -> Bool {
        keep(agentID: agentID, entry: entry)
        return true
    }

    private func keep(agentID: String, entry: ContextValue) {
        guard capacity > 0 else { return }
        let kept = KeptEntry(entry)
        withEntries { table in
            // Taken out of the table, not copied from it: a copy would share the table's
            // storage, and the append would then copy every kept entry.
            var list = table.removeValue(forKey: agentID) ?? []
            list.append(kept)
            if list.count > capacity { list.removeFirst(list.count - capacity) }
            table[agentID] = list
        }
    }
}

/// One kept memory: the entry `session.memory_update` writes (`{input, response, input_type,
/// turn}`, texts and a number) as its fields, any other entry as it came.
private enum KeptEntry: Sendable {
    case turn(input: String, response: String, inputType: String, turn: Int)
    case other(ContextValue, input: String)

    init(_ entry: ContextValue) {
        if case .map(let fields) = entry, fields.count == 4, case .string(let input)? = fields["input"],
           case .string(let response)? = fields["response"], case .string(let inputType)? = fields["input_type"],
           case .integer(let turn)? = fields["turn"] {
            self = .turn(input: input, response: response, inputType: inputType, turn: turn)
        } else {
            self = .other(entry, input: entry["input"]?.stringValue ?? "")
        }
    }

    /// The text whose words recall matches.
    var input: String {
        switch self {
        case .turn(let input, _, _, _), .other(_, let input): return input
        }
    }

    /// The entry as it was given.
    var value: ContextValue {
        switch self {
        case .turn(let input, let response, let inputType, let turn):
            // Every recall rebuilds its entries' maps: from a template, so no key is hashed again.
            return .map(SessionNodes.memoryEntryKeys.make(.string(input), .string(response), .string(inputType), .integer(turn)))
        case .other(let entry, _):
            return entry
        }
    }
}

/// A query's words, matched against a kept input's words as they are read from its bytes,
/// without building a set per input: the query's distinct words side by side in one byte array.
///
/// A word is a run of three bytes or more of ASCII letters and digits and of bytes outside
/// ASCII, ASCII letters folded to lower case: words in any script are kept whole without a
/// Unicode property lookup per character.
private struct WordMatcher {
    private let bytes: [UInt8]
    private let words: [Range<Int>]

    init(query: String) {
        var bytes: [UInt8] = []
        var words: [Range<Int>] = []
        _ = Self.firstWord(in: query) { word in
            if !Self.contains(word, in: words, of: bytes) {
                let first = bytes.count
                for byte in word { bytes.append(Self.folded(byte)!) }
                words.append(first..<bytes.count)
            }
            return false
        }
        self.bytes = bytes
        self.words = words
    }

    var isEmpty: Bool { words.isEmpty }

    /// A word byte folded to lower case, or `nil` for a byte that separates words.
    @inline(__always)
    static func folded(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return byte + 32
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"), 0x80...: return byte
        default: return nil
        }
    }

    /// Whether `text` has a word of three characters or more that is one of the query's.
    func matchesAWord(of text: String) -> Bool {
        Self.firstWord(in: text) { Self.contains($0, in: words, of: bytes) }
    }

    /// Calls `found` with each word of three characters or more of `text` (its bytes as they
    /// are, unfolded) until it returns true; whether it did.
    private static func firstWord(in text: String, where found: (Slice<UnsafeBufferPointer<UInt8>>) -> Bool) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            var start = 0
            while start < bytes.count {
                guard folded(bytes[start]) != nil else { start += 1; continue }
                var end = start + 1
                while end < bytes.count, folded(bytes[end]) != nil { end += 1 }
                if end - start >= 3, found(bytes[start..<end]) { return true }
                start = end
            }
            return false
        }
    }

    /// Whether `word` (unfolded bytes) folds to one of `words` (ranges of folded `bytes`).
    private static func contains(_ word: Slice<UnsafeBufferPointer<UInt8>>, in words: [Range<Int>], of bytes: [UInt8]) -> Bool {
        words.contains { range in
            guard range.count == word.count else { return false }
            var position = range.lowerBound
            for byte in word {
                guard bytes[position] == folded(byte) else { return false }
                position += 1
            }
            return true
        }
    }
}
