/// What a reload did with one file or directory.
public struct PluginLoadReport: Sendable, CustomStringConvertible {
    /// What happened.
    public enum Status: String, Sendable {
        /// Newly loaded (new or changed file); serving in the generation the reload published.
        case loaded
        /// Unchanged since the previous reload; still serving.
        case unchanged
        /// Not a plugin (not a `.so`, or no entry symbol); ignored. The message says why.
        case skipped
        /// Could not be used; the message says why. A previous version of the same file, if
        /// any, keeps serving (`previousVersionServing`).
        case failed
        /// The file disappeared; its types are gone from the new generation.
        case removed
    }

    /// The file (or, for a refused directory, the directory).
    public var path: String
    /// What happened.
    public var status: Status
    /// Details: the reason for `.failed`/`.skipped`, a summary for `.loaded`.
    public var message: String
    /// The plugin id, when the file is a plugin that was read that far.
    public var pluginID: String?
    /// For `.failed`: whether an earlier version of this file still serves.
    public var previousVersionServing: Bool

    /// Creates a report.
    public init(path: String, status: Status, message: String = "", pluginID: String? = nil, previousVersionServing: Bool = false) {
        self.path = path
        self.status = status
        self.message = message
        self.pluginID = pluginID
        self.previousVersionServing = previousVersionServing
    }

    /// `path: status: message`.
    public var description: String {
        var text = "\(path): \(status.rawValue)"
        if !message.isEmpty { text += ": \(message)" }
        if previousVersionServing { text += " (the previously loaded version keeps serving)" }
        return text
    }
}
