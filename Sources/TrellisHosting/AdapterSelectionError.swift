/// Why the adapters named for a run cannot be used: an unknown name, or two of one kind.
public struct AdapterSelectionError: Error, CustomStringConvertible {
    /// The adapter name as given.
    public var name: String
    /// What is wrong with it, phrased for the user.
    public var reason: String

    /// An error about `name`.
    public init(name: String, reason: String) {
        self.name = name
        self.reason = reason
    }

    /// `NAME: reason`.
    public var description: String { "\(name): \(reason)" }
}
