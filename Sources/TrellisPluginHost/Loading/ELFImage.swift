/// Just enough of the ELF format to tell, without loading a file, whether it is a shared
/// library and whether it exports a given symbol: loading runs the library's constructors,
/// which a file that is not a plugin must not get to do.
struct ELFImage {
    enum Problem: Error {
        /// Not an ELF file at all.
        case notELF(String)
        /// An ELF file this host cannot use (wrong class, type, truncated).
        case unusable(String)
    }

    private let bytes: [UInt8]

    /// Checks the header; throws when the bytes are not a 64-bit little-endian shared object.
    init(_ bytes: [UInt8]) throws(Problem) {
        guard bytes.count >= 4, bytes[0] == 0x7F, bytes[1] == 0x45, bytes[2] == 0x4C, bytes[3] == 0x46 else {
            let start = bytes.prefix(4).map { byte in byte >= 0x20 && byte < 0x7F ? String(UnicodeScalar(byte)) : "\\x" + (byte < 16 ? "0" : "") + String(byte, radix: 16) }.joined()
            throw .notELF(bytes.isEmpty ? "the file is empty" : "the file starts with '\(start)', not the ELF magic '\\x7fELF'")
        }
        guard bytes.count >= 64 else { throw .unusable("the ELF header is truncated (\(bytes.count) bytes)") }
        guard bytes[4] == 2 else { throw .unusable("it is a 32-bit ELF file; this host loads 64-bit libraries only") }
        guard bytes[5] == 1 else { throw .unusable("it is a big-endian ELF file; this host is little-endian") }
        self.bytes = bytes
        let type = read16(16)
        guard type == 3 else {
            throw .unusable(type == 2 ? "it is an executable, not a shared library; build it with -shared -fPIC" : "ELF type \(type) is not a shared library")
        }
    }

    private func read16(_ offset: Int) -> UInt16 { UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8 }
    private func read32(_ offset: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(bytes[offset + $1]) << (8 * UInt32($1)) } }
    private func read64(_ offset: Int) -> UInt64 { (0..<8).reduce(0) { $0 | UInt64(bytes[offset + $1]) << (8 * UInt64($1)) } }

    /// Whether the dynamic symbol table defines `name`; `nil` when the file has no section
    /// headers to tell (then only `dlsym` can).
    func exportsSymbol(_ name: String) throws(Problem) -> Bool? {
        let sectionOffset = Int(clamping: read64(0x28))
        let entrySize = Int(read16(0x3A))
        let count = Int(read16(0x3C))
        guard count > 0, entrySize >= 64 else { return nil }
        guard sectionOffset > 0, sectionOffset <= bytes.count, count <= (bytes.count - sectionOffset) / entrySize else {
            throw .unusable("the section header table lies outside the file (truncated?)")
        }
        func section(_ index: Int) -> (type: UInt32, link: Int, offset: Int, size: Int, entrySize: Int) {
            let base = sectionOffset + index * entrySize
            return (read32(base + 4), Int(read32(base + 40)), Int(clamping: read64(base + 24)),
                    Int(clamping: read64(base + 32)), Int(clamping: read64(base + 56)))
        }
        let wanted = Array(name.utf8)
        for index in 0..<count {
            let symbols = section(index)
            guard symbols.type == 11 /* SHT_DYNSYM */, symbols.link < count else { continue }
            let strings = section(symbols.link)
            guard symbols.offset <= bytes.count, symbols.size <= bytes.count - symbols.offset,
                  strings.offset <= bytes.count, strings.size <= bytes.count - strings.offset else {
                throw .unusable("the dynamic symbol table lies outside the file (truncated?)")
            }
            let stride = symbols.entrySize >= 24 ? symbols.entrySize : 24
            var position = symbols.offset
            while position + 24 <= symbols.offset + symbols.size {
                let nameOffset = Int(read32(position))
                let sectionIndex = read16(position + 6)
                if sectionIndex != 0, nameOffset < strings.size, matches(wanted, at: strings.offset + nameOffset, limit: strings.offset + strings.size) {
                    return true
                }
                position += stride
            }
            return false
        }
        return false
    }

    private func matches(_ wanted: [UInt8], at start: Int, limit: Int) -> Bool {
        guard start + wanted.count < limit else { return false }
        for (offset, byte) in wanted.enumerated() where bytes[start + offset] != byte { return false }
        return bytes[start + wanted.count] == 0
    }
}
