/// A JSON text could not be read as a `ContextValue`.
public struct ContextValueJSONError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong and at which byte (1-based), e.g. `invalid escape in string at byte 7`.
    public var reason: String
    /// The 0-based byte offset where the text stops being JSON, when known.
    public var offset: Int?
    /// Creates an error with its reason and, when known, its byte offset.
    public init(reason: String, offset: Int? = nil) {
        self.reason = reason
        self.offset = offset
    }
    /// The reason, for printing.
    public var description: String { reason }
}
