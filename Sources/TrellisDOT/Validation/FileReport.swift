/// The outcome of validating one file.
package struct FileReport: Sendable {
    /// The path as given.
    package var file: String
    /// The file's text, for excerpts; `nil` when it could not be read.
    package var source: String?
    /// Parse diagnostics followed by validation diagnostics.
    package var diagnostics: [Diagnostic]
    /// Why the file could not be read, or `nil`.
    package var unreadable: String?

    /// A report on `file`.
    package init(file: String, source: String?, diagnostics: [Diagnostic], unreadable: String?) {
        self.file = file
        self.source = source
        self.diagnostics = diagnostics
        self.unreadable = unreadable
    }

    /// Whether the file has an error diagnostic or could not be read.
    package var hasErrors: Bool { unreadable != nil || diagnostics.contains { $0.severity == .error } }
}
