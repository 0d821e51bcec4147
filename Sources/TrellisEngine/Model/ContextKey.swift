#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A run context's key in the context's table: its text, hashed with `ByteHash` rather than
/// `Hasher`.
///
/// A session turn looks up, sets and checks well over a hundred context keys, and hashing a
/// `String` (SipHash-1-3, with its set-up and finalization for every key) was about a sixth of
/// the turn's samples. The table is private to `Context`, so the key's type changes nothing for
/// handlers, which read and write by `String`.
///
/// Two keys are the same key when their UTF-8 bytes are, as for a C plugin's keys and JSON's.
/// `String`'s own `==` goes by canonical equivalence (`"\u{212A}"`, the Kelvin sign, equals
/// `"K"`), which a hash of the bytes could not agree with.
struct ContextKey: Hashable, Sendable {
    /// The key as handlers name it.
    let text: String

    init(_ text: String) { self.text = text }

    static func == (lhs: ContextKey, rhs: ContextKey) -> Bool {
        // Two strings whose two words are the same have the same bytes: the same small string,
        // or the same storage, as when a key is written and read with one literal (most are).
        // Reading a `String`'s words is sound where it is two words (64-bit platforms).
        if MemoryLayout<String>.size == 16,
           unsafeBitCast(lhs.text, to: (UInt64, UInt64).self) == unsafeBitCast(rhs.text, to: (UInt64, UInt64).self) {
            return true
        }
        let equal = lhs.text.utf8.withContiguousStorageIfAvailable { left in
            rhs.text.utf8.withContiguousStorageIfAvailable { right in
                left.count == right.count && (left.isEmpty || memcmp(left.baseAddress!, right.baseAddress!, left.count) == 0)
            }
        }
        // Strings without contiguous UTF-8 (bridged ones) compare byte by byte.
        return (equal ?? nil) ?? lhs.text.utf8.elementsEqual(rhs.text.utf8)
    }

    func hash(into hasher: inout Hasher) { hasher.combine(_rawHashValue(seed: 0)) }

    /// What `Dictionary` asks for: `ByteHash` of the key's bytes under the table's seed and the
    /// process's, never a `Hasher`.
    func _rawHashValue(seed: Int) -> Int {
        Int(truncatingIfNeeded: ByteHash.hash(text, seed: UInt64(UInt(bitPattern: seed)) ^ ByteHash.processSeed))
    }
}
