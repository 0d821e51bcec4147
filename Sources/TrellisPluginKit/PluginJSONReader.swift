/// A strict JSON (RFC 8259) reader producing `PluginValue`s. The SDK carries its own
/// because a plugin links neither Foundation's JSON nor the host's modules.
struct PluginJSONReader {
    private let bytes: [UInt8]
    private var position = 0
    private var depth = 0
    /// Deeper documents are refused rather than risking the stack of a host thread.
    private static let maximumDepth = 256

    init(_ text: String) { bytes = Array(text.utf8) }

    /// Reads one value and requires that only whitespace follows it.
    mutating func readDocument() throws(PluginValueJSONError) -> PluginValue {
        let value = try readValue()
        skipWhitespace()
        guard position == bytes.count else { throw failure("unexpected content after the JSON value") }
        return value
    }

    private func failure(_ reason: String) -> PluginValueJSONError {
        PluginValueJSONError(reason: "\(reason) at byte \(position + 1)")
    }

    private var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    private mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { position += 1 }
    }

    private mutating func expect(_ byte: UInt8, _ what: String) throws(PluginValueJSONError) {
        skipWhitespace()
        guard current == byte else { throw failure("expected \(what)") }
        position += 1
    }

    private mutating func readValue() throws(PluginValueJSONError) -> PluginValue {
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

    private mutating func readWord(_ word: StaticString) throws(PluginValueJSONError) {
        let count = word.utf8CodeUnitCount
        let matches = position + count <= bytes.count && word.withUTF8Buffer { expected in
            expected.elementsEqual(bytes[position..<position + count])
        }
        guard matches else { throw failure("expected '\(word)'") }
        position += count
    }

    private mutating func nest() throws(PluginValueJSONError) {
        depth += 1
        guard depth <= Self.maximumDepth else { throw failure("JSON nested deeper than \(Self.maximumDepth) levels") }
    }

    private mutating func readObject() throws(PluginValueJSONError) -> PluginValue {
        try nest()
        defer { depth -= 1 }
        position += 1
        var entries: [String: PluginValue] = [:]
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            position += 1
            return .map(entries)
        }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else { throw failure("expected a string key") }
            let key = try readString()
            try expect(UInt8(ascii: ":"), "':'")
            entries[key] = try readValue()
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "}"): position += 1; return .map(entries)
            case nil: throw failure("unterminated object")
            default: throw failure("expected ',' or '}'")
            }
        }
    }

    private mutating func readArray() throws(PluginValueJSONError) -> PluginValue {
        try nest()
        defer { depth -= 1 }
        position += 1
        var items: [PluginValue] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            position += 1
            return .list(items)
        }
        while true {
            items.append(try readValue())
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "]"): position += 1; return .list(items)
            case nil: throw failure("unterminated array")
            default: throw failure("expected ',' or ']'")
            }
        }
    }

    private mutating func readString() throws(PluginValueJSONError) -> String {
        position += 1
        var utf8: [UInt8] = []
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
                default: throw failure("invalid escape in string")
                }
            case 0..<0x20:
                throw failure("control character in string")
            default:
                utf8.append(byte)
            }
        }
        throw failure("unterminated string")
    }

    /// Reads the hex digits after `\u`, joining a surrogate pair into one scalar.
    private mutating func readEscapedScalar() throws(PluginValueJSONError) -> Unicode.Scalar {
        var code = try readHex4()
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

    private mutating func readHex4() throws(PluginValueJSONError) -> UInt32 {
        guard position + 4 <= bytes.count else { throw failure("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            position += 1
            guard let digit = UInt32(String(UnicodeScalar(byte)), radix: 16) else {
                throw failure("invalid hex digit in \\u escape")
            }
            value = value * 16 + digit
        }
        return value
    }

    private mutating func readNumber() throws(PluginValueJSONError) -> PluginValue {
        let start = position
        var isWhole = true
        if current == UInt8(ascii: "-") { position += 1 }
        while let byte = current {
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                position += 1
            } else if byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
                || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") {
                isWhole = false
                position += 1
            } else {
                break
            }
        }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        guard !text.isEmpty, text != "-" else { throw failure("expected a JSON value") }
        if isWhole, let whole = Int(text) { return .integer(whole) }
        guard let number = Double(text) else { throw failure("invalid number '\(text)'") }
        return .double(number)
    }
}
