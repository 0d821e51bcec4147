#if canImport(Glibc)
import Glibc
#endif

/// Whole-file reads and atomic writes with POSIX calls (no Foundation on the load path).
enum FileBytes {
    struct Failure: Error {
        var reason: String
    }

    /// Every byte of the file open as `descriptor` (`name` is for messages), read from offset 0
    /// with `pread`, so reading twice reads the same; reads until end of file, so a file that
    /// grows is read whole, not cut at its old size.
    static func read(descriptor: CInt, name: String) throws(Failure) -> [UInt8] {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw Failure(reason: "cannot read \(name): \(String(cString: strerror(errno)))") }
        var bytes = [UInt8](repeating: 0, count: max(Int(info.st_size), 0) + 1)
        var filled = 0
        while true {
            if filled == bytes.count { bytes.append(contentsOf: repeatElement(0, count: max(bytes.count, 4096))) }
            let count = bytes.withUnsafeMutableBytes { buffer in pread(descriptor, buffer.baseAddress! + filled, buffer.count - filled, off_t(filled)) }
            if count < 0 {
                if errno == EINTR { continue }
                throw Failure(reason: "cannot read \(name): \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            filled += count
        }
        bytes.removeLast(bytes.count - filled)
        return bytes
    }

    /// Writes `bytes` to a temporary file next to `path`, then renames it into place, so
    /// nobody ever sees a half-written `path`.
    static func writeAtomically(_ bytes: [UInt8], to path: String, mode: mode_t) throws(Failure) {
        let temporary = "\(path).\(getpid()).\(UInt64.random(in: 0...UInt64.max)).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw Failure(reason: "cannot create \(temporary): \(String(cString: strerror(errno)))") }
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { buffer in write(descriptor, buffer.baseAddress! + written, buffer.count - written) }
            if count < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                close(descriptor)
                unlink(temporary)
                throw Failure(reason: "cannot write \(temporary): \(reason)")
            }
            written += count
        }
        close(descriptor)
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw Failure(reason: "cannot rename \(temporary) to \(path): \(reason)")
        }
    }
}
