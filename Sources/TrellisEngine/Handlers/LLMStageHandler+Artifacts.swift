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
    static func write(_ text: String, named name: String, in directory: String) throws(StageArtifactError) {
        let path = (directory as NSString).appendingPathComponent(name)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw StageArtifactError(path: path, reason: error.localizedDescription)
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

    /// The modification date of the file `name` in `directory`, or `nil` when there is none.
    static func modificationDate(of name: String, in directory: String) -> Date? {
        let path = (directory as NSString).appendingPathComponent(name)
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        return attributes?[.modificationDate] as? Date
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
