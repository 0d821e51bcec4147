internal import TrellisCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A hash set of byte strings that numbers its keys in insertion order (0, 1, 2, ...).
///
/// The parser looks up every node ID and attribute name it reads. Keyed by the bytes as they
/// sit in the source, a lookup needs no `String` (so no UTF-8 validation and no allocation)
/// and hashes with `ByteHash` instead of SipHash. Keys are copied into one byte
/// arena; slots hold a 32-bit hash and the key number, so probing touches a single small array.
///
/// The hash is seeded per process (`ByteHash.processSeed`), so a file crafted to collide in one
/// run does not collide in the next.
struct ByteKeyTable: Sendable {
    private struct Slot {
        var hash: UInt32
        /// The key number, or -1 for an empty slot.
        var key: Int32
    }

    private static let empty = Slot(hash: 0, key: -1)

    private var slots: [Slot]
    private var mask: Int
    private let seed: UInt64
    /// All keys back to back; key `n` is `arena[keyStarts[n]..<keyStarts[n + 1]]`.
    private var arena: [UInt8] = []
    private var keyStarts: [Int] = [0]

    /// Creates an empty table with room for about `capacity` keys before it grows.
    init(capacity: Int = 8) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [Slot](repeating: Self.empty, count: size)
        mask = size - 1
        seed = ByteHash.processSeed
    }

    /// The number of keys.
    var count: Int { keyStarts.count - 1 }

    /// The number of `key`, or `nil` when it is not in the table.
    func find(_ key: UnsafeRawBufferPointer) -> Int? {
        probe(key, hash: hash(of: key)).number
    }

    /// The number of `key`, adding it with the next number when it is new.
    mutating func findOrInsert(_ key: UnsafeRawBufferPointer) -> (number: Int, inserted: Bool) {
        let hash = hash(of: key)
        let (slot, found) = probe(key, hash: hash)
        if let found { return (found, false) }
        let number = count
        slots[slot] = Slot(hash: UInt32(truncatingIfNeeded: hash), key: Int32(number))
        arena.append(contentsOf: key)
        keyStarts.append(arena.count)
        // Half full at most keeps probe runs short.
        if count * 2 > slots.count { grow() }
        return (number, true)
    }

    /// Where `key` is: its number when present, and the slot that holds it or that it would take.
    private func probe(_ key: UnsafeRawBufferPointer, hash: UInt64) -> (slot: Int, number: Int?) {
        let shortHash = UInt32(truncatingIfNeeded: hash)
        return slots.withUnsafeBufferPointer { slots in
            var index = Int(truncatingIfNeeded: hash) & mask
            while true {
                let slot = slots[index]
                if slot.key < 0 { return (index, nil) }
                if slot.hash == shortHash, keyEquals(Int(slot.key), key) { return (index, Int(slot.key)) }
                index = (index + 1) & mask
            }
        }
    }

    /// `find` for a `String` key.
    func find(_ key: String) -> Int? {
        var key = key
        return key.withUTF8 { find(UnsafeRawBufferPointer($0)) }
    }

    /// `findOrInsert` for a `String` key.
    mutating func findOrInsert(_ key: String) -> (number: Int, inserted: Bool) {
        var key = key
        return key.withUTF8 { findOrInsert(UnsafeRawBufferPointer($0)) }
    }

    private func keyEquals(_ number: Int, _ key: UnsafeRawBufferPointer) -> Bool {
        let start = keyStarts[number]
        let length = keyStarts[number + 1] - start
        guard length == key.count else { return false }
        guard length > 0 else { return true }
        return arena.withUnsafeBytes { stored in
            // Word by word, the last word overlapping: keys are mostly short ids and names.
            let storedKey = stored.baseAddress! + start
            let other = key.baseAddress!
            guard length >= 8 else { return memcmp(storedKey, other, length) == 0 }
            var offset = 0
            while offset + 8 <= length {
                let mine = storedKey.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                guard mine == other.loadUnaligned(fromByteOffset: offset, as: UInt64.self) else { return false }
                offset += 8
            }
            return offset == length
                || storedKey.loadUnaligned(fromByteOffset: length - 8, as: UInt64.self)
                    == other.loadUnaligned(fromByteOffset: length - 8, as: UInt64.self)
        }
    }

    private mutating func grow() {
        let size = slots.count * 2
        var grown = [Slot](repeating: Self.empty, count: size)
        let newMask = size - 1
        for slot in slots where slot.key >= 0 {
            var index = Int(slot.hash) & newMask
            while grown[index].key >= 0 { index = (index + 1) & newMask }
            grown[index] = slot
        }
        slots = grown
        mask = newMask
    }

    /// `ByteHash` of the key under this process's seed; only its low 32 bits are kept in slots.
    private func hash(of key: UnsafeRawBufferPointer) -> UInt64 {
        ByteHash.hash(key, seed: seed)
    }
}
