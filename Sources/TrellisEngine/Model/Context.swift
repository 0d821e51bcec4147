/// The key/value state of one run.
///
/// A value type: a handler receives the context as it was when the node started and
/// returns its changes in `Outcome.contextUpdates`, which the engine applies after the
/// node finishes. Copies share storage until written, so handing a context to a handler
/// or to a parallel branch costs a reference count, not a copy.
public struct Context: Sendable, Equatable {
    /// The table: keyed by `ContextKey`, whose hash is several times cheaper than a `String`'s.
    private var table: [ContextKey: ContextValue]

    /// Creates a context holding `values`.
    public init(_ values: [String: ContextValue] = [:]) {
        table = [ContextKey: ContextValue](minimumCapacity: values.count)
        for (key, value) in values { table[ContextKey(key)] = value }
    }

    /// A context around `table` (see `ContextTemplate`).
    init(table: [ContextKey: ContextValue]) { self.table = table }

    /// Creates an empty context with room for `capacity` keys before it grows.
    public init(minimumCapacity capacity: Int) {
        table = [ContextKey: ContextValue](minimumCapacity: capacity)
    }

    /// A capacity for the initial values of a run that leaves room for the graph's mirrored
    /// attributes and the keys typical nodes add: a context made with
    /// `Context(minimumCapacity: Context.runCapacity)` is not rehashed as the run grows it.
    /// Only a matter of speed; any context works.
    public static let runCapacity = 48

    /// All values by key, as a new dictionary: for reports and files, not for lookups (use the
    /// subscript). Two keys the context keeps apart because their bytes differ but that
    /// `String` holds equal (canonically equivalent spellings, see `ContextKey`) become one
    /// entry here, the one iterated last.
    public var values: [String: ContextValue] {
        var values = [String: ContextValue](minimumCapacity: table.count)
        for (key, value) in table { values[key.text] = value }
        return values
    }

    /// The keys, in no particular order.
    public var keys: [String] { table.keys.map(\.text) }

    /// The number of keys set.
    public var count: Int { table.count }

    /// Every key and value, in no particular order.
    public func forEach(_ body: (_ key: String, _ value: ContextValue) throws -> Void) rethrows {
        for (key, value) in table { try body(key.text, value) }
    }

    /// Makes room for `capacity` keys in all, so that adding them does not rehash the table.
    public mutating func reserveCapacity(_ capacity: Int) { table.reserveCapacity(capacity) }

    /// The value for `key`, or `nil` when unset.
    public subscript(key: String) -> ContextValue? {
        get { table[ContextKey(key)] }
        set { table[ContextKey(key)] = newValue }
    }

    /// The text of `key` (see `ContextValue.stringValue`), empty when unset.
    public func string(_ key: String) -> String { table[ContextKey(key)]?.stringValue ?? "" }

    /// Applies updates: each key is set; a `.null` value is stored as null (not removed),
    /// so a handler can record that something is explicitly absent.
    public mutating func apply(_ updates: [String: ContextValue]) {
        for (key, value) in updates { table[ContextKey(key)] = value }
    }
}
