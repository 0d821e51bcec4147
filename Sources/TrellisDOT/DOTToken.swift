/// One lexical token of the DOT language, as the lexer hands it to the parser.
struct DOTToken {
    /// What kind of token this is.
    enum Kind: UInt8 {
        /// A bare identifier or numeral (`Start`, `-1.5`, `human.default_choice`, `30s`).
        case identifier
        /// A double-quoted string; `text` holds its value with `\"` and continuations resolved.
        case quoted
        /// An HTML string; `text` holds what is between the outer `<` and `>`.
        case html
        /// `strict`, in any case.
        case keywordStrict
        /// `graph`, in any case.
        case keywordGraph
        /// `digraph`, in any case.
        case keywordDigraph
        /// `node`, in any case.
        case keywordNode
        /// `edge`, in any case.
        case keywordEdge
        /// `subgraph`, in any case.
        case keywordSubgraph
        case leftBrace, rightBrace, leftBracket, rightBracket
        case equals, semicolon, comma, colon, plus
        /// `->`.
        case directedEdge
        /// `--`.
        case undirectedEdge
        /// Something the lexer already reported as an error (a stray character, a NUL byte).
        case invalid
        /// The end of the input.
        case endOfFile
    }

    /// The kind.
    var kind: Kind
    /// Byte offset of the first byte in the input.
    var offset: Int
    /// 1-based line of the first byte.
    var line: Int
    /// 1-based column (Unicode scalars) of the first byte.
    var column: Int
    /// The value of identifiers, quoted and HTML strings; empty for other kinds.
    var text: String

    /// Whether this token is an ID in the DOT grammar (identifier, numeral, quoted or HTML string).
    var isID: Bool { kind == .identifier || kind == .quoted || kind == .html }

    /// Whether this token is an edge operator.
    var isEdgeOperator: Bool { kind == .directedEdge || kind == .undirectedEdge }

    /// How the token reads in an error message: `'->'`, `identifier 'Start'`, `end of file`.
    var described: String {
        switch kind {
        case .identifier: return "'\(Self.clipped(text))'"
        case .quoted: return "string \"\(Self.clipped(text))\""
        case .html: return "HTML string <\(Self.clipped(text))>"
        case .keywordStrict, .keywordGraph, .keywordDigraph, .keywordNode, .keywordEdge, .keywordSubgraph:
            return "keyword '\(text)'"
        case .leftBrace: return "'{'"
        case .rightBrace: return "'}'"
        case .leftBracket: return "'['"
        case .rightBracket: return "']'"
        case .equals: return "'='"
        case .semicolon: return "';'"
        case .comma: return "','"
        case .colon: return "':'"
        case .plus: return "'+'"
        case .directedEdge: return "'->'"
        case .undirectedEdge: return "'--'"
        case .invalid: return "an invalid character"
        case .endOfFile: return "end of file"
        }
    }

    private static func clipped(_ text: String) -> String {
        let limit = 40
        guard text.unicodeScalars.count > limit else { return text }
        return String(String.UnicodeScalarView(text.unicodeScalars.prefix(limit))) + "..."
    }
}
