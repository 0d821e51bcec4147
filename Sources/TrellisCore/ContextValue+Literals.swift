extension ContextValue: ExpressibleByStringLiteral {
    /// A `.string` from a literal.
    @inlinable
    public init(stringLiteral value: String) { self = .string(value) }
}

extension ContextValue: ExpressibleByIntegerLiteral {
    /// An `.integer` from a literal.
    @inlinable
    public init(integerLiteral value: Int) { self = .integer(value) }
}

extension ContextValue: ExpressibleByBooleanLiteral {
    /// A `.boolean` from a literal.
    @inlinable
    public init(booleanLiteral value: Bool) { self = .boolean(value) }
}

extension ContextValue: ExpressibleByArrayLiteral {
    /// A `.list` from a literal.
    @inlinable
    public init(arrayLiteral elements: ContextValue...) { self = .list(elements) }
}

extension ContextValue: ExpressibleByDictionaryLiteral {
    /// A `.map` from a literal; a repeated key keeps its last value.
    public init(dictionaryLiteral elements: (String, ContextValue)...) {
        self = .map(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}
