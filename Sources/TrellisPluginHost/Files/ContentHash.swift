/// A 128-bit content hash for naming staged copies: two independent 64-bit multiply-mix
/// lanes over 8-byte words, plus the length. Not cryptographic: it only has to tell builds
/// of a plugin apart, and the staging directory is private to the user.
enum ContentHash {
    /// 32 lowercase hex digits.
    static func hex(of bytes: [UInt8]) -> String {
        var first: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
        var second: UInt64 = 0xC2B2_AE3D_27D4_EB4F &+ UInt64(bytes.count)
        bytes.withUnsafeBytes { raw in
            let words = raw.count / 8
            for index in 0..<words {
                let word = raw.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self)
                first = mix(first ^ word, 0xFF51_AFD7_ED55_8CCD)
                second = mix(second &+ word, 0xC4CE_B9FE_1A85_EC53)
            }
            var tail: UInt64 = 0
            for index in (words * 8)..<raw.count { tail = tail << 8 | UInt64(raw[index]) }
            first = mix(first ^ tail, 0xFF51_AFD7_ED55_8CCD)
            second = mix(second &+ tail, 0xC4CE_B9FE_1A85_EC53)
        }
        return hex64(mix(first ^ (second >> 29), 0x94D0_49BB_1331_11EB)) + hex64(mix(second ^ (first >> 31), 0xBF58_476D_1CE4_E5B9))
    }

    @inline(__always)
    private static func mix(_ value: UInt64, _ multiplier: UInt64) -> UInt64 {
        var x = value &* multiplier
        x ^= x >> 33
        x = (x << 31 | x >> 33) &* 0x87C3_7B91_1142_53D5
        return x ^ (x >> 29)
    }

    private static func hex64(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
