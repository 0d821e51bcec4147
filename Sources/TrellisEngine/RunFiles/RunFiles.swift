import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writing a run's files: directories, and whole files replaced atomically (write a temporary
/// file beside the target, flush it to disk, rename it over the target, flush the directory),
/// so a reader or a resumed run sees either the old file or the new one, never a torn one.
public enum RunFiles {
    /// Why a run file could not be written.
    public struct WriteError: Error, Sendable, CustomStringConvertible {
        /// The path concerned.
        public var path: String
        /// What failed.
        public var reason: String
        /// `cannot write PATH: REASON`.
        public var description: String { "cannot write \(path): \(reason)" }
    }

    /// Creates `path` and its parents when missing.
    public static func createDirectory(_ path: String) throws(WriteError) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw WriteError(path: path, reason: "\(error)")
        }
    }

    /// Replaces `path` with `text` atomically and durably.
    public static func writeAtomically(_ text: String, to path: String) throws(WriteError) {
        let temporary = path + ".tmp-\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw WriteError(path: temporary, reason: String(cString: strerror(errno))) }
        var bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeMutableBytes { buffer in
                write(descriptor, buffer.baseAddress! + written, buffer.count - written)
            }
            if result < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                close(descriptor)
                unlink(temporary)
                throw WriteError(path: temporary, reason: reason)
            }
            written += result
        }
        bytes.removeAll()
        guard fsync(descriptor) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            unlink(temporary)
            throw WriteError(path: temporary, reason: "fsync failed: \(reason)")
        }
        close(descriptor)
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw WriteError(path: path, reason: "rename failed: \(reason)")
        }
        let directory = (path as NSString).deletingLastPathComponent
        let directoryDescriptor = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryDescriptor >= 0 {
            _ = fsync(directoryDescriptor)
            close(directoryDescriptor)
        }
    }

    /// The text of the file at `path`, or `nil` when it cannot be read.
    public static func read(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// A JSON object's text from key/value pairs in the given order (values already JSON).
    public static func jsonObject(_ fields: [(String, String)]) -> String {
        var out = "{"
        for (position, field) in fields.enumerated() {
            if position > 0 { out += ",\n  " } else { out += "\n  " }
            JSONText.appendQuoted(field.0, to: &out)
            out += ": " + field.1
        }
        out += "\n}\n"
        return out
    }
}
