/// Splits DOT source into tokens, working on UTF-8 bytes so a large file costs no per-character
/// `String` work. Lexical errors (stray characters, NUL bytes, unterminated strings and comments)
/// become diagnostics here and the lexer carries on, so the parser can report further errors.
struct DOTLexer {
    /// The input, borrowed for the parse (`DOTParser` keeps it alive): reading through a
    /// pointer costs no reference counting, which reading an array in a loop can.
    private let bytes: UnsafeBufferPointer<UInt8>
    /// The file name's number in `SourceFileNames`, for locations.
    private let fileNumber: UInt32
    private var position: Int
    private var line = 1
    private var lineStart: Int
    private var lineHasToken = false
    private var columnCacheLineStart = -1
    private var columnCacheOffset = 0
    private var columnCacheColumn = 1
    private var previousWasInvalid = false
    /// Whether the previous token was `=`: an identifier after it is a value, which may be a
    /// bare value such as `gpt-5.4` (see `scanBareValueTail`).
    private var previousWasEquals = false
    private var lastCommentStart: SourceLocation?
    private var reportedNULInString = false
    /// Whether the input holds only ASCII bytes: then a column is a byte distance, no counting needed.
    private let isASCII: Bool

    /// Errors found so far, in input order.
    private(set) var diagnostics: [Diagnostic] = []
    /// Whether the input ended inside a string, comment or HTML string (already reported), so
    /// the parser need not add "unexpected end of file" errors of its own.
    private(set) var endedInsideConstruct = false
    /// Whether the input holds only ASCII bytes, so the bytes of any ID are its UTF-8 text as is.
    var isASCIIInput: Bool { isASCII }

    /// Creates a lexer over `bytes`; a leading UTF-8 byte order mark is skipped.
    init(bytes: UnsafeBufferPointer<UInt8>, fileNumber: UInt32) {
        self.bytes = bytes
        self.fileNumber = fileNumber
        let hasBOM = bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF
        position = hasBOM ? 3 : 0
        lineStart = position
        isASCII = Self.isAllASCII(in: bytes)
    }

    /// The location of byte `offset`, which must be on the current line.
    mutating func location(at offset: Int) -> SourceLocation {
        SourceLocation(fileNumber: fileNumber, line: line, column: column(at: offset))
    }

    /// The 1-based column of `offset` on the current line. Tokens are asked for in input order,
    /// so counting on from the previous answer keeps this linear even on a megabyte-long line.
    @inline(__always)
    private mutating func column(at offset: Int) -> Int {
        if isASCII { return offset - lineStart + 1 }
        return countedColumn(at: offset)
    }

    private mutating func countedColumn(at offset: Int) -> Int {
        if columnCacheLineStart != lineStart || offset < columnCacheOffset {
            columnCacheLineStart = lineStart
            columnCacheOffset = lineStart
            columnCacheColumn = 1
        }
        let column = columnCacheColumn + (offset - columnCacheOffset)
            - Self.continuationBytes(in: bytes, from: columnCacheOffset, to: offset)
        columnCacheOffset = offset
        columnCacheColumn = column
        return column
    }

    /// The next token; `.endOfFile` forever once the input is used up.
    ///
    /// Punctuation, identifiers and quoted strings, which make up nearly every token, are
    /// decided here; everything else (edge operators, numerals, HTML strings, errors) goes to
    /// `lexOther`, which keeps this function small enough to stay cheap to call.
    mutating func next() -> DOTToken {
        skipTrivia()
        let start = position
        let startColumn = column(at: start)
        guard start < bytes.count else {
            return DOTToken(kind: .endOfFile, offset: start, line: line, column: startColumn)
        }
        lineHasToken = true
        var token = DOTToken(kind: .invalid, offset: start, line: line, column: startColumn)
        let byte = bytes[start]
        if let punctuation = Self.punctuation(byte) {
            token.kind = punctuation
            position += 1
        } else if Self.isLetter(byte) || byte == UInt8(ascii: "_") {
            lexIdentifier(into: &token)
        } else if byte == UInt8(ascii: "\"") {
            lexQuoted(into: &token)
        } else {
            lexOther(byte, into: &token)
        }
        if token.kind != .invalid { previousWasInvalid = false }
        previousWasEquals = token.kind == .equals
        return token
    }

    /// The one-byte tokens.
    @inline(__always)
    private static func punctuation(_ byte: UInt8) -> DOTToken.Kind? {
        switch byte {
        case UInt8(ascii: "["): return .leftBracket
        case UInt8(ascii: "]"): return .rightBracket
        case UInt8(ascii: "="): return .equals
        case UInt8(ascii: ","): return .comma
        case UInt8(ascii: ";"): return .semicolon
        case UInt8(ascii: "{"): return .leftBrace
        case UInt8(ascii: "}"): return .rightBrace
        case UInt8(ascii: ":"): return .colon
        case UInt8(ascii: "+"): return .plus
        default: return nil
        }
    }

    /// Every token that does not start with punctuation, an ASCII letter, `_` or `"`; an
    /// identifier starting with a non-ASCII letter ends up here too.
    private mutating func lexOther(_ byte: UInt8, into token: inout DOTToken) {
        let start = token.offset
        switch byte {
        case UInt8(ascii: "-"):
            let following = peekByte(at: start + 1)
            if following == UInt8(ascii: ">") {
                token.kind = .directedEdge
                position += 2
            } else if following == UInt8(ascii: "-") {
                token.kind = .undirectedEdge
                position += 2
            } else if Self.isDigit(following) || (following == UInt8(ascii: ".") && Self.isDigit(peekByte(at: start + 2))) {
                lexNumeral(into: &token)
            } else {
                position += 1
                reportInvalid(
                    "unexpected '-'; expected '->' or '--' (an edge) or a number such as -1.5",
                    at: token, fix: "write an edge as 'a -> b' (digraph) or 'a -- b' (graph)")
            }
        case UInt8(ascii: "<"):
            lexHTML(into: &token)
        case UInt8(ascii: "."):
            if Self.isDigit(peekByte(at: start + 1)) {
                lexNumeral(into: &token)
            } else {
                position += 1
                reportInvalid("unexpected '.'; expected an ID, an edge operator or punctuation", at: token, fix: nil)
            }
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            lexNumeral(into: &token)
        case UInt8(ascii: "*") where peekByte(at: start + 1) == UInt8(ascii: "/"):
            position += 2
            var message = "found '*/' outside a comment"
            if let lastCommentStart {
                message += "; DOT comments do not nest: the comment opened at \(lastCommentStart.line):\(lastCommentStart.column) ended at its first '*/'"
            }
            reportInvalid(message, at: token, fix: "remove the extra '*/', or close each '/*' before opening another")
        case 0:
            position += 1
            while position < bytes.count, bytes[position] == 0 { position += 1 }
            reportInvalid(
                "found a NUL byte (0x00); a DOT file is text and may not contain NUL bytes", at: token,
                fix: "remove the NUL bytes; the file may be binary or saved in UTF-16")
        default:
            if Self.isIdentifierStart(byte) {
                lexIdentifier(into: &token)
            } else {
                let scalarEnd = min(start + Self.scalarLength(byte), bytes.count)
                position = scalarEnd
                let character = String(decoding: bytes[start..<scalarEnd], as: UTF8.self)
                let shown = byte < 0x20 || byte == 0x7F
                    ? "control character 0x" + String(byte, radix: 16, uppercase: true) : "'\(character)'"
                reportInvalid(
                    "unexpected character \(shown); expected an ID, an edge operator or punctuation", at: token,
                    fix: "quote text that contains special characters: \"...\"")
            }
        }
    }

    // MARK: Trivia

    /// Skips whitespace, `//` and `/* */` comments and `#` lines (a `#` as the first thing on a line).
    /// Runs before every token, so spaces and line ends are skipped in a tight loop over local
    /// copies of the position and line, and only a possible comment leaves it.
    @inline(__always)
    private mutating func skipTrivia() {
        guard let base = bytes.baseAddress else { return }
        let count = bytes.count
        var index = position
        while index < count {
            let byte = base[index]
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r") {
                index += 1
            } else if byte == UInt8(ascii: "\n") {
                index += 1
                line += 1
                lineStart = index
                lineHasToken = false
            } else if byte == UInt8(ascii: "/") || byte == UInt8(ascii: "#") || byte == 0x0B || byte == 0x0C {
                position = index
                guard skipCommentOrRareSpace() else { return }
                index = position
            } else {
                break
            }
        }
        position = index
    }

    /// Skips one comment, `#` line or vertical tab or form feed at `position`; `false` when
    /// the byte there starts a token instead.
    private mutating func skipCommentOrRareSpace() -> Bool {
        let byte = bytes[position]
        if byte == 0x0B || byte == 0x0C {
            position += 1
            return true
        }
        if byte == UInt8(ascii: "#") {
            guard !lineHasToken else { return false }
            skipToEndOfLine()
            return true
        }
        switch peekByte(at: position + 1) {
        case UInt8(ascii: "/"):
            skipToEndOfLine()
            return true
        case UInt8(ascii: "*"):
            skipBlockComment()
            return true
        default:
            return false
        }
    }

    private mutating func newLine() {
        line += 1
        lineStart = position
        lineHasToken = false
    }

    private mutating func skipToEndOfLine() {
        while position < bytes.count, bytes[position] != UInt8(ascii: "\n") { position += 1 }
    }

    private mutating func skipBlockComment() {
        let start = location(at: position)
        lastCommentStart = start
        position += 2
        let count = bytes.count
        while position < count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "*"), position + 1 < count, bytes[position + 1] == UInt8(ascii: "/") {
                position += 2
                return
            }
            position += 1
            if byte == UInt8(ascii: "\n") { newLine() }
        }
        endedInsideConstruct = true
        report(
            "unterminated comment: the '/*' here has no closing '*/' before the end of the file", at: start,
            fix: "close the comment with '*/'")
    }

    // MARK: IDs

    private mutating func lexIdentifier(into token: inout DOTToken) {
        let start = position
        position += 1
        if previousWasEquals {
            scanBareValueTail()
        } else {
            scanIdentifierTail()
        }
        token.kind = .identifier
        token.valueEnd = position
        let length = position - start
        if length >= 4, length <= 8, let keyword = keyword(start: start, length: length) {
            token.kind = keyword
        }
    }

    /// Consumes identifier characters; a `.` joins two parts (`manager.actions`), the pipeline
    /// dialect's qualified keys, which plain Graphviz rejects.
    private mutating func scanIdentifierTail() {
        var index = position
        let count = bytes.count
        while index < count {
            let byte = bytes[index]
            if Self.isIdentifierPart(byte) {
                index += 1
            } else if byte == UInt8(ascii: "."), index + 1 < count, Self.isIdentifierPart(bytes[index + 1]) {
                index += 2
            } else {
                break
            }
        }
        position = index
    }

    /// A bare value after `=` (pipeline specification, `BareValue ::= [A-Za-z_][A-Za-z0-9_.:-]*`):
    /// model names such as `gpt-5.4` or `claude-opus-4-6` unquoted. Graphviz would split them
    /// at the `-`; the specification's grammar accepts them, and only in value position, so
    /// `a->b` and node ids are lexed as Graphviz lexes them. A `-` followed by `>` or `-` ends
    /// the value (it is an edge operator).
    private mutating func scanBareValueTail() {
        var index = position
        let count = bytes.count
        while index < count {
            let byte = bytes[index]
            if Self.isIdentifierPart(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: ":") {
                index += 1
            } else if byte == UInt8(ascii: "-"), index + 1 < count,
                      bytes[index + 1] != UInt8(ascii: ">"), bytes[index + 1] != UInt8(ascii: "-") {
                index += 1
            } else {
                break
            }
        }
        // A trailing '.' or ':' belongs to what follows (Graphviz never ends an ID with one).
        while index > position, bytes[index - 1] == UInt8(ascii: ".") || bytes[index - 1] == UInt8(ascii: ":") || bytes[index - 1] == UInt8(ascii: "-") {
            index -= 1
        }
        position = index
    }

    /// A numeral (`-1`, `.5`, `2.25`). Letters right after it are an error, as in Graphviz
    /// (`-1.5e` is not a number), except the pipeline dialect's durations: an integer and one
    /// of the units `ms`, `s`, `m`, `h`, `d` (`30s`, `250ms`) make one ID.
    private mutating func lexNumeral(into token: inout DOTToken) {
        let count = bytes.count
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        while position < count, Self.isDigit(bytes[position]) { position += 1 }
        var isInteger = true
        if position < count, bytes[position] == UInt8(ascii: ".") {
            isInteger = false
            position += 1
            while position < count, Self.isDigit(bytes[position]) { position += 1 }
        }
        token.kind = .identifier
        if position < count, Self.isIdentifierPart(bytes[position]) {
            let numberEnd = position
            scanIdentifierTail()
            let suffix = String(decoding: bytes[numberEnd..<position], as: UTF8.self)
            if !(isInteger && Self.durationUnits.contains(suffix)) {
                let written = String(decoding: bytes[token.offset..<position], as: UTF8.self)
                token.kind = .invalid
                reportInvalid(
                    "malformed number '\(written)': a numeral may not run into letters (Graphviz splits it in two); durations are an integer and ms, s, m, h or d",
                    at: token, fix: "quote it (\"\(written)\") or separate the number from what follows")
            }
        }
        token.valueEnd = position
    }

    /// The units a duration may end with (pipeline specification, `Duration`).
    private static let durationUnits: Set<String> = ["ms", "s", "m", "h", "d"]

    /// A double-quoted string. Its value (`text(of:)`) turns `\"` into `"` and drops
    /// backslash-newline (line continuation); here the lexer only finds the end and counts lines.
    private mutating func lexQuoted(into token: inout DOTToken) {
        let startLocation = SourceLocation(fileNumber: fileNumber, line: token.line, column: token.column)
        position += 1
        token.valueStart = position
        let count = bytes.count
        while position < count {
            // Skip the plain run up to the next byte that needs attention, without per-byte bookkeeping.
            do {
                var index = position
                // Skip eight bytes at a time while none of them can be '"', '\\', '\n' or NUL.
                // The test may flag a word that holds none of them; the byte loop below then decides.
                if let base = bytes.baseAddress {
                    let raw = UnsafeRawPointer(base)
                    let ones: UInt64 = 0x0101_0101_0101_0101
                    let highs: UInt64 = 0x8080_8080_8080_8080
                    while index + 8 <= count {
                        let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                        let quote = word ^ (ones &* UInt64(UInt8(ascii: "\"")))
                        let backslash = word ^ (ones &* UInt64(UInt8(ascii: "\\")))
                        let newline = word ^ (ones &* UInt64(UInt8(ascii: "\n")))
                        var found = (word &- ones) & ~word
                        found |= (quote &- ones) & ~quote
                        found |= (backslash &- ones) & ~backslash
                        found |= (newline &- ones) & ~newline
                        if found & highs != 0 { break }
                        index += 8
                    }
                }
                while index < count {
                    let byte = bytes[index]
                    if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "\n") || byte == 0 { break }
                    index += 1
                }
                position = index
            }
            guard position < count else { break }
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                token.valueEnd = position
                position += 1
                token.kind = .quoted
                return
            }
            if byte == UInt8(ascii: "\\") {
                switch peekByte(at: position + 1) {
                case UInt8(ascii: "\""):
                    token.hasEscapes = true
                    position += 2
                case UInt8(ascii: "\\"):
                    position += 2
                case UInt8(ascii: "\n"):
                    token.hasEscapes = true
                    position += 2
                    newLine()
                case UInt8(ascii: "\r") where peekByte(at: position + 2) == UInt8(ascii: "\n"):
                    token.hasEscapes = true
                    position += 3
                    newLine()
                default:
                    position += 1
                }
                continue
            }
            position += 1
            if byte == UInt8(ascii: "\n") {
                newLine()
            } else if byte == 0, !reportedNULInString {
                reportedNULInString = true
                report(
                    "found a NUL byte (0x00) inside a string; a DOT file is text and may not contain NUL bytes",
                    at: location(at: position - 1), fix: "remove the NUL byte")
            }
        }
        endedInsideConstruct = true
        token.kind = .invalid
        report(
            "unterminated string: the '\"' at \(startLocation.line):\(startLocation.column) has no closing '\"' before the end of the file",
            at: startLocation, fix: "close the string with '\"'; write \\\" for a quote inside it")
    }

    /// An HTML string: `<` ... `>` with nested `<...>` balanced; the value is what is between the outer brackets.
    private mutating func lexHTML(into token: inout DOTToken) {
        let startLocation = SourceLocation(fileNumber: fileNumber, line: token.line, column: token.column)
        position += 1
        let contentStart = position
        var depth = 1
        let count = bytes.count
        while position < count {
            let byte = bytes[position]
            position += 1
            if byte == UInt8(ascii: "<") {
                depth += 1
            } else if byte == UInt8(ascii: ">") {
                depth -= 1
                if depth == 0 {
                    token.kind = .html
                    token.valueStart = contentStart
                    token.valueEnd = position - 1
                    return
                }
            } else if byte == UInt8(ascii: "\n") {
                newLine()
            } else if byte == 0, !reportedNULInString {
                // Refused as in quoted strings: a NUL would cut the value short wherever it reaches
                // C (a tool command runs only up to it), so what runs would differ from what is read.
                reportedNULInString = true
                report(
                    "found a NUL byte (0x00) inside an HTML string; a DOT file is text and may not contain NUL bytes",
                    at: location(at: position - 1), fix: "remove the NUL byte")
            }
        }
        endedInsideConstruct = true
        token.kind = .invalid
        report(
            "unterminated HTML string: the '<' at \(startLocation.line):\(startLocation.column) has no matching '>' before the end of the file",
            at: startLocation, fix: "balance every '<' with a '>'; quote the value with \"...\" if it is not HTML")
    }

    private func keyword(start: Int, length: Int) -> DOTToken.Kind? {
        switch length {
        case 4:
            if matches("node", at: start) { return .keywordNode }
            if matches("edge", at: start) { return .keywordEdge }
        case 5:
            if matches("graph", at: start) { return .keywordGraph }
        case 6:
            if matches("strict", at: start) { return .keywordStrict }
        case 7:
            if matches("digraph", at: start) { return .keywordDigraph }
        case 8:
            if matches("subgraph", at: start) { return .keywordSubgraph }
        default:
            break
        }
        return nil
    }

    /// Whether the bytes at `start` spell the lowercase ASCII `word` in any case.
    private func matches(_ word: StaticString, at start: Int) -> Bool {
        word.withUTF8Buffer { letters in
            for (index, letter) in letters.enumerated() {
                let byte = bytes[start + index]
                // Setting bit 5 lowercases an ASCII letter; only letters can match the keywords' letters.
                guard Self.isLetter(byte), byte | 0x20 == letter else { return false }
            }
            return true
        }
    }

    // MARK: Values

    /// The value of an ID or keyword token as text: an identifier's or keyword's bytes, an HTML
    /// string's content, a quoted string's content with `\"` and line continuations resolved
    /// (every other backslash sequence is kept as written, as Graphviz does). Invalid UTF-8
    /// becomes U+FFFD.
    func text(of token: DOTToken) -> String {
        guard token.hasEscapes else {
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[token.valueStart..<token.valueEnd]), as: UTF8.self)
        }
        var unescaped: [UInt8] = []
        unescaped.reserveCapacity(token.valueEnd - token.valueStart)
        var index = token.valueStart
        while index < token.valueEnd {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "\\"), index + 1 < token.valueEnd else {
                unescaped.append(byte)
                index += 1
                continue
            }
            switch bytes[index + 1] {
            case UInt8(ascii: "\""):
                unescaped.append(UInt8(ascii: "\""))
                index += 2
            case UInt8(ascii: "\n"):
                index += 2
            case UInt8(ascii: "\r") where index + 2 < token.valueEnd && bytes[index + 2] == UInt8(ascii: "\n"):
                index += 3
            default:
                // `\\` and other pairs stay as written; taking both bytes keeps `\\"` from reading as `\"`.
                unescaped.append(byte)
                unescaped.append(bytes[index + 1])
                index += 2
            }
        }
        return String(decoding: unescaped, as: UTF8.self)
    }

    /// How a token reads in an error message: `'->'`, `'Start'`, `end of file`.
    func describe(_ token: DOTToken) -> String {
        switch token.kind {
        case .identifier: return "'\(Self.clipped(text(of: token)))'"
        case .quoted: return "string \"\(Self.clipped(text(of: token)))\""
        case .html: return "HTML string <\(Self.clipped(text(of: token)))>"
        case .keywordStrict, .keywordGraph, .keywordDigraph, .keywordNode, .keywordEdge, .keywordSubgraph:
            return "keyword '\(text(of: token))'"
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

    // MARK: Errors

    private mutating func reportInvalid(_ message: String, at token: DOTToken, fix: String?) {
        // A run of bad characters (`*/ */ */`, a block of NULs) is one mistake: report its start only.
        guard !previousWasInvalid else { return }
        previousWasInvalid = true
        report(message, at: SourceLocation(fileNumber: fileNumber, line: token.line, column: token.column), fix: fix)
    }

    private mutating func report(_ message: String, at location: SourceLocation, fix: String?) {
        diagnostics.append(Diagnostic(rule: "syntax", severity: .error, message: message, location: location, fix: fix))
    }

    // MARK: Bytes

    private func peekByte(at index: Int) -> UInt8 { index < bytes.count ? bytes[index] : 0xFF }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
    }

    private static func isIdentifierStart(_ byte: UInt8) -> Bool {
        isLetter(byte) || byte == UInt8(ascii: "_") || byte >= 0x80
    }

    /// Letters, digits, `_` and every byte of a non-ASCII scalar, tested with one bit mask per
    /// half of the ASCII range: this test runs for every byte of every identifier.
    private static func isIdentifierPart(_ byte: UInt8) -> Bool {
        let digits: UInt64 = 0x03FF_0000_0000_0000  // '0'...'9' in bytes 0-63
        let lettersAndUnderscore: UInt64 = 0x07FF_FFFE_87FF_FFFE  // 'A'...'Z', '_', 'a'...'z' in bytes 64-127
        if byte >= 0x80 { return true }
        let mask = byte < 64 ? digits : lettersAndUnderscore
        return (mask >> UInt64(byte & 63)) & 1 != 0
    }

    /// The number of UTF-8 continuation bytes (`10xxxxxx`) in `bytes[start..<end]`: the bytes
    /// that do not start a scalar. Counted eight bytes at a time, since every token needs it.
    private static func continuationBytes(in bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Int {
        let raw = UnsafeRawBufferPointer(bytes)
        var count = 0
        var index = start
        let highBits: UInt64 = 0x8080_8080_8080_8080
        while index + 8 <= end {
            let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            // A continuation byte has bit 7 set and bit 6 clear.
            count += (word & highBits & ~(word << 1)).nonzeroBitCount
            index += 8
        }
        while index < end {
            if raw[index] & 0xC0 == 0x80 { count += 1 }
            index += 1
        }
        return count
    }

    /// Whether every byte is ASCII (checked eight bytes at a time).
    private static func isAllASCII(in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let raw = UnsafeRawBufferPointer(bytes)
        let count = raw.count
        var index = 0
        var accumulated: UInt64 = 0
        // Four words per step: the test is a pass over the whole input before lexing starts.
        while index + 32 <= count {
            accumulated |= raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                | raw.loadUnaligned(fromByteOffset: index + 8, as: UInt64.self)
                | raw.loadUnaligned(fromByteOffset: index + 16, as: UInt64.self)
                | raw.loadUnaligned(fromByteOffset: index + 24, as: UInt64.self)
            index += 32
        }
        while index + 8 <= count {
            accumulated |= raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            index += 8
        }
        while index < count {
            accumulated |= UInt64(raw[index])
            index += 1
        }
        return accumulated & 0x8080_8080_8080_8080 == 0
    }

    private static func scalarLength(_ lead: UInt8) -> Int {
        if lead < 0xC0 { return 1 }
        if lead < 0xE0 { return 2 }
        if lead < 0xF0 { return 3 }
        return 4
    }
}
