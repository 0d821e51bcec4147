/// An ordered attribute list: keys keep the order in which they were first set,
/// and setting a key again replaces its value in place (Graphviz's merge semantics).
///
/// Storage is one array of entries searched linearly, because almost every list holds a handful
/// of keys and a graph holds tens of thousands of lists: a dictionary per list would cost an
/// allocation and a hash per key for nothing, and a second array another allocation. Past
/// `indexThreshold` keys a position index keeps lookups constant-time.
public struct Attributes: Sendable, Hashable, Sequence {
    /// One key and its value.
    struct Entry: Sendable {
        var key: String
        var value: AttributeValue
    }

    /// Entries in first-set order.
    private(set) var entries: [Entry] = []
    /// Key → position, kept only for long lists.
    private var positions: [String: Int]?

    private static let indexThreshold = 16

    /// Creates an empty list.
    public init() {}

    /// Creates a list from key/value pairs; later pairs replace earlier ones.
    public init(_ pairs: [(String, AttributeValue)]) {
        for (key, value) in pairs { self[key] = value }
    }

    /// Keys in first-set order.
    public var keys: [String] { entries.map(\.key) }

    private func position(of key: String) -> Int? {
        if let positions { return positions[key] }
        // Comparing lengths first skips most string comparisons; keys are short and few.
        let length = key.utf8.count
        return entries.withUnsafeBufferPointer { entries in
            for index in entries.indices where entries[index].key.utf8.count == length && entries[index].key == key {
                return index
            }
            return nil
        }
    }

    /// The value for `key`, or `nil`. Setting `nil` removes the key.
    public subscript(key: String) -> AttributeValue? {
        get { position(of: key).map { entries[$0].value } }
        set {
            if let newValue {
                if let index = position(of: key) {
                    entries[index].value = newValue
                    return
                }
                if entries.isEmpty {
                    // Lists hold a few keys; growing 1 → 2 → 4 would reallocate twice on the way.
                    entries.reserveCapacity(4)
                }
                entries.append(Entry(key: key, value: newValue))
                if positions != nil {
                    positions?[key] = entries.count - 1
                } else if entries.count > Self.indexThreshold {
                    rebuildPositions()
                }
            } else if let index = position(of: key) {
                entries.remove(at: index)
                if positions != nil { rebuildPositions() }
            }
        }
    }

    private mutating func rebuildPositions() {
        guard entries.count > Self.indexThreshold else {
            positions = nil
            return
        }
        var index: [String: Int] = [:]
        index.reserveCapacity(entries.count)
        for (position, entry) in entries.enumerated() { index[entry.key] = position }
        positions = index
    }

    /// The raw text of `key`, or `nil`.
    public func raw(_ key: String) -> String? { self[key]?.raw }

    /// Sets every attribute of `other` on this list, replacing existing values.
    public mutating func merge(_ other: Attributes) {
        if entries.isEmpty {
            self = other
            return
        }
        entries.reserveCapacity(entries.count + other.entries.count)
        for entry in other.entries { self[entry.key] = entry.value }
    }

    /// Makes room for `capacity` attributes in storage of this list's own (copying shared storage).
    mutating func reserveCapacity(_ capacity: Int) {
        entries.reserveCapacity(capacity)
    }

    /// Number of attributes.
    public var count: Int { entries.count }

    /// Whether there are no attributes.
    public var isEmpty: Bool { entries.isEmpty }

    /// Iterates `(key, value)` pairs in key order.
    public func makeIterator() -> some IteratorProtocol<(key: String, value: AttributeValue)> {
        PairIterator(entries: entries)
    }

    private struct PairIterator: IteratorProtocol {
        let entries: [Entry]
        var index = 0

        mutating func next() -> (key: String, value: AttributeValue)? {
            guard index < entries.count else { return nil }
            defer { index += 1 }
            return (entries[index].key, entries[index].value)
        }
    }

    /// Two lists are equal when they hold the same keys with the same raw text (order and locations ignored).
    public static func == (lhs: Attributes, rhs: Attributes) -> Bool {
        guard lhs.entries.count == rhs.entries.count else { return false }
        for entry in lhs.entries {
            guard let other = rhs[entry.key] else { return false }
            guard other.raw == entry.value.raw, other.isHTML == entry.value.isHTML else { return false }
        }
        return true
    }

    /// Hashes the key set and raw values, consistently with `==`.
    public func hash(into hasher: inout Hasher) {
        for entry in entries.sorted(by: { $0.key < $1.key }) {
            hasher.combine(entry.key)
            hasher.combine(entry.value.raw)
        }
    }
}
