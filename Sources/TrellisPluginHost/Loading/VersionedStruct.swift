/// Reading a struct the other side of the ABI filled: it may have been built against an older
/// minor (smaller) or a newer one (larger), so only the bytes both sides know are copied and
/// fields the plugin does not know stay zero.
enum VersionedStruct {
    /// The common header: size, ABI major, ABI minor.
    static func header(_ raw: UnsafeRawPointer) -> (size: UInt32, major: UInt16, minor: UInt16) {
        (raw.load(as: UInt32.self), raw.load(fromByteOffset: 4, as: UInt16.self), raw.load(fromByteOffset: 6, as: UInt16.self))
    }

    /// A copy of the struct at `raw`, of at most its declared size, over `zeroed`.
    static func read<T>(_ raw: UnsafeRawPointer, over zeroed: T) -> T {
        var value = zeroed
        let count = min(Int(raw.load(as: UInt32.self)), MemoryLayout<T>.size)
        withUnsafeMutableBytes(of: &value) { bytes in
            bytes.baseAddress!.copyMemory(from: raw, byteCount: count)
        }
        return value
    }
}
