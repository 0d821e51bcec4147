import Foundation

/// What a SQLite write-ahead log holds, read with SQLite's own file format rules before
/// SQLite opens the database.
///
/// Why: SQLite's recovery keeps only the frames up to the first whose checksum fails and
/// silently forgets the rest, and the next checkpoint makes the loss permanent. A frame
/// damaged in place (a bad disk, a stray write) therefore drops every transaction committed
/// after it — acknowledged turns included — without a word. This reads the log first and
/// reports such damage, so the store refuses to open instead of losing turns.
///
/// Format (https://sqlite.org/fileformat.html#the_write_ahead_log): a 32-byte header
/// (magic, version, page size, checkpoint sequence, two salts, two checksum words), then
/// frames of a 24-byte header (page number, database size after commit — non-zero only on a
/// commit frame —, the two salts, two checksum words) followed by one page. Checksums are
/// cumulative over the header and every frame before, in little-endian words when the magic
/// is 0x377f0682 and big-endian when it is 0x377f0683.
struct WALInspection: Equatable {
    /// Frames SQLite's recovery keeps (the valid prefix of the current log generation).
    var validFrames: Int
    /// The 1-based number of the first frame of the current generation that fails its
    /// checksum, or `nil` when every such frame is intact.
    var firstDamagedFrame: Int?
    /// Commit frames of the current generation at or after the damaged one: the transactions
    /// SQLite would drop.
    var droppedCommits: Int

    /// Whether SQLite would silently drop committed transactions.
    var losesCommits: Bool { droppedCommits > 0 }

    /// Inspects the log beside `databasePath` (`<path>-wal`); `nil` when there is none or it is
    /// empty or shorter than its header (SQLite ignores such a log, and so loses nothing).
    static func inspect(databasePath: String) throws -> WALInspection? {
        let url = URL(fileURLWithPath: databasePath + "-wal")
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let bytes = [UInt8](try Data(contentsOf: url))
        return inspect(bytes)
    }

    /// Inspects the bytes of a log.
    static func inspect(_ bytes: [UInt8]) -> WALInspection? {
        guard bytes.count >= 32 else { return nil }
        let magic = bigEndian(bytes, 0)
        guard magic == 0x377f_0682 || magic == 0x377f_0683 else { return nil }
        let bigEndianChecksums = magic == 0x377f_0683
        let pageSize = Int(bigEndian(bytes, 8))
        guard pageSize >= 512, pageSize <= 65_536, pageSize & (pageSize - 1) == 0 else { return nil }
        let salts = (bigEndian(bytes, 16), bigEndian(bytes, 20))
        var sums = checksum(bytes, 0..<24, seed: (0, 0), bigEndian: bigEndianChecksums)
        // A header that fails its own checksum makes SQLite ignore the whole log.
        guard sums == (bigEndian(bytes, 24), bigEndian(bytes, 28)) else { return nil }

        let frameSize = 24 + pageSize
        let frameCount = (bytes.count - 32) / frameSize
        var result = WALInspection(validFrames: 0, firstDamagedFrame: nil, droppedCommits: 0)
        for frame in 0..<frameCount {
            let start = 32 + frame * frameSize
            let frameSalts = (bigEndian(bytes, start + 8), bigEndian(bytes, start + 12))
            // A frame with other salts belongs to an earlier generation of the log (SQLite
            // reuses the file after a checkpoint): not part of what recovery reads.
            guard frameSalts == salts else {
                if result.firstDamagedFrame == nil { break }
                continue
            }
            let isCommit = bigEndian(bytes, start + 4) != 0
            if result.firstDamagedFrame != nil {
                if isCommit { result.droppedCommits += 1 }
                continue
            }
            sums = checksum(bytes, start..<(start + 8), seed: sums, bigEndian: bigEndianChecksums)
            sums = checksum(bytes, (start + 24)..<(start + frameSize), seed: sums, bigEndian: bigEndianChecksums)
            if sums == (bigEndian(bytes, start + 16), bigEndian(bytes, start + 20)) {
                result.validFrames = frame + 1
            } else {
                result.firstDamagedFrame = frame + 1
                if isCommit { result.droppedCommits += 1 }
            }
        }
        return result
    }

    private static func bigEndian(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
    }

    private static func littleEndian(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        UInt32(bytes[offset + 3]) << 24 | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset])
    }

    /// SQLite's WAL checksum over `range` (a multiple of 8 bytes), continuing from `seed`.
    private static func checksum(
        _ bytes: [UInt8], _ range: Range<Int>, seed: (UInt32, UInt32), bigEndian: Bool
    ) -> (UInt32, UInt32) {
        var (first, second) = seed
        var offset = range.lowerBound
        while offset < range.upperBound {
            let x0 = bigEndian ? Self.bigEndian(bytes, offset) : littleEndian(bytes, offset)
            let x1 = bigEndian ? Self.bigEndian(bytes, offset + 4) : littleEndian(bytes, offset + 4)
            first = first &+ x0 &+ second
            second = second &+ x1 &+ first
            offset += 8
        }
        return (first, second)
    }
}
