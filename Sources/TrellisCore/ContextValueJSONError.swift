/// A JSON text could not be read as a `ContextValue`.
public struct ContextValueJSONError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong and at which byte (1-based), e.g. `invalid escape in string at byte 7`.
    public var reason: String
    /// Creates an error with its reason.
    public init(reason: String) { self.reason = reason }
    /// The reason, for printing.
    public var description: String { reason }
}
