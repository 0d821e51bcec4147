/// Parses a `model_stylesheet` (pipeline specification, section 8) into a `ModelStylesheet`.
///
/// Accepted text: rules `selector { key: value; ... }` where the selector is `*`, a shape
/// name (`box`), `.class` or `#id`; the last `;` in a block is optional; values are bare
/// (one word: no spaces, `;`, `{` or `}`) or double-quoted; `/* ... */` comments may
/// appear anywhere between tokens. `key = value` is accepted beside `key: value`, because
/// the specification's own checklist writes declarations that way.
public enum ModelStylesheetParser {
    /// Parses `text`; blank text gives a stylesheet without rules.
    public static func parse(_ text: String) throws(StylesheetSyntaxError) -> ModelStylesheet {
        var scanner = StylesheetScanner(Array(text.unicodeScalars))
        var rules: [StylesheetRule] = []
        while true {
            try scanner.skipTrivia()
            guard !scanner.atEnd else { break }
            rules.append(try scanner.parseRule())
        }
        return ModelStylesheet(rules: rules)
    }
}

/// A cursor over the stylesheet's scalars that tracks line and column for errors.
private struct StylesheetScanner {
    private let scalars: [Unicode.Scalar]
    private var index = 0
    private var line = 1
    private var column = 1

    init(_ scalars: [Unicode.Scalar]) { self.scalars = scalars }

    var atEnd: Bool { index >= scalars.count }

    private var current: Unicode.Scalar? { index < scalars.count ? scalars[index] : nil }

    private mutating func advance() {
        if scalars[index] == "\n" {
            line += 1
            column = 1
        } else {
            column += 1
        }
        index += 1
    }

    private func error(_ message: String, line: Int? = nil, column: Int? = nil) -> StylesheetSyntaxError {
        StylesheetSyntaxError(message: message, line: line ?? self.line, column: column ?? self.column)
    }

    private var describeCurrent: String {
        guard let current else { return "the end of the stylesheet" }
        return current == "\n" ? "a line end" : "'\(current)'"
    }

    /// Skips whitespace and comments.
    mutating func skipTrivia() throws(StylesheetSyntaxError) {
        while let scalar = current {
            if scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" {
                advance()
            } else if scalar == "/", index + 1 < scalars.count, scalars[index + 1] == "*" {
                let (startLine, startColumn) = (line, column)
                advance()
                advance()
                while true {
                    guard let inner = current else {
                        throw error("unterminated comment: add '*/'", line: startLine, column: startColumn)
                    }
                    if inner == "*", index + 1 < scalars.count, scalars[index + 1] == "/" {
                        advance()
                        advance()
                        break
                    }
                    advance()
                }
            } else {
                return
            }
        }
    }

    mutating func parseRule() throws(StylesheetSyntaxError) -> StylesheetRule {
        let selector = try parseSelector()
        try skipTrivia()
        guard current == "{" else {
            throw error("expected '{' after the selector, found \(describeCurrent)")
        }
        let (openLine, openColumn) = (line, column)
        advance()
        var declarations: [StylesheetDeclaration] = []
        while true {
            try skipTrivia()
            guard let scalar = current else {
                throw error("missing '}' to close the '{' at line \(openLine), column \(openColumn)")
            }
            if scalar == "}" {
                advance()
                return StylesheetRule(selector: selector, declarations: declarations)
            }
            if scalar == ";" {
                advance()
                continue
            }
            declarations.append(try parseDeclaration())
        }
    }

    private mutating func parseSelector() throws(StylesheetSyntaxError) -> StylesheetSelector {
        guard let scalar = current else { throw error("expected a selector") }
        switch scalar {
        case "*":
            advance()
            return .universal
        case ".", "#":
            advance()
            let name = readName()
            guard !name.isEmpty else {
                throw error("expected a name after '\(scalar)', found \(describeCurrent)")
            }
            return scalar == "." ? .className(name) : .id(name)
        default:
            let name = readName()
            guard !name.isEmpty else {
                throw error("expected a selector ('*', a shape name, '.class' or '#id'), found \(describeCurrent)")
            }
            return .shape(name)
        }
    }

    private mutating func parseDeclaration() throws(StylesheetSyntaxError) -> StylesheetDeclaration {
        let (keyLine, keyColumn) = (line, column)
        let key = readName()
        guard !key.isEmpty else {
            throw error("expected a property name such as llm_model, found \(describeCurrent)")
        }
        // The stylesheet sets model choices only: any other key (tool_command, prompt, ...) would let
        // one graph attribute rewrite what every matching node runs, unseen at the node.
        guard ModelStylesheet.allowedProperties.contains(key) else {
            throw error(
                "'\(key)' is not a stylesheet property; a stylesheet may set only "
                    + ModelStylesheet.allowedPropertyList + "; set other attributes on the node",
                line: keyLine, column: keyColumn)
        }
        try skipTrivia()
        guard current == ":" || current == "=" else {
            throw error("expected ':' after '\(key)', found \(describeCurrent)")
        }
        advance()
        try skipTrivia()
        let value: String
        if current == "\"" {
            value = try readQuoted()
        } else {
            value = readBareValue()
            guard !value.isEmpty else {
                throw error("expected a value for '\(key)', found \(describeCurrent)")
            }
        }
        try skipTrivia()
        guard current == ";" || current == "}" else {
            throw error("expected ';' or '}' after the value of '\(key)', found \(describeCurrent)")
        }
        return StylesheetDeclaration(key: key, value: value)
    }

    /// Letters, digits, `_`, `-` and `.` (qualified keys, class names, node ids).
    private mutating func readName() -> String {
        var name = String.UnicodeScalarView()
        while let scalar = current,
            scalar == "_" || scalar == "-" || scalar == "." || ("0"..."9").contains(scalar)
                || (scalar.isASCII ? ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) : scalar.properties.isAlphabetic)
        {
            name.append(scalar)
            advance()
        }
        return String(name)
    }

    private mutating func readQuoted() throws(StylesheetSyntaxError) -> String {
        let (startLine, startColumn) = (line, column)
        advance()
        var value = String.UnicodeScalarView()
        while let scalar = current {
            advance()
            if scalar == "\"" { return String(value) }
            if scalar == "\\", let escaped = current, escaped == "\"" || escaped == "\\" {
                value.append(escaped)
                advance()
                continue
            }
            value.append(scalar)
        }
        throw error("unterminated string: add the closing '\"'", line: startLine, column: startColumn)
    }

    /// A run of characters up to whitespace, `;`, `{`, `}` or a comment.
    private mutating func readBareValue() -> String {
        var value = String.UnicodeScalarView()
        while let scalar = current, !" \t\r\n;{}".unicodeScalars.contains(scalar) {
            if scalar == "/", index + 1 < scalars.count, scalars[index + 1] == "*" { break }
            value.append(scalar)
            advance()
        }
        return String(value)
    }
}
