import Foundation

extension RunServices {
    /// The directory for a node's artifacts (`prompt.md`, `response.md`, `status.json`,
    /// `command.sh`, ...): `<runDirectory>/<node id>`, or `nil` for runs without a run
    /// directory. The node id is made safe as one path component: `/` and NUL become `_`,
    /// and the ids `.`, `..` and the empty id become `_`, `__` and `_node`.
    public func stageDirectory(for nodeID: String) -> String? {
        guard let runDirectory else { return nil }
        return (runDirectory as NSString).appendingPathComponent(StageArtifacts.pathComponent(for: nodeID))
    }
}

/// Writing the files a leaf handler leaves in its node's directory.
enum StageArtifacts {
    /// `nodeID` as a single, safe path component (see `RunServices.stageDirectory(for:)`).
    static func pathComponent(for nodeID: String) -> String {
        switch nodeID {
        case "": return "_node"
        case ".": return "_"
        case "..": return "__"
        default:
            return String(nodeID.map { $0 == "/" || $0 == "\u{0}" ? "_" : $0 })
        }
    }

    /// Creates the node's directory if needed and writes `text` to `name` inside it.
    /// Throws `StageArtifactError` naming the file and the system's reason.
    /// A plain write (no temporary file, no sync): the run's checkpoint is what resume relies
    /// on, and a node interrupted while writing is rerun with its files set aside.
    static func write(_ text: String, named name: String, in directory: String) throws(StageArtifactError) {
        let path = directory + "/" + name
        do {
            try RunFiles.ensureDirectory(directory)
            try RunFiles.write(text, to: path)
        } catch {
            throw StageArtifactError(path: path, reason: error.reason)
        }
    }

    /// The text of the file `name` in `directory`, which is then renamed to `name` + `.used` so it
    /// is taken once (a manager loop's `steer.md`); `nil` when there is no such file.
    static func take(_ name: String, in directory: String) -> String? {
        let path = (directory as NSString).appendingPathComponent(name)
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let used = path + ".used"
        try? FileManager.default.removeItem(atPath: used)
        try? FileManager.default.moveItem(atPath: path, toPath: used)
        return String(decoding: data, as: UTF8.self)
    }

    /// The modification time of the file `name` in `directory` (nanoseconds), or `nil` when there is none.
    static func modificationDate(of name: String, in directory: String) -> Date? {
        var info = stat()
        guard stat(directory + "/" + name, &info) == 0 else { return nil }
        return Date(timeIntervalSince1970: Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9)
    }
}

/// A node artifact could not be written.
struct StageArtifactError: Error, CustomStringConvertible {
    /// The file that could not be written.
    var path: String
    /// Why.
    var reason: String
    /// A sentence for failure reasons.
    var description: String { "could not write \(path): \(reason)" }
}
