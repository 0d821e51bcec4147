import Foundation
import TrellisDOT
import TrellisEngine
import TrellisTools

/// Finds and reads the configuration file, refusing anything it does not understand.
///
/// The file is JSON. Every object's keys are checked against the keys that object may hold:
/// an unknown key, a key written twice, or a value of the wrong type is an error naming the
/// file, line, column and key, with the nearest known key when one is close. Nothing in the
/// file is ignored.
public enum ConfigurationLoader {
    /// The file to read: `explicit` (`--config`), else `./trellis.json`, else
    /// `$XDG_CONFIG_HOME/trellis/config.json` (`~/.config/trellis/config.json`); `nil` when none exists.
    /// An explicit file must exist.
    public static func locate(explicit: String?, environment: [String: String], currentDirectory: String) throws(ConfigurationError) -> String? {
        if let explicit {
            let path = absolute(explicit, relativeTo: currentDirectory)
            guard FileManager.default.fileExists(atPath: path) else {
                throw ConfigurationError(file: explicit, message: "no such file (given with --config)")
            }
            return path
        }
        let local = currentDirectory + "/trellis.json"
        if FileManager.default.fileExists(atPath: local) { return local }
        let base = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? environment["HOME"].map { $0 + "/.config" }
        if let base, FileManager.default.fileExists(atPath: base + "/trellis/config.json") { return base + "/trellis/config.json" }
        return nil
    }

    /// Reads the configuration at `path`.
    public static func load(path: String) throws(ConfigurationError) -> HostConfiguration {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationError(file: path, message: "cannot be read: \(error.localizedDescription)")
        }
        return try parse(text, file: path)
    }

    /// Reads configuration `text`; `file` names it in errors and anchors relative paths.
    public static func parse(_ text: String, file: String) throws(ConfigurationError) -> HostConfiguration {
        var reader = JSONReader(text, maximumDepth: 64, recordingLocations: true)
        let root: ContextValue
        do {
            root = try reader.readDocument()
        } catch {
            let (line, column) = position(of: error.offset ?? 0, in: text)
            throw ConfigurationError(file: file, line: line, column: column,
                                     message: "not valid JSON: \(error.reason.replacingOccurrences(of: #" at byte \d+$"#, with: "", options: .regularExpression))")
        }
        let reading = ConfigurationReading(file: file, text: text, locations: reader.locations)
        if let repeated = reader.repeatedKeys.first {
            throw reading.error(at: repeated.path, offset: repeated.offset, "written twice; keep one")
        }
        return try reading.configuration(from: root)
    }

    /// The 1-based line and column of byte `offset` in `text`.
    static func position(of offset: Int, in text: String) -> (Int, Int) {
        var line = 1
        var column = 1
        for (index, byte) in text.utf8.enumerated() {
            if index >= offset { break }
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return (line, column)
    }

    /// `path` made absolute against `base` (a leading `~/` is the home directory).
    static func absolute(_ path: String, relativeTo base: String) -> String {
        if path.hasPrefix("/") { return path }
        if path.hasPrefix("~/") { return NSHomeDirectory() + String(path.dropFirst(1)) }
        return URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: base, isDirectory: true)).standardizedFileURL.path
    }
}
