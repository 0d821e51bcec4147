import CTrellisPlugin

/// A node type a plugin exports: its name within the plugin, its handler and its attribute
/// schema. The host registers it as `<plugin id>.<name>`.
public struct NodeTypeDefinition: Sendable {
    /// The name within the plugin (`summarize`): lowercase letters, digits and `_`.
    public var name: String
    /// One line describing the type (for `trellis plugins list`).
    public var description: String
    /// The attributes the type accepts (for `trellis validate`).
    public var attributes: [AttributeDeclaration]
    /// Whether attributes not listed are accepted without a warning.
    public var allowsUnlistedAttributes: Bool
    /// The handler.
    let handler: Handler

    /// The two kinds of handler.
    enum Handler: Sendable {
        case sync(any SyncNodeHandler)
        case async(any AsyncNodeHandler)
    }

    /// A node type run by a synchronous handler.
    public static func sync(
        _ name: String,
        _ handler: some SyncNodeHandler,
        description: String = "",
        attributes: [AttributeDeclaration] = [],
        allowsUnlistedAttributes: Bool = true
    ) -> NodeTypeDefinition {
        NodeTypeDefinition(name: name, description: description, attributes: attributes,
                           allowsUnlistedAttributes: allowsUnlistedAttributes, handler: .sync(handler))
    }

    /// A node type run by an asynchronous handler.
    public static func async(
        _ name: String,
        _ handler: some AsyncNodeHandler,
        description: String = "",
        attributes: [AttributeDeclaration] = [],
        allowsUnlistedAttributes: Bool = true
    ) -> NodeTypeDefinition {
        NodeTypeDefinition(name: name, description: description, attributes: attributes,
                           allowsUnlistedAttributes: allowsUnlistedAttributes, handler: .async(handler))
    }
}

/// One attribute a node type accepts.
public struct AttributeDeclaration: Sendable, Hashable {
    /// The value types the pipeline dialect knows.
    public enum ValueType: Sendable, Hashable {
        /// Text.
        case string
        /// A whole number.
        case integer
        /// A floating-point number.
        case double
        /// `true` or `false`.
        case boolean
        /// A duration such as `250ms` or `15m`.
        case duration

        /// The header's TRELLIS_ATTR_* code.
        var code: Int32 {
            switch self {
            case .string: return TRELLIS_ATTR_STRING
            case .integer: return TRELLIS_ATTR_INTEGER
            case .double: return TRELLIS_ATTR_DOUBLE
            case .boolean: return TRELLIS_ATTR_BOOLEAN
            case .duration: return TRELLIS_ATTR_DURATION
            }
        }
    }

    /// The attribute key (may be qualified: `param.mode`).
    public var name: String
    /// Its value type.
    public var type: ValueType
    /// Whether every node of the type must set it.
    public var required: Bool
    /// One line for help.
    public var summary: String

    /// Declares an attribute.
    public init(_ name: String, _ type: ValueType = .string, required: Bool = false, summary: String = "") {
        self.name = name
        self.type = type
        self.required = required
        self.summary = summary
    }
}
