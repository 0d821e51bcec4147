#if canImport(Glibc)
import Glibc
#endif

/// JSON text being written, as bytes: the value writer and the hot hand-written encoders (the
/// store's node timings) write through it and make one `String` at the end.
///
/// Appending to a `String` piece by piece costs a uniqueness and capacity check, and an
/// update of the string's count and flags, per piece: a turn's node timings (seven small
/// objects) took 2.3 µs that way against 0.4 µs written as bytes. The quoting rules live here
/// (`appendQuoted`), so every JSON writer in Trellis escapes alike.
///
/// Noncopyable: it owns its buffer, freed when it goes away.
public struct JSONBuffer: ~Copyable {
    private var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    /// How many bytes are written.
    public private(set) var count = 0

    /// An empty buffer with room for `capacity` bytes before it grows.
    public init(capacity: Int = 128) {
        self.capacity = max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// The text written so far.
    public var text: String {
        guard count > 0 else { return "" }
        return String(unsafeUninitializedCapacity: count) { buffer in
            // Sound: `buffer` has room for `count` (> 0) bytes, and the first `count` of `base` are written.
            buffer.baseAddress!.update(from: base, count: count)
            return count
        }
    }

    /// Makes room for `extra` more bytes.
    @inline(__always)
    private mutating func reserve(_ extra: Int) {
        if count + extra > capacity { grow(to: count + extra) }
    }

    private mutating func grow(to needed: Int) {
        let larger = max(needed, capacity * 2)
        let moved = UnsafeMutablePointer<UInt8>.allocate(capacity: larger)
        moved.update(from: base, count: count)
        base.deallocate()
        base = moved
        capacity = larger
    }

    /// Appends one byte (an ASCII character of JSON's syntax).
    @inline(__always)
    public mutating func append(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count += 1
    }

    /// Appends `text` as it is (JSON syntax, or text already escaped).
    public mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { append(bytes: $0) }
    }

    /// Appends `text`'s UTF-8 as it is, unquoted.
    public mutating func append(raw text: String) {
        var text = text
        text.withUTF8 { append(bytes: $0) }
    }

    private mutating func append(bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        reserve(bytes.count)
        (base + count).update(from: source, count: bytes.count)
        count += bytes.count
    }

    /// Appends `number` in decimal.
    public mutating func append(integer number: Int) {
        // The longest Int is 20 characters with its sign.
        reserve(20)
        var magnitude = number.magnitude
        if number < 0 { base[count] = UInt8(ascii: "-"); count += 1 }
        var digits = 1
        var rest = magnitude / 10
        while rest > 0 { digits += 1; rest /= 10 }
        var index = count + digits - 1
        repeat {
            base[index] = UInt8(ascii: "0") + UInt8(magnitude % 10)
            magnitude /= 10
            index -= 1
        } while magnitude > 0
        count += digits
    }

    /// Appends `text` as a quoted JSON string: `"` and `\` escaped, the usual short escapes for
    /// newline, carriage return and tab, other control characters as `\u00XX`; everything else
    /// (including non-ASCII) as is, since JSON text is UTF-8. (No byte of a multi-byte UTF-8
    /// sequence is below 0x80, so escaping byte by byte escapes exactly those characters.)
    public mutating func appendQuoted(_ text: String) {
        var text = text
        text.withUTF8 { utf8 in
            // Each byte takes at most six (`\u00XX`), plus the quotes.
            reserve(utf8.count * 6 + 2)
            base[count] = UInt8(ascii: "\"")
            count += 1
            guard let source = utf8.baseAddress else {
                base[count] = UInt8(ascii: "\"")
                count += 1
                return
            }
            // Most text needs no escape: copy each run up to the next byte that does in one go
            // (byte by byte, quoting was a quarter of writing a small map).
            var index = 0
            while index < utf8.count {
                var end = index
                while end < utf8.count, !Self.needsEscape(source[end]) { end += 1 }
                if end > index {
                    (base + count).update(from: source + index, count: end - index)
                    count += end - index
                }
                guard end < utf8.count else { break }
                let byte = source[end]
                index = end + 1
                switch byte {
                case UInt8(ascii: "\""): writeEscape(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): writeEscape(UInt8(ascii: "\\"))
                case UInt8(ascii: "\n"): writeEscape(UInt8(ascii: "n"))
                case UInt8(ascii: "\r"): writeEscape(UInt8(ascii: "r"))
                case UInt8(ascii: "\t"): writeEscape(UInt8(ascii: "t"))
                default:  // another control character: `needsEscape` lets nothing else through
                    writeEscape(UInt8(ascii: "u"))
                    base[count] = UInt8(ascii: "0")
                    base[count + 1] = UInt8(ascii: "0")
                    base[count + 2] = Self.hexDigit(byte >> 4)
                    base[count + 3] = Self.hexDigit(byte & 0xF)
                    count += 4
                }
            }
            base[count] = UInt8(ascii: "\"")
            count += 1
        }
    }

    /// Whether `byte` is written escaped inside a quoted string.
    @inline(__always)
    public static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    /// Writes `\` and `character`; room was reserved by the caller.
    @inline(__always)
    private mutating func writeEscape(_ character: UInt8) {
        base[count] = UInt8(ascii: "\\")
        base[count + 1] = character
        count += 2
    }

    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
    }
}
