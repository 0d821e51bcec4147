/// The strict JSON reader (RFC 8259) behind `ContextValue(jsonText:)`, with errors that say
/// at which byte the text stops being JSON.
///
/// Strict because its input comes from outside (plugins, LLM answers, status files, stored
/// sessions): no trailing commas, comments, single quotes, leading zeros, `NaN` or content
/// after the value. Nesting is limited to `maximumDepth` so that a hostile document cannot
/// overflow the stack of the (recursive) reader.
///
/// For files people write (the configuration), the reader can also note where each member
/// and item starts, by path (`llm.model`, `tools[2].command`), and which keys an object
/// repeats, so that an error can name the line and column of what it is about.
public struct JSONReader {
    private let bytes: [UInt8]
    private var position = 0
    private var depth = 0
    private let maximumDepth: Int
    private let recordsLocations: Bool
    private var path: [String] = []
    /// The members of the objects being read, innermost last: an object's members are
    /// collected here and its map made once, at its exact size. Inserted one by one, a map of
    /// a few members was resized (and every key hashed again) two or three times.
    private var members: [(key: String, value: ContextValue)] = []

    /// Where each member's key (or each item's value) starts, as a 0-based byte offset, by
    /// path; filled only when the reader was made with `recordingLocations`.
    public private(set) var locations: [String: Int] = [:]
    /// Keys an object repeats (JSON keeps the last; a person meant one), with the offset of the repeat.
    public private(set) var repeatedKeys: [(path: String, offset: Int)] = []

    /// A reader over the UTF-8 of `text` that refuses arrays and objects nested deeper than
    /// `maximumDepth`, noting locations when `recordingLocations` is true.
    public init(_ text: String, maximumDepth: Int = ContextValue.defaultMaximumJSONDepth, recordingLocations: Bool = false) {
        bytes = Array(text.utf8)
        self.maximumDepth = maximumDepth
        recordsLocations = recordingLocations
    }


    /// Reads one value and requires that only whitespace follows it.
    public mutating func readDocument() throws(ContextValueJSONError) -> ContextValue {
        let value = try readValue()
        skipWhitespace()
        guard position == bytes.count else { throw failure("unexpected content after the JSON value") }
        return value
    }

    private func failure(_ reason: String) -> ContextValueJSONError {
        ContextValueJSONError(reason: "\(reason) at byte \(position + 1)", offset: position)
    }

    /// Notes where the value at the current path starts.
    private mutating func note(_ component: String, at offset: Int) {
        path.append(component)
        let key = path.joined()
        if locations[key] != nil, !component.hasPrefix("[") { repeatedKeys.append((key, offset)) }
        locations[key] = offset
    }

    private var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    private mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { position += 1 }
    }

    private mutating func expect(_ byte: UInt8, _ what: String) throws(ContextValueJSONError) {
        skipWhitespace()
        guard current == byte else { throw failure("expected \(what)") }
        position += 1
    }

    private mutating func readValue() throws(ContextValueJSONError) -> ContextValue {
        skipWhitespace()
        guard let byte = current else { throw failure("unexpected end of JSON") }
        switch byte {
        case UInt8(ascii: "{"): return try readObject()
        case UInt8(ascii: "["): return try readArray()
        case UInt8(ascii: "\""): return .string(try readString())
        case UInt8(ascii: "t"): try readWord("true"); return .boolean(true)
        case UInt8(ascii: "f"): try readWord("false"); return .boolean(false)
        case UInt8(ascii: "n"): try readWord("null"); return .null
        default: return try readNumber()
        }
    }

    private mutating func readWord(_ word: StaticString) throws(ContextValueJSONError) {
        let count = word.utf8CodeUnitCount
        let matches = position + count <= bytes.count && word.withUTF8Buffer { expected in
            expected.elementsEqual(bytes[position..<position + count])
        }
        guard matches else { throw failure("expected '\(word)'") }
        position += count
    }

    private mutating func nest() throws(ContextValueJSONError) {
        depth += 1
        guard depth <= maximumDepth else { throw failure("JSON nested deeper than \(maximumDepth) levels") }
    }

    private mutating func readObject() throws(ContextValueJSONError) -> ContextValue {
        try nest()
        defer { depth -= 1 }
        position += 1
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            position += 1
            return .map([:])
        }
        let first = members.count
        if members.capacity == 0 { members.reserveCapacity(16) }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else { throw failure("expected a string key") }
            let keyOffset = position
            let key = try readString()
            try expect(UInt8(ascii: ":"), "':'")
            if recordsLocations { note(path.isEmpty ? key : "." + key, at: keyOffset) }
            let value = try readValue()
            members.append((key, value))
            if recordsLocations { path.removeLast() }
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "}"): position += 1; return .map(takeMembers(from: first))
            case nil: throw failure("unterminated object")
            default: throw failure("expected ',' or '}'")
            }
        }
    }

    /// The map of the members collected since `first` (a repeated key keeps its last value,
    /// as JSON readers do), removed from `members`.
    private mutating func takeMembers(from first: Int) -> [String: ContextValue] {
        var entries = [String: ContextValue].empty(roomFor: members.count - first)
        for index in first..<members.count { entries[members[index].key] = members[index].value }
        members.removeLast(members.count - first)
        return entries
    }

    private mutating func readArray() throws(ContextValueJSONError) -> ContextValue {
        try nest()
        defer { depth -= 1 }
        position += 1
        var items: [ContextValue] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            position += 1
            return .list(items)
        }
        while true {
            if recordsLocations {
                skipWhitespace()
                note("[\(items.count)]", at: position)
            }
            items.append(try readValue())
            if recordsLocations { path.removeLast() }
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "]"): position += 1; return .list(items)
            case nil: throw failure("unterminated array")
            default: throw failure("expected ',' or ']'")
            }
        }
    }

    /// Reads a string literal; invalid UTF-8 inside it is repaired with replacement characters.
    private mutating func readString() throws(ContextValueJSONError) -> String {
        position += 1
        let start = position
        // The common case has no escapes: decode the bytes in place, without a buffer.
        while let byte = current, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\"), byte >= 0x20 { position += 1 }
        if current == UInt8(ascii: "\"") {
            position += 1
            return decodedString(start..<position - 1)
        }
        var utf8 = Array(bytes[start..<position])
        while let byte = current {
            position += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(decoding: utf8, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard let escape = current else { throw failure("unterminated escape in string") }
                position += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(escape)
                case UInt8(ascii: "b"): utf8.append(0x08)
                case UInt8(ascii: "f"): utf8.append(0x0C)
                case UInt8(ascii: "n"): utf8.append(0x0A)
                case UInt8(ascii: "r"): utf8.append(0x0D)
                case UInt8(ascii: "t"): utf8.append(0x09)
                case UInt8(ascii: "u"): utf8.append(contentsOf: String(try readEscapedScalar()).utf8)
                default: position -= 1; throw failure("invalid escape in string")
                }
            case 0..<0x20:
                position -= 1
                throw failure("control character in string")
            default:
                utf8.append(byte)
            }
        }
        throw failure("unterminated string")
    }

    /// The bytes in `range` as a string (invalid UTF-8 repaired), read in place: through an
    /// array slice, each string cost a retain and a release of the whole text's buffer.
    private func decodedString(_ range: Range<Int>) -> String {
        bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[range]), as: UTF8.self) }
    }

    /// Reads the hex digits after `\u`, joining a surrogate pair into one scalar; a lone
    /// surrogate is an error rather than a replacement character, so bad input is noticed.
    private mutating func readEscapedScalar() throws(ContextValueJSONError) -> Unicode.Scalar {
        var code = try readHex4()
        if (0xDC00..<0xE000).contains(code) { throw failure("unpaired low surrogate in string") }
        if (0xD800..<0xDC00).contains(code) {
            guard current == UInt8(ascii: "\\"), position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "u") else {
                throw failure("unpaired surrogate in string")
            }
            position += 2
            let low = try readHex4()
            guard (0xDC00..<0xE000).contains(low) else { throw failure("invalid low surrogate") }
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
        }
        guard let scalar = Unicode.Scalar(code) else { throw failure("invalid \\u escape") }
        return scalar
    }

    private mutating func readHex4() throws(ContextValueJSONError) -> UInt32 {
        guard position + 4 <= bytes.count else { throw failure("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw failure("invalid hex digit in \\u escape")
            }
            position += 1
            value = value * 16 + digit
        }
        return value
    }

    /// Reads a number in RFC 8259's grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    /// Whole numbers that fit an `Int` become `.integer`, everything else `.double`; a number too
    /// large for a `Double` is refused.
    private mutating func readNumber() throws(ContextValueJSONError) -> ContextValue {
        let start = position
        if current == UInt8(ascii: "-") { position += 1 }
        switch current {
        case UInt8(ascii: "0"):
            position += 1
            if let next = current, isDigit(next) { throw failure("leading zero in number") }
        case let byte? where isDigit(byte):
            skipDigits()
        default:
            throw failure(position == start ? "expected a JSON value" : "expected a digit")
        }
        var isWhole = true
        if current == UInt8(ascii: ".") {
            isWhole = false
            position += 1
            guard let byte = current, isDigit(byte) else { throw failure("expected a digit after '.'") }
            skipDigits()
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            isWhole = false
            position += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
            guard let byte = current, isDigit(byte) else { throw failure("expected a digit in exponent") }
            skipDigits()
        }
        // Up to 18 digits fit an Int whatever they are: read them without making a string.
        let digits = position - start - (bytes[start] == UInt8(ascii: "-") ? 1 : 0)
        if isWhole && digits <= 18 {
            var whole = 0
            for index in (position - digits)..<position { whole = whole &* 10 &+ Int(bytes[index] &- UInt8(ascii: "0")) }
            return .integer(bytes[start] == UInt8(ascii: "-") ? -whole : whole)
        }
        let text = decodedString(start..<position)
        if isWhole, let whole = Int(text) { return .integer(whole) }
        guard let number = Double(text) else { throw failure("invalid number '\(text)'") }
        // Beyond ±1.8e308 a Double is infinite, which JSON cannot spell: the value would be
        // written back as null. Refused at the number's first byte (found by fuzzing).
        guard number.isFinite else {
            position = start
            throw failure("number out of range (a 64-bit float reaches ±1.8e308)")
        }
        return .double(number)
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private mutating func skipDigits() {
        while let byte = current, isDigit(byte) { position += 1 }
    }
}
