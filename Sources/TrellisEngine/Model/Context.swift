/// The key/value state of one run.
///
/// A value type: a handler receives the context as it was when the node started and
/// returns its changes in `Outcome.contextUpdates`, which the engine applies after the
/// node finishes. Copies share storage until written, so handing a context to a handler
/// or to a parallel branch costs a reference count, not a copy.
public struct Context: Sendable, Equatable {
    /// All values by key.
    public private(set) var values: [String: ContextValue]

    /// Creates a context holding `values`.
    public init(_ values: [String: ContextValue] = [:]) { self.values = values }

    /// A capacity for the initial values of a run that leaves room for the graph's mirrored
    /// attributes and the keys typical nodes add: a dictionary built with
    /// `[String: ContextValue](minimumCapacity: Context.runCapacity)` is not rehashed as the
    /// run grows it. Only a matter of speed; any dictionary works.
    public static let runCapacity = 48

    /// The values, taken out of the context: when this was the only copy, the dictionary
    /// comes out uniquely referenced, so that writing to it copies nothing.
    public consuming func takeValues() -> [String: ContextValue] { values }

    /// The value for `key`, or `nil` when unset.
    public subscript(key: String) -> ContextValue? {
        get { values[key] }
        set { values[key] = newValue }
    }

    /// The text of `key` (see `ContextValue.stringValue`), empty when unset.
    public func string(_ key: String) -> String { values[key]?.stringValue ?? "" }

    /// Applies updates: each key is set; a `.null` value is stored as null (not removed),
    /// so a handler can record that something is explicitly absent.
    public mutating func apply(_ updates: [String: ContextValue]) {
        for (key, value) in updates { values[key] = value }
    }
}
