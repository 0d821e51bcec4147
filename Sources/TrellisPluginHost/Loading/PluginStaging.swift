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

    /// The staged path for `bytes` whose hash is `hash`, copying them there unless an
    /// identical copy exists already.
    func stage(_ bytes: [UInt8], hash: String) throws(PluginLoadError) -> String {
        try createDirectory()
        let path = "\(directory)/\(hash).so"
        var info = stat()
        if stat(path, &info) == 0, Int(info.st_size) == bytes.count { return path }
        do {
            try FileBytes.writeAtomically(bytes, to: path, mode: 0o700)
        } catch {
            throw PluginLoadError(.unreadable, file: path, "cannot stage the plugin: \(error.reason); check the staging directory \(directory)")
        }
        return path
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
