#if canImport(Glibc)
import Glibc
#endif

/// A file opened once and checked through that descriptor (see `FileSecurity.openChecked`).
/// Reading it reads what was checked, even if its path now leads elsewhere. Closed when dropped.
struct CheckedFile: ~Copyable {
    /// The open descriptor (`O_RDONLY | O_CLOEXEC`).
    let descriptor: CInt
    /// The path it was opened by, with every link resolved.
    let resolvedPath: String

    deinit { close(descriptor) }

    /// Every byte of the file, read through the descriptor.
    func bytes() throws(FileBytes.Failure) -> [UInt8] {
        try FileBytes.read(descriptor: descriptor, name: resolvedPath)
    }
}
