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

    /// Replaces `path` with `text` atomically; with `sync` (the default) also durably: the
    /// file is synced before the rename and its directory after it.
    public static func writeAtomically(_ text: String, to path: String, sync: Bool = true) throws(WriteError) {
        let temporary = path + ".tmp-\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw WriteError(path: temporary, reason: String(cString: strerror(errno))) }
        var bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeMutableBytes { buffer in
                Glibc.write(descriptor, buffer.baseAddress! + written, buffer.count - written)
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
        guard !sync || fsync(descriptor) == 0 else {
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
        guard sync else { return }
        let directory = (path as NSString).deletingLastPathComponent
        let directoryDescriptor = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryDescriptor >= 0 {
            _ = fsync(directoryDescriptor)
            close(directoryDescriptor)
        }
    }

    /// Writes `text` to `path` in place (create or truncate, then write), without a temporary
    /// file or a sync: for files the checkpoint does not depend on (a node's `status.json`),
    /// so a step costs one atomic replacement, the checkpoint's.
    public static func write(_ text: String, to path: String) throws(WriteError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw WriteError(path: path, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        var utf8 = text
        let failure: Int32? = utf8.withUTF8 { buffer in
            var written = 0
            while written < buffer.count {
                let result = Glibc.write(descriptor, buffer.baseAddress! + written, buffer.count - written)
                if result < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                written += result
            }
            return nil
        }
        if let failure { throw WriteError(path: path, reason: String(cString: strerror(failure))) }
    }

    /// Creates `path` (one level) unless it exists; cheaper than `createDirectory` on the per-node path.
    public static func ensureDirectory(_ path: String) throws(WriteError) {
        if mkdir(path, 0o755) == 0 || errno == EEXIST { return }
        try createDirectory(path)
    }

    /// The current time as ISO 8601 in UTC with milliseconds (`2026-03-01T12:00:00.123Z`),
    /// without building a formatter per call.
    public static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : String(value) }
        let milliseconds = Int(now.tv_nsec / 1_000_000)
        let fraction = milliseconds < 10 ? "00\(milliseconds)" : milliseconds < 100 ? "0\(milliseconds)" : String(milliseconds)
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)).\(fraction)Z"
    }

    /// Moves the entries of `directory` (except earlier `attempt-N` folders) into a new
    /// `attempt-N` folder inside it, N one more than the highest there. Returns that folder,
    /// or `nil` when there was nothing to move (or no directory).
    public static func setAside(_ directory: String) throws(WriteError) -> String? {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return nil }
        var highest = 0
        var moving: [String] = []
        for entry in entries {
            if entry.hasPrefix("attempt-"), let number = Int(entry.dropFirst("attempt-".count)) {
                highest = max(highest, number)
            } else {
                moving.append(entry)
            }
        }
        guard !moving.isEmpty else { return nil }
        let aside = directory + "/attempt-\(highest + 1)"
        try createDirectory(aside)
        for entry in moving.sorted() {
            guard rename(directory + "/" + entry, aside + "/" + entry) == 0 else {
                throw WriteError(path: directory + "/" + entry, reason: "could not move it into \(aside): " + String(cString: strerror(errno)))
            }
        }
        return aside
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
