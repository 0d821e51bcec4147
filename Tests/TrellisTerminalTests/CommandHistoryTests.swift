import Foundation
import Testing
@testable import TrellisTerminal

/// The history rules and the file that keeps them across runs.
@Suite struct CommandHistoryTests {
    /// A fresh directory under the system's temporary directory, removed by the caller.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("trellis-history-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func addsFollowTheShellRules() {
        var history = CommandHistory()
        let added = ["hello", "hello", "", "   ", " secret", "world", "hello"].map { history.add($0) }
        // Refused: a repeat of the previous entry, blanks, and a leading space (kept out on
        // purpose); a repeat of an older entry is fine.
        #expect(added == [true, false, false, false, false, true, true])
        #expect(history.entries == ["hello", "world", "hello"])
    }

    @Test func isBoundedDroppingTheOldest() {
        var history = CommandHistory(limit: 3)
        for number in 1...5 { history.add("line \(number)") }
        #expect(history.entries == ["line 3", "line 4", "line 5"])
        #expect(CommandHistory().limit == 1000)
    }

    @Test func survivesARestart() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("nested/history").path
        var history = CommandHistory()
        for line in ["first", "multi\nline paste", "back\\slash and \\n literal", "漢字 🙂 e\u{301}", "carriage\rreturn"] {
            history.add(line)
        }
        try history.save(to: path)
        let loaded = try CommandHistory(contentsOf: path)
        #expect(loaded.entries == history.entries)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("nested").path)
        #expect(leftovers == ["history"], "the temporary file was renamed into place")
    }

    @Test func loadingKeepsTheNewestWithinTheLimit() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("history").path
        try CommandHistory(entries: (1...10).map { "line \($0)" }, limit: 10).save(to: path)
        #expect(try CommandHistory(contentsOf: path, limit: 4).entries == ["line 7", "line 8", "line 9", "line 10"])
    }

    @Test func missingFileIsAnEmptyHistory() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(try CommandHistory(contentsOf: directory.appendingPathComponent("none").path).entries.isEmpty)
    }

    @Test func saveReplacesTheOldFileWhole() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("history").path
        try CommandHistory(entries: (1...50).map { "a much longer old line number \($0)" }).save(to: path)
        try CommandHistory(entries: ["short"]).save(to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "short\n")
    }
}
