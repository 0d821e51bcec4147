import TrellisDOT

/// An immutable snapshot of the node types a host knows: built-in ones and those from
/// plugins. A compiled graph resolves its handlers from one snapshot, so a run keeps the
/// generation it started with whatever is published later.
public struct HandlerRegistry: Sendable {
    /// The generation number; each publication by a host increases it.
    public let generation: UInt64
    private let entries: [String: RegisteredHandler]
    /// Unqualified names that several plugins define, each with the qualified types that claim
    /// it: a graph using one is refused as ambiguous (naming them all), never run with one of them.
    public let ambiguousNames: [String: [String]]

    /// Creates a snapshot from registrations. Later entries with the same type id replace earlier ones;
    /// callers that must refuse duplicates check before building the snapshot.
    public init(generation: UInt64 = 0, handlers: [RegisteredHandler], ambiguousNames: [String: [String]] = [:]) {
        self.generation = generation
        self.ambiguousNames = ambiguousNames
        var entries: [String: RegisteredHandler] = [:]
        for handler in handlers { entries[handler.typeID] = handler }
        self.entries = entries
    }

    /// The registration for `typeID`, or `nil`.
    public func handler(for typeID: String) -> RegisteredHandler? { entries[typeID] }

    /// Every registered type id, sorted.
    public var typeIDs: [String] { entries.keys.sorted() }

    /// Every registration, sorted by type id.
    public var all: [RegisteredHandler] { typeIDs.map { entries[$0]! } }

    /// A new snapshot with `handlers` added (replacing same ids) and the given generation.
    public func adding(_ handlers: [RegisteredHandler], generation: UInt64) -> HandlerRegistry {
        HandlerRegistry(generation: generation, handlers: all + handlers, ambiguousNames: ambiguousNames)
    }
}

/// A node type and the handler that runs it.
public struct RegisteredHandler: Sendable {
    /// The type id graphs name in `type=` (for plugins, namespaced: `acme.summarize`).
    public var typeID: String
    /// The handler.
    public var handler: any NodeHandler
    /// The attributes the type accepts, for validation.
    public var schema: AttributeSchema
    /// One line describing the type.
    public var summary: String
    /// Where it comes from: `built-in`, or the plugin file path.
    public var origin: String

    /// Creates a registration.
    public init(typeID: String, handler: any NodeHandler, schema: AttributeSchema = .any, summary: String = "", origin: String = "built-in") {
        self.typeID = typeID
        self.handler = handler
        self.schema = schema
        self.summary = summary
        self.origin = origin
    }
}
