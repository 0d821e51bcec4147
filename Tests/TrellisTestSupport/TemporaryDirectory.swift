import Foundation

/// Fresh directories under the system's temporary directory, all inside one folder per test
/// process that is removed when the process exits.
///
/// One folder per run, removed at exit, rather than a directory object removed by `deinit`:
/// tests pass plain paths to child processes and plugin hosts, and an object can be released
/// (and its folder deleted) right after the last use of its path, before those finish.
public enum TemporaryDirectory {
    /// `$TMPDIR/trellis-tests-<pid>-<random>`, created on first use; removed at exit.
    public static let runRoot: String = {
        let base = FileManager.default.temporaryDirectory.standardizedFileURL.path
        let path = base + "/trellis-tests-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        // 0755: the plugin host refuses plugin folders that others can write to.
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        atexit { TemporaryDirectory.removeRunRoot() }
        return path
    }()

    /// Creates and returns a new empty directory (mode 0755) named after `label`.
    public static func make(_ label: String = "test") throws -> String {
        let path = runRoot + "/\(label)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        return path
    }

    /// Removes everything made this run (called at exit).
    static func removeRunRoot() {
        try? FileManager.default.removeItem(atPath: runRoot)
    }
}
