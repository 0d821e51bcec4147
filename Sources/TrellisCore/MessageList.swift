/// A conversation's messages, oldest first, stored compactly: the text of every message in one
/// UTF-8 buffer, a fixed 8-byte entry per message (where its text ends, its role), and fields
/// other than `role` and `content` (a tool call's `tool_calls`, a tool result's `tool_call_id`)
/// only for the messages that have them.
///
/// It reads as the list of `{role, content, ...}` maps it was built from: element `i` is that
/// map (made on access), and `ContextValue.messages` equals, hashes and encodes to JSON exactly
/// like the equivalent `ContextValue.list`. A session keeps its history in one `MessageList`
/// and hands it to every run's context as `.messages`; both share one buffer (copy-on-write),
/// so seeding a turn costs the same at 20 messages as at 20,000, and the session's append after
/// the run writes in place. A `{role, content}` message costs 8 bytes plus its text, where a
/// map costs about 270 (see `docs/architecture.md`, "The message history").
///
/// Any value can be appended, and reads back equal: a message that is not a map with text
/// `role` and `content` is kept whole beside the buffer.
public struct MessageList: Sendable {
    var storage: MessageListStorage

    /// An empty list (no allocation: every empty list shares one storage until it is appended to).
    public init() { storage = MessageListStorage.empty }

    /// A list of `messages`, in order.
    public init(_ messages: some Sequence<ContextValue>) {
        self.init()
        for message in messages { append(message) }
    }

    /// The number of messages.
    public var count: Int { storage.entries.count }

    /// Appends the message `{role, content}` without building a map.
    public mutating func append(role: String, content: String) {
        makeUnique()
        storage.appendCompact(role: role, content: content, extra: nil, index: count)
    }

    /// Appends `message`: compactly when it is a map with text `role` and `content`, whole otherwise.
    public mutating func append(_ message: ContextValue) {
        makeUnique()
        storage.append(message, index: count)
    }

    /// Appends the messages of `slice` (of this list or another), copying their bytes and entries
    /// as they are rather than going through maps.
    public mutating func append(contentsOf slice: Slice<MessageList>) {
        let source = slice.base.storage
        let range = slice.startIndex..<slice.endIndex
        guard !range.isEmpty else { return }
        makeUnique()
        storage.append(range, of: source, index: count)
    }

    /// Appends each of `messages`.
    public mutating func append(contentsOf messages: some Sequence<ContextValue>) {
        for message in messages { append(message) }
    }

    /// Replaces the messages in `range` with `messages` (a window dropping its oldest messages,
    /// or folding them into a summary). O(count): the rest is copied into a new buffer, so the
    /// dropped text is given back.
    public mutating func replaceSubrange(_ range: Range<Int>, with messages: some Sequence<ContextValue>) {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "MessageList.replaceSubrange: range out of bounds")
        var rebuilt = MessageList()
        rebuilt.append(contentsOf: self[..<range.lowerBound])
        for message in messages { rebuilt.append(message) }
        rebuilt.append(contentsOf: self[range.upperBound...])
        self = rebuilt
    }

    /// The role and content of message `index` when both are text, without building its map;
    /// `nil` for a message kept whole that is not such a map.
    public func roleAndContent(at index: Int) -> (role: String, content: String)? {
        let entry = storage.entries[index]
        if entry.isWhole {
            guard case .map(let fields) = storage.extra(for: index), case .string(let role)? = fields["role"],
                  case .string(let content)? = fields["content"] else { return nil }
            return (role, content)
        }
        return (storage.role(of: index), storage.content(of: index))
    }

    /// Identifies the list's buffer without holding it: it changes when an append had to copy
    /// the buffer because another list still shared it (copy-on-write), never when the buffer
    /// merely grows. What lets a test see that a session's history is not copied per turn.
    public var storageIdentity: ObjectIdentifier { ObjectIdentifier(storage) }

    /// Writes the JSON text of the list into `buffer` (as `ContextValue.list` of its maps would).
    public func writeJSON(to buffer: inout JSONBuffer) {
        buffer.append(UInt8(ascii: "["))
        for index in 0..<count {
            if index > 0 { buffer.append(UInt8(ascii: ",")) }
            let entry = storage.entries[index]
            if entry.isWhole || entry.hasExtra {
                self[index].writeJSON(to: &buffer)
            } else {
                Self.writeJSON(role: storage.role(of: index), content: storage.content(of: index), to: &buffer)
            }
        }
        buffer.append(UInt8(ascii: "]"))
    }

    /// Writes the message `{role, content}` as `ContextValue.writeJSON` writes that map (keys in
    /// sorted order), without building the map.
    public static func writeJSON(role: String, content: String, to buffer: inout JSONBuffer) {
        buffer.append("{\"content\":")
        buffer.appendQuoted(content)
        buffer.append(",\"role\":")
        buffer.appendQuoted(role)
        buffer.append(UInt8(ascii: "}"))
    }

    private mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
    }
}

extension MessageList: RandomAccessCollection {
    /// 0.
    public var startIndex: Int { 0 }
    /// The number of messages.
    public var endIndex: Int { count }

    /// Message `position` as the map it was appended as (built on each access).
    public subscript(position: Int) -> ContextValue {
        let entry = storage.entries[position]
        if entry.isWhole { return storage.extra(for: position) }
        var fields: [String: ContextValue]
        if entry.hasExtra, case .map(let extra) = storage.extra(for: position) {
            fields = extra
        } else {
            fields = .empty(roomFor: 2)
        }
        fields["role"] = .string(storage.role(of: position))
        fields["content"] = .string(storage.content(of: position))
        return .map(fields)
    }
}

extension MessageList: ExpressibleByArrayLiteral {
    /// A list of the given messages.
    public init(arrayLiteral elements: ContextValue...) { self.init(elements) }
}

extension MessageList: Hashable {
    /// Whether the two lists hold equal messages (`ContextValue` equality, message by message).
    public static func == (lhs: MessageList, rhs: MessageList) -> Bool {
        if lhs.storage === rhs.storage { return true }
        guard lhs.count == rhs.count else { return false }
        // The same messages appended the same way are the same bytes; text that differs in
        // bytes may still be equal as `String`s (canonical equivalence), so compare maps then.
        if lhs.storage.hasSameEncoding(as: rhs.storage) { return true }
        return lhs.elementsEqual(rhs)
    }

    /// Whether the list holds exactly `messages`.
    public static func == (lhs: MessageList, rhs: [ContextValue]) -> Bool { lhs.elementsEqual(rhs) }

    /// Whether `messages` are exactly the list's.
    public static func == (lhs: [ContextValue], rhs: MessageList) -> Bool { rhs.elementsEqual(lhs) }

    /// Hashes the messages as `[ContextValue]` hashes the same maps.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(count)
        for message in self { hasher.combine(message) }
    }
}

extension MessageList: CustomStringConvertible {
    /// The list's JSON text.
    public var description: String {
        var buffer = JSONBuffer()
        writeJSON(to: &buffer)
        return buffer.text
    }
}

/// One message's place in a `MessageList`'s buffer: 8 bytes.
struct MessageEntry: Sendable, Equatable {
    /// Where the message's bytes end in the buffer (they start where the previous message's end).
    var end: UInt32
    /// The byte length of a role spelled out in the buffer (before the content); 0 for a known role.
    var roleLength: UInt16
    /// The index of a known role in `MessageListStorage.knownRoles`, or `spelledRole`.
    var role: UInt8
    /// `hasExtraFlag`, `wholeFlag`.
    var flags: UInt8

    static let spelledRole: UInt8 = .max
    static let hasExtraFlag: UInt8 = 1
    static let wholeFlag: UInt8 = 2

    /// The message has fields besides role and content, in the extras.
    var hasExtra: Bool { flags & Self.hasExtraFlag != 0 }
    /// The message is kept whole in the extras (no bytes in the buffer).
    var isWhole: Bool { flags & Self.wholeFlag != 0 }
}

/// A message's fields other than role and content (a map), or the whole message when it is not
/// a map with text role and content; kept in index order.
struct MessageExtra: Sendable, Equatable {
    var index: Int
    var value: ContextValue
}

/// The buffers behind a `MessageList`. Sendable because it is changed only through a list that
/// holds the one reference to it (`isKnownUniquelyReferenced`, as the standard library's own
/// collections do); once shared it is only read.
///
/// For the same reason its fields skip the runtime exclusivity check (a `swift_beginAccess`
/// per read, 8 a turn): a write happens only through the one list that holds the storage,
/// whose own accesses the compiler checks statically.
final class MessageListStorage: @unchecked Sendable {
    /// Every message's role (when spelled out) and content, as UTF-8.
    @exclusivity(unchecked) var text: [UInt8]
    /// One entry per message.
    @exclusivity(unchecked) var entries: [MessageEntry]
    /// Extra fields or whole messages, by ascending message index.
    @exclusivity(unchecked) var extras: [MessageExtra]

    static let empty = MessageListStorage(text: [], entries: [], extras: [])

    /// The roles stored as a number; any other role is spelled out in the buffer.
    static let knownRoles = ["user", "assistant", "system", "tool"]

    init(text: [UInt8], entries: [MessageEntry], extras: [MessageExtra]) {
        self.text = text
        self.entries = entries
        self.extras = extras
    }

    func copy() -> MessageListStorage { MessageListStorage(text: text, entries: entries, extras: extras) }

    func start(of index: Int) -> Int { index == 0 ? 0 : Int(entries[index - 1].end) }

    func role(of index: Int) -> String {
        let entry = entries[index]
        if entry.role != MessageEntry.spelledRole { return Self.knownRoles[Int(entry.role)] }
        let start = start(of: index)
        return String(decoding: text[start..<(start + Int(entry.roleLength))], as: UTF8.self)
    }

    func content(of index: Int) -> String {
        let entry = entries[index]
        return String(decoding: text[(start(of: index) + Int(entry.roleLength))..<Int(entry.end)], as: UTF8.self)
    }

    /// The extra of message `index` (which must have one).
    func extra(for index: Int) -> ContextValue {
        var low = 0
        var high = extras.count
        while low < high {
            let middle = (low + high) / 2
            if extras[middle].index < index { low = middle + 1 } else { high = middle }
        }
        precondition(low < extras.count && extras[low].index == index, "MessageList: message \(index) has no extra fields")
        return extras[low].value
    }

    func hasSameEncoding(as other: MessageListStorage) -> Bool {
        entries == other.entries && text == other.text && extras == other.extras
    }

    func append(_ message: ContextValue, index: Int) {
        if case .map(var fields) = message, case .string(let role)? = fields["role"], case .string(let content)? = fields["content"] {
            fields["role"] = nil
            fields["content"] = nil
            appendCompact(role: role, content: content, extra: fields.isEmpty ? nil : fields, index: index)
        } else {
            appendWhole(message, index: index)
        }
    }

    func appendCompact(role: String, content: String, extra: [String: ContextValue]?, index: Int) {
        let known = Self.knownRoles.firstIndex(of: role)
        let roleLength = known == nil ? role.utf8.count : 0
        let length = roleLength + content.utf8.count
        // Offsets are 32-bit to keep an entry at 8 bytes; a role over 64 KB or a conversation
        // over 4 GB of text keeps its further messages whole instead (nothing is refused).
        guard roleLength <= Int(UInt16.max), text.count + length <= Int(UInt32.max) else {
            var fields = extra ?? [:]
            fields["role"] = .string(role)
            fields["content"] = .string(content)
            appendWhole(.map(fields), index: index)
            return
        }
        grow(&text, by: length)
        if known == nil { text.append(contentsOf: role.utf8) }
        text.append(contentsOf: content.utf8)
        grow(&entries, by: 1)
        entries.append(MessageEntry(end: UInt32(text.count), roleLength: UInt16(roleLength),
                                    role: known.map(UInt8.init) ?? MessageEntry.spelledRole,
                                    flags: extra == nil ? 0 : MessageEntry.hasExtraFlag))
        if let extra { extras.append(MessageExtra(index: index, value: .map(extra))) }
    }

    func appendWhole(_ message: ContextValue, index: Int) {
        grow(&entries, by: 1)
        entries.append(MessageEntry(end: UInt32(text.count), roleLength: 0, role: 0, flags: MessageEntry.wholeFlag))
        extras.append(MessageExtra(index: index, value: message))
    }

    /// Appends messages `range` of `source` as they are stored there, their offsets moved.
    func append(_ range: Range<Int>, of source: MessageListStorage, index: Int) {
        let from = source.start(of: range.lowerBound)
        let to = Int(source.entries[range.upperBound - 1].end)
        guard text.count + (to - from) <= Int(UInt32.max) else {
            // Past 32-bit offsets: one by one, so that the ones that do not fit are kept whole.
            for (offset, position) in range.enumerated() {
                append(MessageList(storage: source)[position], index: index + offset)
            }
            return
        }
        let shift = text.count - from
        grow(&text, by: to - from)
        text.append(contentsOf: source.text[from..<to])
        grow(&entries, by: range.count)
        for var entry in source.entries[range] {
            entry.end = UInt32(Int(entry.end) + shift)
            entries.append(entry)
        }
        for extra in source.extras where range.contains(extra.index) {
            extras.append(MessageExtra(index: extra.index - range.lowerBound + index, value: extra.value))
        }
    }

    /// Makes room for `extra` more elements, growing by half rather than doubling: a history is
    /// kept for the life of its session, so the slack is resident memory, and 1.5 still makes
    /// appends O(1) on average.
    private func grow<Element>(_ array: inout [Element], by extra: Int) {
        let needed = array.count + extra
        guard needed > array.capacity else { return }
        array.reserveCapacity(max(needed, array.count + array.count / 2, 8))
    }
}

extension MessageList {
    /// A list over `storage` (shared, not copied).
    init(storage: MessageListStorage) { self.storage = storage }
}
