import Foundation
import TrellisEngine

/// Where runs keep their files when the caller names no directory, and what a run directory
/// says about its run.
public enum RunDirectory {
    /// `.trellis-runs/<graph>-<UTC timestamp>` under `base` (default: the current directory),
    /// made unique with a counter so two runs in one second never share a directory.
    public static func defaultPath(for graph: CompiledGraph, under base: String = FileManager.default.currentDirectoryPath) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        let stem = base + "/.trellis-runs/" + graph.name + "-" + formatter.string(from: Date())
        var candidate = stem
        var counter = 2
        while FileManager.default.fileExists(atPath: candidate) {
            candidate = stem + "-\(counter)"
            counter += 1
        }
        return candidate
    }

    /// The pipeline file the manifest in `runDirectory` names, so a resumed run needs no file
    /// argument; `nil` when there is no readable manifest.
    public static func source(ofRunIn runDirectory: String) -> String? {
        guard let text = RunFiles.read(runDirectory + "/manifest.json"),
              case .map(let fields)? = try? ContextValue(jsonText: text),
              case .string(let source)? = fields["source"] else { return nil }
        return source
    }
}
