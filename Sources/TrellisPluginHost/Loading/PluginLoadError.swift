/// Why a plugin file could not be used. The message says what was wrong, where, and what to do.
public struct PluginLoadError: Error, Sendable, CustomStringConvertible {
    /// The kind of problem, for callers that treat some kinds differently (discovery skips
    /// `.noEntrySymbol` files instead of failing them).
    public enum Kind: String, Sendable {
        /// The file or its directory could not be read.
        case unreadable
        /// The file or its directory is writable by other users.
        case insecure
        /// The file is not an ELF shared library.
        case notELF
        /// The library does not export the entry symbol.
        case noEntrySymbol
        /// `dlopen` or `dlsym` failed.
        case dynamicLoader
        /// The plugin was built for another ABI version.
        case abiMismatch
        /// A struct is smaller than the ABI version it claims requires.
        case structTooSmall
        /// A Swift plugin was built with another toolchain.
        case toolchainMismatch
        /// The plugin's descriptor or a registration is invalid.
        case invalidPlugin
        /// The plugin's init returned an error.
        case initFailed
        /// Another plugin already claims one of its type or adapter ids.
        case duplicateID
        /// Loading it crashed a scanning child process (`PluginScanChild`), so this process does not load it.
        case crashed
    }

    /// The kind of problem.
    public var kind: Kind
    /// The plugin file concerned.
    public var file: String
    /// What was wrong and what to do.
    public var reason: String

    /// Creates an error.
    public init(_ kind: Kind, file: String, _ reason: String) {
        self.kind = kind
        self.file = file
        self.reason = reason
    }

    /// `file: reason`.
    public var description: String { "\(file): \(reason)" }
}
