/// A value kept in one heap object that copies share, copied only when a shared copy is
/// written to (copy-on-write, as the standard collections do).
///
/// For structs that the engine copies on every node (a node's spec, the run's adapters and
/// services) and writes rarely: a copy of the struct then costs one reference count instead of
/// one per reference-counted field.
///
/// Sound as `Sendable` for a `Sendable` value: the object is written only while exactly one
/// box refers to it (`isKnownUniquelyReferenced`), so no other thread can be reading it then.
public struct CopyOnWriteBox<Value: Sendable>: @unchecked Sendable {
    @usableFromInline final class Storage {
        // No runtime exclusivity check (a `swift_beginAccess` on every read: 4 per node): the
        // value is written only through the one box holding the storage, and that box's own
        // accesses are checked statically.
        @exclusivity(unchecked) @usableFromInline var value: Value
        @usableFromInline init(_ value: Value) { self.value = value }
    }

    @usableFromInline var storage: Storage

    /// Boxes `value`.
    @inlinable public init(_ value: Value) { storage = Storage(value) }

    /// The value. Changed only through `modify`.
    @inlinable public var value: Value {
        // A borrow, not a copy: reading one field of the value (`spec.attributes` for one
        // attribute) must not retain every field. `_read` is the accessor that yields one.
        _read { yield storage.value }
    }

    /// Changes the value in place (no copy of it when this box is the only one holding it).
    @inlinable public mutating func modify<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        if !isKnownUniquelyReferenced(&storage) { storage = Storage(storage.value) }
        return try body(&storage.value)
    }
}
