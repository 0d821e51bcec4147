/// A provider answered something Trellis cannot read as its protocol.
public struct WireFormatError: Error, Sendable, CustomStringConvertible {
    /// What was wrong.
    public var description: String

    /// Creates an error.
    public init(_ description: String) { self.description = description }
}
