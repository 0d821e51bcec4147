import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The lines entered at the prompt, kept across runs in a file.
///
/// The rules, shell-like:
/// - at most `limit` entries (1,000 by default); the oldest go first;
/// - a line equal to the entry before it is not added again (Up would show it twice);
/// - blank lines are not added, and neither are lines starting with a space, so a user can
///   keep a message out of the history file by typing a space first (bash's `ignorespace`).
///
/// The file holds one entry per line, oldest first, UTF-8. A pasted entry can contain line
/// breaks, so `\` is written as `\\`, a line feed as `\n` and a carriage return as `\r`.
/// It is written whole to a temporary file beside it and renamed over it, so a crash
/// mid-write leaves the old history, never a torn one. Two chats saving at once: the last
/// one to save wins.
public struct CommandHistory: Hashable, Sendable {
    /// The entries, oldest first.
    public private(set) var entries: [String]
    /// The most entries kept.
    public let limit: Int

    /// Creates a history holding the newest `limit` of `entries`, as given (not re-filtered).
    public init(entries: [String] = [], limit: Int = 1000) {
        self.limit = max(limit, 1)
        self.entries = Array(entries.suffix(self.limit))
    }

    /// Reads the history saved at `path`; a file that does not exist yet is an empty history.
    public init(contentsOf path: String, limit: Int = 1000) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            self.init(limit: limit)
            return
        }
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true)
        self.init(entries: lines.map { Self.unescape($0) }, limit: limit)
    }

    /// Adds `line` unless the rules above say no; returns whether it was added.
    @discardableResult
    public mutating func add(_ line: String) -> Bool {
        guard !line.allSatisfy(\.isWhitespace), !line.hasPrefix(" "), line != entries.last else { return false }
        entries.append(line)
        if entries.count > limit { entries.removeFirst(entries.count - limit) }
        return true
    }

    /// Writes the history to `path` atomically (temporary file, then `rename(2)`), creating
    /// the directory if needed.
    public func save(to path: String) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let text = entries.map { Self.escape($0) + "\n" }.joined()
        let temporary = path + ".tmp-\(getpid())"
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: temporary))
            guard rename(temporary, path) == 0 else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path, NSUnderlyingErrorKey: POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)])
            }
        } catch {
            unlink(temporary)
            throw error
        }
    }

    static func escape(_ line: String) -> String {
        var result = ""
        for character in line.unicodeScalars {
            switch character {
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            default: result.unicodeScalars.append(character)
            }
        }
        return result
    }

    static func unescape(_ line: Substring) -> String {
        var result = ""
        var escaping = false
        for character in line.unicodeScalars {
            if escaping {
                switch character {
                case "n": result += "\n"
                case "r": result += "\r"
                default: result.unicodeScalars.append(character)
                }
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else {
                result.unicodeScalars.append(character)
            }
        }
        return result
    }
}
