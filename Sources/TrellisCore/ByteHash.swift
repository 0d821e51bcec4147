#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A fast seeded 64-bit hash of bytes, for the tables Trellis looks keys up in on every turn
/// (the DOT parser's `ByteKeyTable`, the run context's keys).
///
/// A multiply-and-shift mix taking eight bytes at a time: a key of 20 bytes hashes in a few
/// nanoseconds, where `Hasher` (SipHash-1-3) takes about 20 ns for its set-up, the bytes and
/// its finalization. It is no cryptographic hash: the seed, random per process, keeps a set
/// of keys crafted to collide in one process from colliding in the next, no more.
public enum ByteHash {
    /// This process's seed: random, or fixed when `SWIFT_DETERMINISTIC_HASHING` is set (as for
    /// Swift's own `Hasher`), so that a run can be repeated exactly (the test run's fuzz check
    /// does).
    public static let processSeed: UInt64 =
        getenv("SWIFT_DETERMINISTIC_HASHING") != nil ? 0x9E37_79B9_7F4A_7C15 : .random(in: .min ... .max)

    /// The hash of `bytes` under `seed`; every bit of the result depends on every byte.
    @inlinable
    public static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt64) -> UInt64 {
        let multiplier: UInt64 = 0x9E37_79B9_7F4A_7C15
        var hash = seed ^ (UInt64(bytes.count) &* multiplier)
        var offset = 0
        let count = bytes.count
        while offset + 8 <= count {
            let word = bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            hash = (hash ^ word) &* multiplier
            hash ^= hash >> 29
            offset += 8
        }
        if offset < count {
            // The last bytes: one word ending at the end of the key (overlapping bytes already
            // mixed, which is harmless), or for keys under eight bytes, two overlapping halves.
            let word: UInt64
            if count >= 8 {
                word = bytes.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
            } else if count >= 4 {
                let low = UInt64(bytes.loadUnaligned(fromByteOffset: 0, as: UInt32.self))
                let high = UInt64(bytes.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self))
                word = low | high << 32
            } else {
                word = UInt64(bytes[0]) | UInt64(bytes[count >> 1]) << 8 | UInt64(bytes[count - 1]) << 16
            }
            hash = (hash ^ word) &* multiplier
        }
        hash ^= hash >> 32
        hash = hash &* 0xD6E8_FEB8_6659_FD93
        hash ^= hash >> 32
        return hash
    }

    /// The hash of `text`'s UTF-8 bytes under `seed`, read where the string keeps them.
    @inlinable
    public static func hash(_ text: String, seed: UInt64) -> UInt64 {
        if let hash = text.utf8.withContiguousStorageIfAvailable({ hash(UnsafeRawBufferPointer($0), seed: seed) }) {
            return hash
        }
        // A bridged or otherwise foreign string: copy it once.
        var copy = text
        return copy.withUTF8 { hash(UnsafeRawBufferPointer($0), seed: seed) }
    }
}
