import TrellisDOT

/// A graph could not be compiled into a runnable pipeline: the file could not be read or
/// parsed, validation found errors, or a node's type has no handler.
public struct GraphCompileError: Error, Sendable, CustomStringConvertible {
    /// Every finding; at least one is an error. Warnings found alongside are kept so they can be shown too.
    public var diagnostics: [Diagnostic]

    /// Creates an error.
    public init(diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }

    /// The error diagnostics, one per line, as `file:line:column: error: message [rule]`.
    public var description: String {
        diagnostics.filter { $0.severity == .error }.map { diagnostic in
            let place = diagnostic.location.map { "\($0): " } ?? ""
            return "\(place)\(diagnostic.severity.rawValue): \(diagnostic.message) [\(diagnostic.rule)]"
        }.joined(separator: "\n")
    }
}
