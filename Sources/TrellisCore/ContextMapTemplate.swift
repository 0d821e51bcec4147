/// The keys of a map built again and again with the same keys (a session node's context
/// updates, the options of its model request, the entry it hands the memory): hashed once,
/// here.
///
/// A dictionary literal hashes every key with SipHash (about 20 ns a key) into a new table on
/// every call. `make` copies the template's table, keys already hashed and placed, and writes
/// only the values (`mapValues`). Each template value is its key's position, so every value
/// lands under its own key whatever order the table keeps the keys in.
public struct ContextMapTemplate: Sendable {
    /// Each key with `.integer(its position in the initializer)`.
    @usableFromInline let positions: [String: ContextValue]

    /// A template of `keys`, in the order `make` takes their values; `extraCapacity` leaves
    /// room for keys a caller sometimes adds to a made map, so that adding them does not
    /// rehash it.
    public init(_ keys: String..., extraCapacity: Int = 0) {
        var positions = [String: ContextValue](minimumCapacity: keys.count + extraCapacity)
        for (position, key) in keys.enumerated() {
            precondition(positions.updateValue(.integer(position), forKey: key) == nil, "ContextMapTemplate: key '\(key)' twice")
        }
        self.positions = positions
    }

    /// The map of the template's keys to `value(position)`.
    @inlinable
    func make(count: Int, _ value: (Int) -> ContextValue) -> [String: ContextValue] {
        precondition(positions.count == count, "ContextMapTemplate: \(positions.count) keys, \(count) values")
        return positions.mapValues { position in
            guard case .integer(let index) = position else { preconditionFailure("ContextMapTemplate: a position that is no integer") }
            return value(index)
        }
    }

    /// The map of a one-key template to `first`.
    @inlinable
    public func make(_ first: ContextValue) -> [String: ContextValue] {
        make(count: 1) { _ in first }
    }

    /// The map of a two-key template to its values, in the template's order.
    @inlinable
    public func make(_ first: ContextValue, _ second: ContextValue) -> [String: ContextValue] {
        make(count: 2) { $0 == 0 ? first : second }
    }

    /// The map of a four-key template to its values, in the template's order.
    @inlinable
    public func make(_ first: ContextValue, _ second: ContextValue, _ third: ContextValue, _ fourth: ContextValue) -> [String: ContextValue] {
        make(count: 4) { position in
            switch position {
            case 0: return first
            case 1: return second
            case 2: return third
            default: return fourth
            }
        }
    }

    /// The map of a five-key template to its values, in the template's order.
    @inlinable
    public func make(
        _ first: ContextValue, _ second: ContextValue, _ third: ContextValue, _ fourth: ContextValue, _ fifth: ContextValue
    ) -> [String: ContextValue] {
        make(count: 5) { position in
            switch position {
            case 0: return first
            case 1: return second
            case 2: return third
            case 3: return fourth
            default: return fifth
            }
        }
    }
}
