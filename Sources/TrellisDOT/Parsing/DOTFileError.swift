/// A DOT file that could not be read at all (missing, unreadable, a directory).
public struct DOTFileError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The path as given.
    public var path: String
    /// Why it could not be read, from the operating system (`No such file or directory`).
    public var reason: String

    /// Creates an error.
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    /// `cannot read 'path': reason`.
    public var description: String { "cannot read '\(path)': \(reason)" }
}
