/// The attributes a node type accepts, so `validate` can check a graph against the types
/// the host knows (built-in or from plugins).
public struct AttributeSchema: Sendable, Hashable {
    /// The declared attributes.
    public var attributes: [AttributeSpec]
    /// Whether attributes not listed here are accepted without a warning.
    public var allowsUnlisted: Bool

    /// Creates a schema.
    public init(attributes: [AttributeSpec], allowsUnlisted: Bool = true) {
        self.attributes = attributes
        self.allowsUnlisted = allowsUnlisted
    }

    /// A schema that accepts anything.
    public static let any = AttributeSchema(attributes: [], allowsUnlisted: true)
}

/// One accepted attribute.
public struct AttributeSpec: Sendable, Hashable {
    /// The attribute key (may be qualified, e.g. `param.mode`).
    public var name: String
    /// The value type it must parse as.
    public var type: AttributeType
    /// Whether a node of the type must set it.
    public var isRequired: Bool
    /// One line for help and `plugins inspect`.
    public var summary: String

    /// Creates a spec.
    public init(name: String, type: AttributeType, isRequired: Bool = false, summary: String = "") {
        self.name = name
        self.type = type
        self.isRequired = isRequired
        self.summary = summary
    }
}

/// The value types of the pipeline dialect.
public enum AttributeType: String, Sendable, Hashable, CaseIterable {
    /// Any text.
    case string
    /// A whole number.
    case integer
    /// A number.
    case double
    /// `true`/`false`.
    case boolean
    /// `250ms`, `30s`, `15m`, `2h`, `1d`.
    case duration

    /// Whether `value` can be read as this type.
    public func accepts(_ value: AttributeValue) -> Bool {
        switch self {
        case .string: return true
        case .integer: return value.integer != nil
        case .double: return value.double != nil
        case .boolean: return value.boolean != nil
        case .duration: return value.duration != nil
        }
    }
}
