import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where plugin libraries are copied before loading. Each copy is named by the hash of its
/// bytes, so a rebuilt library gets a new path (and `dlopen` a new image: it returns the old
/// image for a path or inode it already loaded), and the file a build writes into is never
/// the file mapped into the process.
public struct PluginStaging: Sendable {
    /// The directory holding staged copies (created with mode 0700).
    public let directory: String

    /// Stages into `directory`.
    public init(directory: String) { self.directory = directory }

    /// `$XDG_CACHE_HOME/trellis/plugins`, else `~/.cache/trellis/plugins`, else a per-user
    /// directory under the system's temporary directory (`$TMPDIR`, usually `/tmp`).
    public static var userDefault: PluginStaging {
        if let cache = getenv("XDG_CACHE_HOME").map({ String(cString: $0) }), cache.hasPrefix("/") {
            return PluginStaging(directory: cache + "/trellis/plugins")
        }
        if let home = getenv("HOME").map({ String(cString: $0) }), home.hasPrefix("/") {
            return PluginStaging(directory: home + "/.cache/trellis/plugins")
        }
        // NSTemporaryDirectory() honours $TMPDIR, where a hard-coded /tmp would not.
        return PluginStaging(directory: NSTemporaryDirectory() + "trellis-plugins-\(geteuid())")
    }

    /// The staged copy of `bytes` (whose hash is `hash`), opened: the descriptor reads exactly
    /// `bytes`. An existing copy is reused only when its contents match (a size match is not
    /// enough: a truncated or edited copy must never be loaded), else it is written anew.
    func stage(_ bytes: [UInt8], hash: String) throws(PluginLoadError) -> StagedCopy {
        try createDirectory()
        let path = "\(directory)/\(hash).so"
        if let existing = openMatching(path, bytes) { return existing }
        do {
            try FileBytes.writeAtomically(bytes, to: path, mode: 0o700)
        } catch {
            throw PluginLoadError(.unreadable, file: path, "cannot stage the plugin: \(error.reason); check the staging directory \(directory)")
        }
        guard let written = openMatching(path, bytes) else {
            throw PluginLoadError(.insecure, file: path, "the staged copy changed right after it was written; check who else writes to \(directory)")
        }
        return written
    }

    /// `path` opened, when it is a regular file holding exactly `bytes`.
    private func openMatching(_ path: String, _ bytes: [UInt8]) -> StagedCopy? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        guard descriptor >= 0 else { return nil }
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG, Int(info.st_size) == bytes.count,
              let contents = try? FileBytes.read(descriptor: descriptor, name: path), contents == bytes else {
            close(descriptor)
            return nil
        }
        return StagedCopy(path: path, descriptor: descriptor)
    }

    private func createDirectory() throws(PluginLoadError) {
        var partial = ""
        for component in directory.split(separator: "/") {
            partial += "/" + component
            if mkdir(partial, 0o700) != 0 && errno != EEXIST {
                throw PluginLoadError(.unreadable, file: directory, "cannot create the staging directory \(partial): \(String(cString: strerror(errno)))")
            }
        }
        if let problem = FileSecurity.problem(withDirectory: directory) {
            throw PluginLoadError(.insecure, file: directory, "refusing to stage plugins: \(problem)")
        }
    }
}
