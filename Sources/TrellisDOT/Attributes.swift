/// An ordered attribute list: keys keep the order in which they were first set,
/// and setting a key again replaces its value in place (Graphviz's merge semantics).
public struct Attributes: Sendable, Hashable, Sequence {
    /// Keys in first-set order.
    public private(set) var keys: [String] = []
    private var values: [String: AttributeValue] = [:]

    /// Creates an empty list.
    public init() {}

    /// Creates a list from key/value pairs; later pairs replace earlier ones.
    public init(_ pairs: [(String, AttributeValue)]) {
        for (key, value) in pairs { self[key] = value }
    }

    /// The value for `key`, or `nil`. Setting `nil` removes the key.
    public subscript(key: String) -> AttributeValue? {
        get { values[key] }
        set {
            if let newValue {
                if values.updateValue(newValue, forKey: key) == nil { keys.append(key) }
            } else if values.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }

    /// The raw text of `key`, or `nil`.
    public func raw(_ key: String) -> String? { values[key]?.raw }

    /// Sets every attribute of `other` on this list, replacing existing values.
    public mutating func merge(_ other: Attributes) {
        for (key, value) in other { self[key] = value }
    }

    /// Number of attributes.
    public var count: Int { keys.count }

    /// Whether there are no attributes.
    public var isEmpty: Bool { keys.isEmpty }

    /// Iterates `(key, value)` pairs in key order.
    public func makeIterator() -> some IteratorProtocol<(key: String, value: AttributeValue)> {
        var index = 0
        let keys = self.keys
        let values = self.values
        return AnyIterator {
            guard index < keys.count else { return nil }
            defer { index += 1 }
            let key = keys[index]
            return (key, values[key]!)
        }
    }

    /// Two lists are equal when they hold the same keys with the same raw text (order and locations ignored).
    public static func == (lhs: Attributes, rhs: Attributes) -> Bool {
        guard lhs.keys.count == rhs.keys.count else { return false }
        for (key, value) in lhs.values {
            guard let other = rhs.values[key], other.raw == value.raw, other.isHTML == value.isHTML else { return false }
        }
        return true
    }

    /// Hashes the key set and raw values, consistently with `==`.
    public func hash(into hasher: inout Hasher) {
        for key in keys.sorted() {
            hasher.combine(key)
            hasher.combine(values[key]!.raw)
        }
    }
}
