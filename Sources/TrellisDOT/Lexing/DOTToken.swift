/// One lexical token of the DOT language, as the lexer hands it to the parser.
///
/// A token holds positions only, never text: most tokens are punctuation, and the parser
/// makes a `String` from an ID's bytes (`DOTLexer.text(of:)`) only when it keeps the value.
/// Being trivially copyable, a token costs no reference counting as it is passed around.
struct DOTToken {
    /// What kind of token this is.
    enum Kind: UInt8 {
        /// A bare identifier or numeral (`Start`, `-1.5`, `human.default_choice`, `30s`).
        case identifier
        /// A double-quoted string; its value is between the quotes, with `\"` and continuations to resolve.
        case quoted
        /// An HTML string; its value is what is between the outer `<` and `>`.
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
    /// Whether a quoted string holds `\"` or a backslash-newline, so its value differs from its bytes.
    var hasEscapes = false
    /// Byte offset of the first byte in the input.
    var offset: Int
    /// The value's bytes: the whole token for identifiers and keywords, the part between the
    /// delimiters for quoted and HTML strings; empty for punctuation.
    var valueStart: Int
    /// End (exclusive) of the value's bytes.
    var valueEnd: Int
    /// 1-based line of the first byte.
    var line: Int
    /// 1-based column (Unicode scalars) of the first byte.
    var column: Int

    /// Creates a token whose value (if any) the lexer fills in later.
    init(kind: Kind, offset: Int, line: Int, column: Int) {
        self.kind = kind
        self.offset = offset
        self.valueStart = offset
        self.valueEnd = offset
        self.line = line
        self.column = column
    }

    /// Whether this token is an ID in the DOT grammar (identifier, numeral, quoted or HTML string).
    var isID: Bool { kind == .identifier || kind == .quoted || kind == .html }

    /// Whether this token is an edge operator.
    var isEdgeOperator: Bool { kind == .directedEdge || kind == .undirectedEdge }
}
