/// Empty dictionaries with room for a number of entries, made without asking the runtime.
///
/// `Dictionary(minimumCapacity:)` and `reserveCapacity` are not specialized in this package's
/// modules: every call asks the runtime's metadata cache for the storage's generic type (about
/// 30 ns; 1.3% of benchmark 8's plugin turn, a plugin call's context writes among them).
/// `mapValues` is inlinable, so copying an empty prototype of the right size is specialized
/// where it is called and asks nothing. Each key and value type keeps its own prototypes
/// (`prototypes(upTo:)`, made once); `[String: ContextValue]`'s are here. For making a map,
/// not for growing one: the run's context table, rebuilt entry by entry into a bigger
/// prototype instead of `reserveCapacity`, made the built-in turn slower (13.3-14.1 against
/// 12.8-13.1 µs, benchmark 1, four alternating runs).
extension Dictionary {
    /// Empty dictionaries of every size that holds up to `largest` entries, smallest first
    /// (one per table size: a handful).
    package static func prototypes(upTo largest: Int) -> [Self] {
        var made: [Self] = []
        for count in 0...largest where made.last.map({ $0.capacity < count }) ?? true {
            made.append(Self(minimumCapacity: count))
        }
        return made
    }

    /// An empty dictionary with room for `count` entries, copied from the smallest of
    /// `prototypes` (made by `prototypes(upTo:)`) that has it; beyond them, made the usual way.
    @inlinable
    package static func empty(roomFor count: Int, from prototypes: [Self]) -> Self {
        for prototype in prototypes where prototype.capacity >= count { return prototype.mapValues { $0 } }
        return Self(minimumCapacity: count)
    }
}

extension Dictionary where Key == String, Value == ContextValue {
    /// An empty map with room for `count` entries before it grows (see above).
    @inlinable
    package static func empty(roomFor count: Int) -> Self {
        empty(roomFor: count, from: ContextMapPrototypes.all)
    }
}

/// The prototypes of `[String: ContextValue]`: room for up to 64 entries.
@usableFromInline
enum ContextMapPrototypes {
    @usableFromInline static let all = [String: ContextValue].prototypes(upTo: 64)
}
