/// An ordered attribute list: keys keep the order in which they were first set,
/// and setting a key again replaces its value in place (Graphviz's merge semantics).
///
/// Storage is two parallel arrays searched linearly, because almost every list holds a handful
/// of keys and a graph holds tens of thousands of lists: a dictionary per list would cost an
/// allocation and a hash per key for nothing. Past `indexThreshold` keys a position index
/// keeps lookups constant-time.
public struct Attributes: Sendable, Hashable, Sequence {
    /// Keys in first-set order.
    public private(set) var keys: [String] = []
    private var storedValues: [AttributeValue] = []
    /// Key → position, kept only for long lists.
    private var positions: [String: Int]?

    private static let indexThreshold = 16

    /// Creates an empty list.
    public init() {}

    /// Creates a list from key/value pairs; later pairs replace earlier ones.
    public init(_ pairs: [(String, AttributeValue)]) {
        for (key, value) in pairs { self[key] = value }
    }

    private func position(of key: String) -> Int? {
        if let positions { return positions[key] }
        return keys.firstIndex(of: key)
    }

    /// The value for `key`, or `nil`. Setting `nil` removes the key.
    public subscript(key: String) -> AttributeValue? {
        get { position(of: key).map { storedValues[$0] } }
        set {
            if let newValue {
                if let index = position(of: key) {
                    storedValues[index] = newValue
                    return
                }
                if keys.isEmpty {
                    // Lists hold a few keys; growing 1 → 2 → 4 would reallocate twice on the way.
                    keys.reserveCapacity(4)
                    storedValues.reserveCapacity(4)
                }
                keys.append(key)
                storedValues.append(newValue)
                if positions != nil {
                    positions?[key] = keys.count - 1
                } else if keys.count > Self.indexThreshold {
                    rebuildPositions()
                }
            } else if let index = position(of: key) {
                keys.remove(at: index)
                storedValues.remove(at: index)
                if positions != nil { rebuildPositions() }
            }
        }
    }

    private mutating func rebuildPositions() {
        guard keys.count > Self.indexThreshold else {
            positions = nil
            return
        }
        var index: [String: Int] = [:]
        index.reserveCapacity(keys.count)
        for (position, key) in keys.enumerated() { index[key] = position }
        positions = index
    }

    /// The raw text of `key`, or `nil`.
    public func raw(_ key: String) -> String? { self[key]?.raw }

    /// Sets every attribute of `other` on this list, replacing existing values.
    public mutating func merge(_ other: Attributes) {
        if keys.isEmpty {
            self = other
            return
        }
        keys.reserveCapacity(keys.count + other.keys.count)
        storedValues.reserveCapacity(storedValues.count + other.keys.count)
        for index in other.keys.indices { self[other.keys[index]] = other.storedValues[index] }
    }

    /// Number of attributes.
    public var count: Int { keys.count }

    /// Whether there are no attributes.
    public var isEmpty: Bool { keys.isEmpty }

    /// Iterates `(key, value)` pairs in key order.
    public func makeIterator() -> some IteratorProtocol<(key: String, value: AttributeValue)> {
        PairIterator(keys: keys, values: storedValues)
    }

    private struct PairIterator: IteratorProtocol {
        let keys: [String]
        let values: [AttributeValue]
        var index = 0

        mutating func next() -> (key: String, value: AttributeValue)? {
            guard index < keys.count else { return nil }
            defer { index += 1 }
            return (keys[index], values[index])
        }
    }

    /// Two lists are equal when they hold the same keys with the same raw text (order and locations ignored).
    public static func == (lhs: Attributes, rhs: Attributes) -> Bool {
        guard lhs.keys.count == rhs.keys.count else { return false }
        for (index, key) in lhs.keys.enumerated() {
            guard let other = rhs[key] else { return false }
            let value = lhs.storedValues[index]
            guard other.raw == value.raw, other.isHTML == value.isHTML else { return false }
        }
        return true
    }

    /// Hashes the key set and raw values, consistently with `==`.
    public func hash(into hasher: inout Hasher) {
        for key in keys.sorted() {
            hasher.combine(key)
            hasher.combine(self[key]!.raw)
        }
    }
}
