/// A parsed `model_stylesheet` graph attribute (pipeline specification): CSS-like rules that
/// set LLM attributes (`llm_model`, `llm_provider` and `reasoning_effort`, nothing else) on nodes.
///
///     * { llm_model: claude-sonnet-4-5; }
///     box { reasoning_effort: high; }
///     .critical { llm_model: claude-opus-4-6; }
///     #Review { llm_provider: openai; }
///
/// The parser is `ModelStylesheetParser`; the engine applies the rules before validation.
public struct ModelStylesheet: Sendable, Hashable {
    /// Rules in source order.
    public var rules: [StylesheetRule]

    /// Creates a stylesheet.
    public init(rules: [StylesheetRule]) { self.rules = rules }

    /// The properties a stylesheet may set, as the pipeline specification lists them. The parser
    /// refuses any other, and `StylesheetApplication` never applies any other (a stylesheet built
    /// in code is not parsed), so a stylesheet cannot change what a node runs or executes.
    public static let allowedProperties: Set<String> = ["llm_model", "llm_provider", "reasoning_effort"]

    /// `allowedProperties` for messages, in a fixed order.
    static let allowedPropertyList = "llm_model, llm_provider and reasoning_effort"
}

/// One `selector { key: value; ... }` rule.
public struct StylesheetRule: Sendable, Hashable {
    /// What the rule matches.
    public var selector: StylesheetSelector
    /// Declarations in source order.
    public var declarations: [StylesheetDeclaration]

    /// Creates a rule.
    public init(selector: StylesheetSelector, declarations: [StylesheetDeclaration]) {
        self.selector = selector
        self.declarations = declarations
    }
}

/// A `key: value` pair of a rule.
public struct StylesheetDeclaration: Sendable, Hashable {
    /// The attribute to set.
    public var key: String
    /// The value to give it.
    public var value: String

    /// Creates a declaration.
    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

/// A stylesheet selector. A more specific match wins; among equals the later rule wins;
/// an attribute set on the node itself always beats the stylesheet.
public enum StylesheetSelector: Sendable, Hashable {
    /// `*`: every node (specificity 0).
    case universal
    /// A shape name such as `box` (specificity 1).
    case shape(String)
    /// `.name`: nodes with that class (specificity 2).
    case className(String)
    /// `#id`: the node with that id (specificity 3).
    case id(String)

    /// How specific the selector is; higher wins.
    public var specificity: Int {
        switch self {
        case .universal: return 0
        case .shape: return 1
        case .className: return 2
        case .id: return 3
        }
    }
}
