/// The syntax tree of an edge `condition` (pipeline specification, plus documented extensions).
///
/// Grammar (lowest to highest precedence):
///
///     expr    := or
///     or      := and ('||' and)*
///     and     := unary ('&&' unary)*
///     unary   := '!' unary | primary
///     primary := '(' expr ')' | comparison | key          (a bare key tests truthiness)
///     comparison := key op literal
///     op      := '=' | '==' | '!=' | '<' | '<=' | '>' | '>=' | 'contains'
///
/// Keys are `outcome`, `preferred_label`, or `context.<dotted.path>` (a bare dotted path is
/// read as a context key). Literals are bare words or double-quoted strings.
/// The parser is `ConditionParser`; the engine evaluates the tree.
///
/// `&&` and `||` chains are lists, not binary trees, so a condition of 100,000 clauses is one
/// level deep; the parser limits nesting (parentheses and `!`) to
/// `ConditionParser.maximumNestingDepth`. Together they bound the tree's depth, so building,
/// comparing, walking and releasing a parsed tree cannot overflow the stack.
public indirect enum ConditionExpression: Sendable, Hashable {
    /// Always true: the empty condition.
    case always
    /// `key op literal`.
    case comparison(key: ConditionKey, op: ComparisonOperator, literal: String)
    /// A bare key: true when its value is non-empty and not `false`/`0`.
    case truthy(ConditionKey)
    /// `!expr`.
    case not(ConditionExpression)
    /// `a && b && ...`: two or more operands in source order, none of them itself an `.and`.
    case and([ConditionExpression])
    /// `a || b || ...`: two or more operands in source order, none of them itself an `.or`.
    case or([ConditionExpression])
}

/// What a condition reads.
public enum ConditionKey: Sendable, Hashable {
    /// The node's outcome status (`success`, `fail`, ...).
    case outcome
    /// The outcome's preferred label.
    case preferredLabel
    /// A context value; the path is the key after `context.` (missing values read as empty).
    case context(String)
}

/// A comparison operator of the condition language.
public enum ComparisonOperator: String, Sendable, Hashable, CaseIterable {
    /// `=` or `==`: string equality.
    case equal = "="
    /// `!=`: string inequality.
    case notEqual = "!="
    /// `<`: numeric when both sides are numbers, else false.
    case less = "<"
    /// `<=`.
    case lessOrEqual = "<="
    /// `>`.
    case greater = ">"
    /// `>=`.
    case greaterOrEqual = ">="
    /// `contains`: substring test (or element test for lists).
    case contains
}
