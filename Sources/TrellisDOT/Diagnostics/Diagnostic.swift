/// How serious a diagnostic is. Only `.error` makes a graph unusable.
public enum Severity: String, Sendable, Hashable, Comparable, CaseIterable {
    case error
    case warning
    case info

    private var rank: Int {
        switch self {
        case .error: return 2
        case .warning: return 1
        case .info: return 0
        }
    }

    /// Orders by seriousness: `.info < .warning < .error`.
    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}

/// One finding about a DOT file: a syntax error from the parser or a finding of a validation rule.
public struct Diagnostic: Sendable, Hashable {
    /// The rule that produced it (`syntax` for parse errors, or a validation rule id such as `start_node`).
    public var rule: String
    /// How serious it is.
    public var severity: Severity
    /// What is wrong, in one sentence.
    public var message: String
    /// Where it is; `nil` only when the finding concerns the whole file and no position applies.
    public var location: SourceLocation?
    /// The node concerned, if any.
    public var node: String?
    /// The edge concerned as `(from, to)`, if any.
    public var edge: EdgeReference?
    /// What to do about it.
    public var fix: String?

    /// Creates a diagnostic.
    public init(
        rule: String,
        severity: Severity,
        message: String,
        location: SourceLocation? = nil,
        node: String? = nil,
        edge: EdgeReference? = nil,
        fix: String? = nil
    ) {
        self.rule = rule
        self.severity = severity
        self.message = message
        self.location = location
        self.node = node
        self.edge = edge
        self.fix = fix
    }
}

/// Names an edge by its endpoints, for diagnostics.
public struct EdgeReference: Sendable, Hashable {
    /// The tail node id.
    public var from: String
    /// The head node id.
    public var to: String

    /// Creates an edge reference.
    public init(from: String, to: String) {
        self.from = from
        self.to = to
    }
}
