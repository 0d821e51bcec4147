/// The DOT grammar, parsed without recursion: subgraph bodies live on an explicit stack of
/// frames, so deep nesting costs heap, never call stack. Statements go to a `GraphBuilder`
/// as they are recognised; errors become diagnostics and parsing resumes at the next
/// statement, so one run reports every error it can.
struct DOTSyntaxParser {
    /// Subgraphs nested deeper than this stop the parse with an error. The parser itself has no
    /// limit; this protects the recursive walks of later stages and flags generated nonsense.
    static let maximumNestingDepth = 1_000
    /// Parsing stops after this many errors; later ones are mostly consequences of earlier ones.
    static let maximumErrors = 100

    /// One `{ ... }` body being parsed.
    private struct Frame {
        /// The scope of the enclosing body, restored when this one closes.
        var enclosingScope: GraphBuilder.Scope
        var opened: SourceLocation
        /// The enclosing statement this subgraph is an operand of; `nil` for the graph body.
        var suspended: Statement?
    }

    /// A node or edge statement in progress: where its operands and the edge operators between
    /// them start on the parser's `operands` and `operators` stacks. A statement suspended by a
    /// subgraph operand keeps its entries below those of the statements inside the subgraph,
    /// which end first, so the stacks never need a statement's own arrays.
    private struct Statement {
        var operandBase: Int
        var operatorBase: Int
    }

    /// An ID read but not yet used: its token, and when `+` joined several quoted strings, where
    /// their joined text is in `joinedTexts`. Plain data, so passing one around costs nothing.
    private struct PendingID {
        var token: DOTToken
        var joined: Int32 = -1
    }

    /// Plain data, so statements' arrays are cheap to fill and empty.
    private enum Operand {
        /// A node, by its position in the builder, with its port: a position in `ports`, or -1 for none.
        case node(Int, port: Int32)
        case subgraph(Int)
    }

    private var lexer: DOTLexer
    /// The input, shared with the lexer: node ids and attribute names are looked up by their bytes.
    private let bytes: UnsafeBufferPointer<UInt8>
    private var current: DOTToken
    private var peeked: DOTToken?
    private var previousLine = 1
    /// The kind of the token before `current` (an empty statement is a `;` after `{` or `;`).
    private var previousKind: DOTToken.Kind = .endOfFile
    /// The file name's number in `SourceFileNames`, for locations.
    private let fileNumber: UInt32
    private var builder: GraphBuilder
    private var frames: [Frame] = []
    /// The scope of the innermost open body (kept out of `frames` so statements use it without copying).
    private var scope = GraphBuilder.Scope()
    private var diagnostics: [Diagnostic] = []
    /// The operands and edge operators of the statements in progress (`Statement`).
    private var operands: [Operand] = []
    private var operators: [DOTToken] = []
    /// Attribute names seen so far, as strings made once: a pipeline repeats a few names thousands of times.
    private var attributeNames = ByteKeyTable(capacity: 32)
    private var attributeNameStrings: [String] = []
    /// Texts of IDs joined with `+`, and ports written after node IDs, by `PendingID.joined` and
    /// `Operand.node`'s port number. Both are rare, so they live apart from the common case.
    private var joinedTexts: [String] = []
    private var ports: [String] = []
    private var stopped = false
    private var reportedEndOfFile = false

    /// Prepares to parse `bytes` (UTF-8, optionally with a byte order mark) named `file` in diagnostics.
    init(bytes: UnsafeBufferPointer<UInt8>, file: String) {
        fileNumber = SourceFileNames.number(of: file)
        self.bytes = bytes
        builder = GraphBuilder(fileNumber: fileNumber, expectedSourceBytes: bytes.count)
        lexer = DOTLexer(bytes: bytes, fileNumber: fileNumber)
        current = lexer.next()
    }

    /// Parses the whole input.
    mutating func parse() -> ParseResult {
        if let bodyStart = parseHeader() {
            parseBody(openedAt: bodyStart)
        }
        var all = lexer.diagnostics + diagnostics
        // Lexer and parser errors interleave in the input; report them in reading order.
        all = all.enumerated().sorted { lhs, rhs in
            let left = lhs.element.location, right = rhs.element.location
            if left?.line != right?.line { return (left?.line ?? 0) < (right?.line ?? 0) }
            if left?.column != right?.column { return (left?.column ?? 0) < (right?.column ?? 0) }
            return lhs.offset < rhs.offset
        }.map(\.element)
        if all.count > Self.maximumErrors {
            let last = all[Self.maximumErrors - 1].location
            all = Array(all.prefix(Self.maximumErrors))
            all.append(Diagnostic(
                rule: "syntax", severity: .error,
                message: "too many errors (more than \(Self.maximumErrors)); parsing stopped", location: last,
                fix: "fix the errors above first; later ones are often consequences of earlier ones"))
        }
        let hasErrors = all.contains { $0.severity == .error }
        return ParseResult(graph: hasErrors ? nil : builder.build(), diagnostics: all)
    }

    // MARK: Header and body

    /// `[strict] (graph | digraph) [ID] {`; returns where the body opens, or `nil` when there is no body to parse.
    private mutating func parseHeader() -> SourceLocation? {
        let first = current
        if current.kind == .keywordStrict {
            builder.isStrict = true
            advance()
        }
        switch current.kind {
        case .keywordGraph, .keywordDigraph:
            builder.isDirected = current.kind == .keywordDigraph
            builder.location = location(of: builder.isStrict ? first : current)
            advance()
        case .endOfFile:
            if !lexer.endedInsideConstruct {
                error(
                    "the file holds no graph; expected 'digraph' or 'graph' followed by a body such as 'digraph G { a -> b }'",
                    at: current, fix: "write the graph, e.g. 'digraph G { start -> exit }'")
            }
            return nil
        default:
            if current.kind != .invalid {
                error(
                    "expected 'digraph' or 'graph' (optionally after 'strict') to start the file, found \(describe(current))",
                    at: current, fix: "start the file with 'digraph NAME {'")
            }
            while current.kind != .leftBrace, current.kind != .endOfFile { advance() }
        }
        if current.isID {
            builder.name = readID()?.raw
        }
        guard current.kind == .leftBrace else {
            if current.kind != .endOfFile || !lexer.endedInsideConstruct {
                error("expected '{' to open the graph body, found \(describe(current))", at: current,
                      fix: "write the body in braces: 'digraph G { ... }'")
            }
            return nil
        }
        let opened = location(of: current)
        advance()
        return opened
    }

    private mutating func parseBody(openedAt opened: SourceLocation) {
        frames = [Frame(enclosingScope: GraphBuilder.Scope(), opened: opened, suspended: nil)]
        var resumed: Statement?
        while !stopped {
            if let statement = resumed {
                resumed = nil
                continueStatement(statement)
                continue
            }
            if lexer.diagnostics.count + diagnostics.count > Self.maximumErrors { return }
            switch current.kind {
            case .rightBrace:
                let closing = current
                advance()
                let frame = frames.removeLast()
                let closed = scope.subgraph
                scope = frame.enclosingScope
                guard let statement = frame.suspended, let index = closed else {
                    checkNothingFollows(closingBrace: closing)
                    return
                }
                operands.append(.subgraph(index))
                resumed = statement
            case .endOfFile:
                reportUnclosedBody()
                return
            case .semicolon:
                if previousKind == .semicolon || previousKind == .leftBrace {
                    // Graphviz's grammar allows one ';' after a statement, never an empty statement.
                    error(
                        "empty statement: ';' must follow a statement (Graphviz rejects '{ ;' and ';;')",
                        at: current, fix: "remove the extra ';'")
                }
                advance()
            default:
                parseStatement()
            }
        }
    }

    private mutating func reportUnclosedBody() {
        guard !reportedEndOfFile, !lexer.endedInsideConstruct, let frame = frames.last else { return }
        reportedEndOfFile = true
        let what = frames.count == 1 ? "the graph body" : "the subgraph"
        var message = "unexpected end of file: expected '}' to close \(what) opened at \(frame.opened.line):\(frame.opened.column)"
        if frames.count > 2 {
            message += " (\(frames.count - 1) subgraphs are still open)"
        }
        error(message, at: current, fix: "add the missing '}', or check that every '{' has its '}'")
    }

    private mutating func checkNothingFollows(closingBrace: DOTToken) {
        guard current.kind != .endOfFile, current.kind != .invalid else { return }
        let end = "\(closingBrace.line):\(closingBrace.column)"
        switch current.kind {
        case .keywordGraph, .keywordDigraph, .keywordStrict:
            error(
                "a second graph starts here, but a DOT file holds exactly one graph (the first ended at \(end))",
                at: current, fix: "put each graph in its own file")
        default:
            error(
                "unexpected \(describe(current)) after the end of the graph (its closing '}' is at \(end)); expected end of file",
                at: current, fix: "remove it; if a '}' closed the graph too early, remove that '}'")
        }
    }

    // MARK: Statements

    private mutating func parseStatement() {
        let token = current
        switch token.kind {
        case .keywordGraph, .keywordNode, .keywordEdge:
            advance()
            guard current.kind == .leftBracket else {
                let keyword = lexer.text(of: token)
                error(
                    "expected '[' after '\(keyword)' to start its attribute list, found \(describe(current))",
                    at: current, fix: "write '\(keyword.lowercased()) [name=value]'")
                recover(from: current)
                return
            }
            guard let attributes = parseAttributeLists() else { return }
            switch token.kind {
            case .keywordNode:
                scope.nodeDefaults.merge(attributes)
                builder.recordDefaults(attributes, isNode: true, in: scope)
            case .keywordEdge:
                scope.edgeDefaults.merge(attributes)
                builder.recordDefaults(attributes, isNode: false, in: scope)
            default: builder.setGraphAttributes(attributes, in: scope)
            }
        case .keywordSubgraph, .leftBrace:
            openSubgraph(suspending: makeStatement())
        case .identifier, .quoted, .html:
            guard let id = readPendingID() else { return }
            if current.kind == .equals {
                let key = text(of: id)
                advance()
                guard let value = readID() else {
                    error("expected a value after '\(key) =', found \(describe(current))", at: current,
                          fix: "write '\(key) = value'; quote values with spaces or punctuation")
                    recover(from: current)
                    return
                }
                builder.setGraphAttributes(Attributes([(key, value)]), in: scope)
                return
            }
            guard let operand = finishNodeOperand(id) else { return }
            let statement = makeStatement()
            operands.append(operand)
            continueStatement(statement)
        case .invalid:
            recover(from: token)
        case .rightBracket:
            error("found ']' without a matching '['", at: token, fix: "remove the extra ']'")
            recover(from: token)
        case .keywordStrict, .keywordDigraph:
            error(
                "expected a statement, found \(describe(token)): a graph cannot be declared inside another graph",
                at: token, fix: "use 'subgraph NAME { ... }' for a graph inside a graph")
            recover(from: token)
        default:
            error(
                "expected a statement (a node, an edge, an attribute or a subgraph), found \(describe(token))",
                at: token, fix: nil)
            recover(from: token)
        }
    }

    /// A new statement, starting at the tops of the stacks.
    private func makeStatement() -> Statement {
        Statement(operandBase: operands.count, operatorBase: operators.count)
    }

    /// Removes a finished (or abandoned) statement's entries from the stacks.
    private mutating func end(_ statement: Statement) {
        while operands.count > statement.operandBase { operands.removeLast() }
        while operators.count > statement.operatorBase { operators.removeLast() }
    }

    /// Continues a node or edge statement after an operand: more `-> operand`, then the attribute lists.
    private mutating func continueStatement(_ statement: Statement) {
        while current.isEdgeOperator {
            let edgeOperator = current
            checkDirection(of: edgeOperator)
            operators.append(edgeOperator)
            advance()
            if current.isID {
                guard let id = readPendingID(), let operand = finishNodeOperand(id) else { return end(statement) }
                operands.append(operand)
            } else if current.kind == .keywordSubgraph || current.kind == .leftBrace {
                openSubgraph(suspending: statement)
                return
            } else {
                defer { end(statement) }
                if current.kind == .endOfFile {
                    guard !lexer.endedInsideConstruct, !reportedEndOfFile else { return }
                    reportedEndOfFile = true
                }
                error(
                    "expected a node ID or a subgraph after \(describe(edgeOperator)), found \(describe(current))",
                    at: current, fix: "name the edge's head node: 'a \(edgeOperator.kind == .directedEdge ? "->" : "--") b'")
                recover(from: current)
                return
            }
        }
        finish(statement)
        end(statement)
    }

    private mutating func finish(_ statement: Statement) {
        let operandCount = operands.count - statement.operandBase
        if operandCount == 1 {
            // A lone subgraph is a complete statement; a lone node may carry attributes.
            guard case .node(let position, _) = operands[statement.operandBase] else { return }
            // Parsed straight into the node's list: a new node's list is the node defaults, and
            // copying them once with room for the statement's own attributes saves building a
            // second list and merging it.
            guard current.kind == .leftBracket else { return }
            var attributes = builder.takeNodeAttributes(at: position)
            attributes.reserveCapacity(attributes.count + 4)
            guard parseAttributeLists(into: &attributes) else { return }
            builder.setNodeAttributes(attributes, at: position)
            return
        }
        guard let attributes = parseAttributeLists() else { return }
        for index in 0..<(operandCount - 1) {
            let location = location(of: operators[statement.operatorBase + index])
            switch (operands[statement.operandBase + index], operands[statement.operandBase + index + 1]) {
            case (.node(let tail, let tailPort), .node(let head, let headPort)):
                // The common case, without building endpoint lists.
                builder.addEdge(
                    from: tail, fromPort: port(tailPort), to: head, toPort: port(headPort),
                    explicit: attributes, in: scope, location: location)
            case (let tailOperand, let headOperand):
                let heads = endpoints(of: headOperand)
                for tail in endpoints(of: tailOperand) {
                    for head in heads {
                        builder.addEdge(
                            from: tail.position, fromPort: tail.port, to: head.position, toPort: head.port,
                            explicit: attributes, in: scope, location: location)
                    }
                }
            }
        }
    }

    private func endpoints(of operand: Operand) -> [(position: Int, port: String?)] {
        switch operand {
        case .node(let position, let port): return [(position, self.port(port))]
        case .subgraph(let index): return builder.members(ofSubgraph: index).map { ($0, nil) }
        }
    }

    private func port(_ number: Int32) -> String? { number < 0 ? nil : ports[Int(number)] }

    /// After a node ID: an optional `:port` and `:compass`, then the node is mentioned in the current scope.
    private mutating func finishNodeOperand(_ id: PendingID) -> Operand? {
        var port: String?
        var colons = 0
        while current.kind == .colon, colons < 2 {
            colons += 1
            advance()
            guard let part = readID() else {
                error(
                    "expected a port name or compass point (n, ne, e, se, s, sw, w, nw, c, _) after ':', found \(describe(current))",
                    at: current, fix: "write 'node:port' or 'node:port:compass'")
                recover(from: current)
                return nil
            }
            port = port.map { $0 + ":" + part.raw } ?? part.raw
        }
        let token = id.token
        let position: Int
        var portNumber: Int32 = -1
        if let port {
            portNumber = Int32(ports.count)
            ports.append(port)
        }
        if id.joined < 0, !token.hasEscapes, lexer.isASCIIInput {
            // The bytes as written are the id: look it up without making a string.
            position = builder.mentionNode(key: valueBytes(of: token), line: token.line, column: token.column, in: scope)
        } else {
            position = builder.mentionNode(text(of: id), line: token.line, column: token.column, in: scope)
        }
        return .node(position, port: portNumber)
    }

    /// `subgraph [ID] {` or `{`: pushes a frame whose statement resumes when the body closes.
    private mutating func openSubgraph(suspending statement: Statement) {
        let start = current
        var name: String?
        if current.kind == .keywordSubgraph {
            advance()
            if current.isID { name = readID()?.raw }
        }
        guard current.kind == .leftBrace else {
            let subject = name.map { "subgraph '\($0)'" } ?? "the subgraph"
            error("expected '{' to open the body of \(subject), found \(describe(current))", at: current,
                  fix: "write 'subgraph NAME { ... }'")
            recover(from: current)
            end(statement)
            return
        }
        let opened = location(of: current)
        guard frames.count <= Self.maximumNestingDepth else {
            error(
                "subgraphs are nested more than \(Self.maximumNestingDepth) levels deep here; parsing stopped",
                at: current, fix: "flatten the nesting; Trellis accepts at most \(Self.maximumNestingDepth) levels")
            stopped = true
            return
        }
        advance()
        let index = builder.openSubgraph(named: name, in: scope, location: location(of: start))
        frames.append(Frame(enclosingScope: scope, opened: opened, suspended: statement))
        // The body starts with the defaults in force around it, and a reopened subgraph's own on top.
        scope.subgraph = index
        builder.restoreOwnDefaults(of: index, into: &scope)
    }

    private mutating func checkDirection(of edgeOperator: DOTToken) {
        if edgeOperator.kind == .directedEdge, !builder.isDirected {
            error(
                "found '->' in an undirected graph; expected '--' (the graph is declared with 'graph')",
                at: edgeOperator, fix: "write '--', or declare the graph with 'digraph' for directed edges")
        } else if edgeOperator.kind == .undirectedEdge, builder.isDirected {
            error(
                "found '--' in a directed graph; expected '->' (the graph is declared with 'digraph')",
                at: edgeOperator, fix: "write '->', or declare the graph with 'graph' for undirected edges")
        }
    }

    // MARK: Attributes and IDs

    /// Zero or more `[ name = value, ... ]` lists merged in order; `nil` after an error (already reported).
    private mutating func parseAttributeLists() -> Attributes? {
        var result = Attributes()
        return parseAttributeLists(into: &result) ? result : nil
    }

    /// Zero or more `[ name = value, ... ]` lists set in order on `result`; `false` after an
    /// error (already reported), with `result` holding what was read before it.
    private mutating func parseAttributeLists(into result: inout Attributes) -> Bool {
        while current.kind == .leftBracket {
            let open = current
            advance()
            listLoop: while true {
                switch current.kind {
                case .rightBracket:
                    advance()
                    break listLoop
                case .comma, .semicolon:
                    advance()
                case .identifier, .quoted, .html:
                    if current.line > open.line, current.line > previousLine, peek().kind != .equals {
                        // A name on a new line with no '=' is the next statement: the ']' is missing.
                        error(
                            "expected ']' to close the attribute list opened at \(open.line):\(open.column), found \(describe(current)) on a new line",
                            at: current, fix: "add ']' at the end of the attribute list")
                        return false
                    }
                    guard let key = readAttributeName() else { return false }
                    guard current.kind == .equals else {
                        error(
                            "expected '=' after attribute name '\(key)', found \(describe(current))",
                            at: current, fix: "write attributes as name=value, separated by ',' or ';'")
                        recover(from: current, insideBrackets: true)
                        return false
                    }
                    advance()
                    guard let value = readID() else {
                        error(
                            "expected a value after '\(key) =', found \(describe(current))", at: current,
                            fix: "write '\(key)=value'; quote values with spaces or punctuation: \"...\"")
                        recover(from: current, insideBrackets: true)
                        return false
                    }
                    result[key] = value
                case .endOfFile:
                    if !lexer.endedInsideConstruct, !reportedEndOfFile {
                        reportedEndOfFile = true
                        error(
                            "unexpected end of file: expected ']' to close the attribute list opened at \(open.line):\(open.column)",
                            at: current, fix: "add the missing ']'")
                    }
                    return false
                case .invalid:
                    recover(from: current, insideBrackets: true)
                    return false
                default:
                    error(
                        "expected an attribute name or ']' to close the list opened at \(open.line):\(open.column), found \(describe(current))",
                        at: current, fix: "write attributes as [name=value, name=value]")
                    recover(from: current, insideBrackets: true)
                    return false
                }
            }
        }
        return true
    }

    /// An attribute name, made into a string once per distinct name.
    private mutating func readAttributeName() -> String? {
        guard let id = readPendingID() else { return nil }
        let token = id.token
        guard id.joined < 0, !token.hasEscapes, lexer.isASCIIInput else { return text(of: id) }
        let (number, inserted) = attributeNames.findOrInsert(valueBytes(of: token))
        if inserted { attributeNameStrings.append(lexer.text(of: token)) }
        return attributeNameStrings[number]
    }

    /// An ID as a value: identifier, numeral, HTML string, or quoted strings joined with `+`;
    /// `nil` when the current token is none.
    private mutating func readID() -> AttributeValue? {
        guard let id = readPendingID() else { return nil }
        return AttributeValue(text(of: id), isHTML: id.token.kind == .html, location: location(of: id.token))
    }

    /// Reads an ID, joining quoted strings written with `+`, without making its text yet.
    private mutating func readPendingID() -> PendingID? {
        guard current.isID else { return nil }
        let token = current
        advance()
        guard token.kind == .quoted, current.kind == .plus else { return PendingID(token: token) }
        var text = lexer.text(of: token)
        while current.kind == .plus {
            advance()
            guard current.kind == .quoted else {
                error("expected a quoted string after '+', found \(describe(current))", at: current,
                      fix: "'+' joins quoted strings only: \"first\" + \"second\"")
                break
            }
            text += lexer.text(of: current)
            advance()
        }
        joinedTexts.append(text)
        return PendingID(token: token, joined: Int32(joinedTexts.count - 1))
    }

    /// The bytes of a token's value as written (escapes not resolved).
    private func valueBytes(of token: DOTToken) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[token.valueStart..<token.valueEnd])
    }

    private func text(of id: PendingID) -> String {
        id.joined < 0 ? lexer.text(of: id.token) : joinedTexts[Int(id.joined)]
    }

    // MARK: Recovery

    /// Skips the rest of a broken statement: up to a `;` (consumed), a `}` closing the current
    /// body, or the first possible statement start on a later line, whichever comes first.
    /// Brackets and braces opened while skipping are skipped whole.
    private mutating func recover(from errorToken: DOTToken, insideBrackets: Bool = false) {
        var bracketDepth = insideBrackets ? 1 : 0
        var braceDepth = 0
        if current.offset == errorToken.offset, current.kind != .endOfFile, current.kind != .rightBrace {
            if current.kind == .leftBracket { bracketDepth += 1 }
            if current.kind == .rightBracket, bracketDepth > 0 { bracketDepth -= 1 }
            if current.kind == .leftBrace { braceDepth += 1 }
            if current.kind == .semicolon, bracketDepth == 0 {
                advance()
                return
            }
            advance()
        }
        while current.kind != .endOfFile {
            let atTop = bracketDepth == 0 && braceDepth == 0
            switch current.kind {
            case .semicolon where atTop:
                advance()
                return
            case .rightBrace where braceDepth == 0:
                return
            case .rightBrace:
                braceDepth -= 1
            case .leftBrace where atTop && current.line > errorToken.line:
                return
            case .leftBrace:
                braceDepth += 1
            case .leftBracket:
                bracketDepth += 1
            case .rightBracket where bracketDepth > 0:
                bracketDepth -= 1
            case .identifier, .quoted, .html, .keywordNode, .keywordEdge, .keywordGraph, .keywordSubgraph:
                if atTop, current.line > errorToken.line { return }
            default:
                break
            }
            advance()
        }
    }

    // MARK: Tokens

    private mutating func advance() {
        previousLine = current.line
        previousKind = current.kind
        if let next = peeked {
            current = next
            peeked = nil
        } else {
            current = lexer.next()
        }
    }

    private mutating func peek() -> DOTToken {
        if let peeked { return peeked }
        let next = lexer.next()
        peeked = next
        return next
    }

    private func describe(_ token: DOTToken) -> String { lexer.describe(token) }

    private func location(of token: DOTToken) -> SourceLocation {
        SourceLocation(fileNumber: fileNumber, line: token.line, column: token.column)
    }

    private mutating func error(_ message: String, at token: DOTToken, fix: String?) {
        // The lexer has reported bad characters and unterminated constructs already; a second
        // message about the same spot would only repeat it.
        guard token.kind != .invalid, token.kind != .endOfFile || !lexer.endedInsideConstruct else { return }
        diagnostics.append(
            Diagnostic(rule: "syntax", severity: .error, message: message, location: location(of: token), fix: fix))
        if lexer.diagnostics.count + diagnostics.count > Self.maximumErrors { stopped = true }
    }
}
