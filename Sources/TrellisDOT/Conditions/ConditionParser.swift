/// Parses edge `condition` text into a `ConditionExpression` (the grammar is documented there).
///
/// Beyond the specification's `=`, `!=` and `&&`, it accepts the documented extensions
/// `==`, `||`, `!`, parentheses, `<` `<=` `>` `>=` and `contains`. Whitespace is allowed
/// around every operator. A bare literal may hold several words (`preferred_label=Approve all`):
/// it runs up to the next operator, parenthesis or end, as in the specification's
/// split-on-`&&` evaluation. Anything else is rejected with the column where it goes wrong.
///
/// Nesting — open parentheses plus `!` operators around a point — is limited to
/// `maximumNestingDepth`, the limit DOT subgraphs have: the parser recurses once per level and
/// the tree is released recursively, so an unlimited depth would overflow the stack.
public enum ConditionParser {
    /// The deepest nesting of parentheses and `!` accepted; deeper is a syntax error at the
    /// `(` or `!` that goes past it. The same limit as subgraph nesting in DOT.
    public static var maximumNestingDepth: Int { DOTSyntaxParser.maximumNestingDepth }

    /// Parses `text`; empty or blank text is `.always`.
    public static func parse(_ text: String) throws(ConditionSyntaxError) -> ConditionExpression {
        var parser = Parser(Array(text.unicodeScalars))
        return try parser.parseCondition()
    }
}

/// A recursive-descent parser over the condition's Unicode scalars with one token of lookahead;
/// it recurses only into parentheses, so its depth is bounded by the nesting limit.
private struct Parser {
    private let scalars: [Unicode.Scalar]
    private var position = 0
    private var lookahead: ConditionToken?
    /// Parentheses and `!` open around the current position (see `enterNesting`).
    private var depth = 0

    init(_ scalars: [Unicode.Scalar]) { self.scalars = scalars }

    mutating func parseCondition() throws(ConditionSyntaxError) -> ConditionExpression {
        if try peek().kind == .end { return .always }
        let expression = try parseOr()
        let next = try peek()
        switch next.kind {
        case .end:
            return expression
        case .closeParen:
            throw ConditionSyntaxError(message: "unmatched ')': no '(' opens it", column: next.column)
        default:
            throw ConditionSyntaxError(
                message: "expected '&&', '||' or the end of the condition, found \(describe(next))",
                column: next.column)
        }
    }

    /// `a || b || ...` as one list; an operand that is itself an `.or` (a parenthesized one) is spliced in.
    private mutating func parseOr() throws(ConditionSyntaxError) -> ConditionExpression {
        let first = try parseAnd()
        guard try peek().kind == .or else { return first }
        var operands: [ConditionExpression] = []
        Self.append(first, to: &operands, splicing: { if case .or(let inner) = $0 { return inner } else { return nil } })
        while try peek().kind == .or {
            consume()
            Self.append(try parseAnd(), to: &operands, splicing: { if case .or(let inner) = $0 { return inner } else { return nil } })
        }
        return .or(operands)
    }

    /// `a && b && ...` as one list; an operand that is itself an `.and` (a parenthesized one) is spliced in.
    private mutating func parseAnd() throws(ConditionSyntaxError) -> ConditionExpression {
        let first = try parseUnary()
        guard try peek().kind == .and else { return first }
        var operands: [ConditionExpression] = []
        Self.append(first, to: &operands, splicing: { if case .and(let inner) = $0 { return inner } else { return nil } })
        while try peek().kind == .and {
            consume()
            Self.append(try parseUnary(), to: &operands, splicing: { if case .and(let inner) = $0 { return inner } else { return nil } })
        }
        return .and(operands)
    }

    /// Splices an operand of the same operator (both are associative) so chains stay one level.
    private static func append(
        _ operand: ConditionExpression, to operands: inout [ConditionExpression],
        splicing inner: (ConditionExpression) -> [ConditionExpression]?
    ) {
        if let list = inner(operand) { operands.append(contentsOf: list) } else { operands.append(operand) }
    }

    /// `!` repeated: a loop, each `!` one level of nesting.
    private mutating func parseUnary() throws(ConditionSyntaxError) -> ConditionExpression {
        var negations = 0
        while try peek().kind == .not {
            try enterNesting(at: try peek())
            consume()
            negations += 1
        }
        var expression = try parsePrimary()
        depth -= negations
        for _ in 0..<negations { expression = .not(expression) }
        return expression
    }

    /// Counts one more level of nesting, refusing to go past the limit at `token`.
    private mutating func enterNesting(at token: ConditionToken) throws(ConditionSyntaxError) {
        guard depth < ConditionParser.maximumNestingDepth else {
            throw ConditionSyntaxError(
                message: "the condition nests parentheses and '!' more than \(ConditionParser.maximumNestingDepth) levels deep here",
                column: token.column)
        }
        depth += 1
    }

    private mutating func parsePrimary() throws(ConditionSyntaxError) -> ConditionExpression {
        let token = try peek()
        switch token.kind {
        case .openParen:
            try enterNesting(at: token)
            consume()
            let inner = try parseOr()
            depth -= 1
            let close = try peek()
            guard close.kind == .closeParen else {
                throw ConditionSyntaxError(
                    message: "missing ')' to close the '(' at column \(token.column); found \(describe(close))",
                    column: close.column)
            }
            consume()
            return inner
        case .word:
            consume()
            let key = try conditionKey(token)
            let next = try peek()
            if case .comparison(let op) = next.kind {
                consume()
                return .comparison(key: key, op: op, literal: try parseLiteral(after: next))
            }
            if next.kind == .word, text(of: next) == "contains" {
                consume()
                return .comparison(key: key, op: .contains, literal: try parseLiteral(after: next))
            }
            return .truthy(key)
        default:
            throw ConditionSyntaxError(
                message: "expected a key (outcome, preferred_label or context.NAME), '!' or '(', found \(describe(token))",
                column: token.column)
        }
    }

    /// A quoted string, or one or more bare words taken as written (inner spacing kept).
    private mutating func parseLiteral(after op: ConditionToken) throws(ConditionSyntaxError) -> String {
        let first = try peek()
        switch first.kind {
        case .quoted(let value):
            consume()
            return value
        case .word:
            consume()
            var end = first.end
            while try peek().kind == .word {
                end = try peek().end
                consume()
            }
            return String(String.UnicodeScalarView(scalars[(first.column - 1)..<end]))
        default:
            throw ConditionSyntaxError(
                message: "expected a value after '\(text(of: op))', found \(describe(first)); quote values that contain operators",
                column: first.column)
        }
    }

    private func conditionKey(_ token: ConditionToken) throws(ConditionSyntaxError) -> ConditionKey {
        let word = text(of: token)
        guard Self.isKeyPath(word) else {
            throw ConditionSyntaxError(
                message: "'\(word)' is not a key; keys are outcome, preferred_label, context.NAME or a dotted context path",
                column: token.column)
        }
        switch word {
        case "outcome": return .outcome
        case "preferred_label": return .preferredLabel
        case "context":
            throw ConditionSyntaxError(message: "'context' needs a key after it, as in context.NAME", column: token.column)
        default:
            if word.hasPrefix("context.") { return .context(String(word.dropFirst("context.".count))) }
            return .context(word)
        }
    }

    /// `[A-Za-z_][A-Za-z0-9_-]*` segments joined by single dots.
    private static func isKeyPath(_ word: String) -> Bool {
        let segments = word.split(separator: ".", omittingEmptySubsequences: false)
        guard let head = segments.first?.unicodeScalars.first, head == "_" || isLetter(head) else { return false }
        return segments.allSatisfy { segment in
            !segment.isEmpty
                && segment.unicodeScalars.allSatisfy { $0 == "_" || $0 == "-" || ("0"..."9").contains($0) || isLetter($0) }
        }
    }

    /// A letter; ASCII is decided without the (slow) Unicode property lookup.
    private static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII { return ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) }
        return scalar.properties.isAlphabetic
    }

    // MARK: Tokens

    private mutating func peek() throws(ConditionSyntaxError) -> ConditionToken {
        if let lookahead { return lookahead }
        let token = try lex()
        lookahead = token
        return token
    }

    private mutating func consume() { lookahead = nil }

    private func text(of token: ConditionToken) -> String {
        String(String.UnicodeScalarView(scalars[(token.column - 1)..<token.end]))
    }

    private func describe(_ token: ConditionToken) -> String {
        token.kind == .end ? "the end of the condition" : "'\(text(of: token))'"
    }

    private mutating func lex() throws(ConditionSyntaxError) -> ConditionToken {
        while position < scalars.count, Self.isSpace(scalars[position]) { position += 1 }
        let start = position
        guard start < scalars.count else { return ConditionToken(kind: .end, column: start + 1, end: start) }
        let scalar = scalars[start]
        let following: Unicode.Scalar? = start + 1 < scalars.count ? scalars[start + 1] : nil
        func token(_ kind: ConditionToken.Kind, length: Int) -> ConditionToken {
            position = start + length
            return ConditionToken(kind: kind, column: start + 1, end: start + length)
        }
        switch scalar {
        case "(": return token(.openParen, length: 1)
        case ")": return token(.closeParen, length: 1)
        case "&", "|":
            guard following == scalar else {
                throw ConditionSyntaxError(
                    message: "unknown operator '\(scalar)'; write '\(scalar)\(scalar)'", column: start + 1)
            }
            return token(scalar == "&" ? .and : .or, length: 2)
        case "!" where following != "=":
            return token(.not, length: 1)
        case "=", "!", "<", ">":
            let length = following == "=" ? 2 : 1
            let op: ComparisonOperator
            switch (scalar, length) {
            case ("!", _): op = .notEqual
            case ("<", 1): op = .less
            case ("<", _): op = .lessOrEqual
            case (">", 1): op = .greater
            case (">", _): op = .greaterOrEqual
            default: op = .equal
            }
            var end = start + length
            while end < scalars.count, Self.operatorCharacters.contains(scalars[end]) { end += 1 }
            if end > start + length { throw unknownOperator(from: start, to: end) }
            return token(.comparison(op), length: length)
        case "~":
            var end = start + 1
            while end < scalars.count, Self.operatorCharacters.contains(scalars[end]) { end += 1 }
            throw unknownOperator(from: start, to: end)
        case "\"":
            return try lexQuoted(from: start)
        default:
            var end = start
            while end < scalars.count, Self.isWordScalar(scalars[end]) { end += 1 }
            return token(.word, length: end - start)
        }
    }

    private mutating func lexQuoted(from start: Int) throws(ConditionSyntaxError) -> ConditionToken {
        var value = String.UnicodeScalarView()
        var index = start + 1
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "\"" {
                position = index + 1
                return ConditionToken(kind: .quoted(String(value)), column: start + 1, end: index + 1)
            }
            if scalar == "\\", index + 1 < scalars.count, scalars[index + 1] == "\"" || scalars[index + 1] == "\\" {
                value.append(scalars[index + 1])
                index += 2
                continue
            }
            value.append(scalar)
            index += 1
        }
        throw ConditionSyntaxError(message: "unterminated string: add the closing '\"'", column: start + 1)
    }

    private func unknownOperator(from start: Int, to end: Int) -> ConditionSyntaxError {
        let written = String(String.UnicodeScalarView(scalars[start..<end]))
        return ConditionSyntaxError(
            message: "unknown operator '\(written)'; operators are =, ==, !=, <, <=, >, >=, contains, &&, ||, !",
            column: start + 1)
    }

    private static let operatorCharacters: Set<Unicode.Scalar> = ["=", "!", "<", ">", "~"]

    private static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r"
    }

    private static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "(", ")", "&", "|", "!", "=", "<", ">", "~", "\"": return false
        default: return !isSpace(scalar)
        }
    }
}

/// One lexical token of a condition; `column` is 1-based, `end` is the scalar index just past it.
private struct ConditionToken {
    enum Kind: Equatable {
        case word
        case quoted(String)
        case comparison(ComparisonOperator)
        case and, or, not, openParen, closeParen, end
    }

    var kind: Kind
    var column: Int
    var end: Int
}
