/// The keys a run's context starts with, hashed and placed once: a session seeds every turn's
/// context with the same fourteen `session.*` keys.
///
/// `Context(_:values:)` copies the template's table (`mapValues`) and writes only the values,
/// where setting each key hashes and probes it again. The table is sized for `capacity` keys,
/// so the keys a run adds do not grow it either.
public struct ContextTemplate: Sendable {
    /// Each key with its position among the initializer's keys.
    let positions: [ContextKey: Int]

    /// A template of `keys`, in the order `Context(_:values:)` takes their values, with room
    /// for `capacity` keys in all.
    public init(_ keys: [String], capacity: Int) {
        var positions = [ContextKey: Int](minimumCapacity: max(capacity, keys.count))
        for (position, key) in keys.enumerated() {
            precondition(positions.updateValue(position, forKey: ContextKey(key)) == nil, "ContextTemplate: key '\(key)' twice")
        }
        self.positions = positions
    }

    /// The number of keys.
    public var count: Int { positions.count }
}

extension Context {
    /// A context holding `template`'s keys, each with the value at its position in `values`.
    public init(_ template: ContextTemplate, values: [ContextValue]) {
        precondition(values.count == template.count, "Context: \(template.count) template keys, \(values.count) values")
        self.init(table: template.positions.mapValues { values[$0] })
    }
}
