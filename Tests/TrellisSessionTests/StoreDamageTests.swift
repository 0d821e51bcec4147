import Foundation
import Testing
import TrellisEngine
@testable import TrellisSession

/// A damaged store (issue 15, item 12): a corrupt row refuses its session only, a file that
/// fails its integrity check is not written to, and a damaged write-ahead log is reported
/// instead of silently dropping acknowledged turns. Every case damages a real database file.
@Suite(.timeLimit(.minutes(1))) struct StoreDamageTests {
    /// Creates sessions `ids` with one turn each in a new store; returns the file's path.
    private func storeWithSessions(_ ids: [String], turns: Int = 1) async throws -> String {
        let path = try Support.temporaryDirectory() + "/sessions.sqlite"
        let store = try SessionStore(path: path)
        let manager = try SessionManager(options: SessionManagerOptions(watchGraphs: false, heartbeats: .disabled, store: store))
        for id in ids {
            let session = try await manager.create(SessionConfiguration(sessionID: id))
            for turn in 1...turns { _ = try await session.send("\(id) \(turn)") }
        }
        try await store.flush()
        manager.shutdown()
        store.close()
        return path
    }

    private func damage(_ path: String, _ statements: String) throws {
        let database = try SQLiteDatabase(path: path)
        try database.execute(statements)
        database.close()
    }

    @Test func aCorruptRowRefusesItsSessionAndTheOthersServe() async throws {
        let path = try await storeWithSessions(["good", "bad-json", "bad-type", "bad-window", "bad-message", "bad-kind"])
        try damage(path, """
            UPDATE sessions SET working_memory='{"unterminated' WHERE session_id='bad-json';
            UPDATE sessions SET turn_count='many' WHERE session_id='bad-type';
            UPDATE sessions SET window_start=99 WHERE session_id='bad-window';
            UPDATE messages SET message='[1,' WHERE session_id='bad-message' AND seq=1;
            UPDATE sessions SET session_type='wizard' WHERE session_id='bad-kind';
            """)
        let store = try SessionStore(path: path)
        let manager = try SessionManager(options: SessionManagerOptions(watchGraphs: false, heartbeats: .disabled, store: store))
        #expect(try manager.restoreSessions() == 1)
        let reasons = Dictionary(uniqueKeysWithValues: manager.corruptSessions.map { ($0.sessionID, $0.reason) })
        #expect(reasons.keys.sorted() == ["bad-json", "bad-kind", "bad-message", "bad-type", "bad-window"])
        #expect(reasons["bad-json"]?.contains("working_memory is not valid JSON") == true)
        #expect(reasons["bad-type"]?.contains("turn_count is not an integer") == true)
        #expect(reasons["bad-window"]?.contains("window_start 99") == true)
        #expect(reasons["bad-message"]?.contains("message 1 is not valid JSON") == true)
        #expect(reasons["bad-kind"]?.contains("session_type 'wizard'") == true)

        // The good session serves and keeps its history.
        let good = try manager.require("good")
        #expect(try await good.send("again").turnCount == 2)

        // A request for a corrupt session is refused with its id and what is wrong, over JSON-RPC too.
        #expect(throws: SessionError.self) { try manager.require("bad-json") }
        do {
            _ = try manager.require("bad-type")
        } catch {
            guard case .corrupt(let message) = error else { Issue.record("expected .corrupt, got \(error)"); return }
            #expect(message.contains("'bad-type'") && message.contains("turn_count is not an integer"))
        }
        let server = SessionRPCServer(manager: manager, output: JSONLinesEventWriter(descriptor: -1))
        let answer = try #require(await server.handle(
            #"{"jsonrpc":"2.0","id":1,"method":"session.send","params":{"session_id":"bad-json","message":"hi"}}"#))
        guard case .map(let fields) = try ContextValue(jsonText: answer), case .map(let error)? = fields["error"] else {
            Issue.record("expected an error: \(answer)")
            return
        }
        #expect(error["code"] == .integer(JSONRPCError.sessionError))
        #expect(error["data"] == .map(["kind": .string("corrupt")]))
        #expect(error["message"]?.stringValue.contains("'bad-json'") == true)

        // Creating a session over a corrupt one's id is refused too: its rows are never overwritten.
        await #expect(throws: SessionError.self) { try await manager.create(SessionConfiguration(sessionID: "bad-window")) }
        try await store.flush()
        manager.shutdown()
        store.close()
        let reopened = try SessionStore(path: path)
        let after = try reopened.loadSessions()
        #expect(after.sessions.map(\.sessionID) == ["good"])
        #expect(after.corrupt.count == 5)
        reopened.close()
    }

    @Test func aStoreThatFailsItsIntegrityCheckIsRefusedAndNotWritten() async throws {
        let path = try await storeWithSessions(["a", "b", "c"], turns: 40)
        // Move every committed page from the log into the file, so the file is what is damaged.
        try damage(path, "PRAGMA wal_checkpoint(TRUNCATE)")
        // Scribble over the b-tree header of the last page: the file still opens, its tree is broken.
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let pageSize = 4096
        #expect(bytes.count >= 4 * pageSize, "the store is too small to damage a table page")
        let lastPage = bytes.count - pageSize
        for offset in 0..<64 { bytes[lastPage + offset] = 0xA5 }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let before = try Data(contentsOf: URL(fileURLWithPath: path))

        do {
            _ = try SessionStore(path: path)
            Issue.record("a damaged store opened")
        } catch {
            #expect(error.description.contains("failed its integrity check"))
            #expect(error.description.contains(path))
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before, "the refused store was written to")
        let log = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
        #expect(log == 0, "the refused store's log was written to")
    }

    @Test func aDamagedWriteAheadLogIsReportedNotDropped() async throws {
        let directory = try Support.temporaryDirectory()
        let path = directory + "/live.sqlite"
        let store = try SessionStore(path: path, options: SessionStoreOptions(durability: .sync))
        let manager = try SessionManager(options: SessionManagerOptions(watchGraphs: false, heartbeats: .disabled, store: store))
        for id in ["x", "y"] {
            let session = try await manager.create(SessionConfiguration(sessionID: id))
            for turn in 1...5 { _ = try await session.send("\(id) \(turn)") }
        }
        // What a crash leaves: the database and its log as they are while the store is open.
        let database = try Data(contentsOf: URL(fileURLWithPath: path))
        let log = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path + "-wal")))
        manager.shutdown()
        store.close()
        let inspection = try #require(WALInspection.inspect(log))
        #expect(inspection.firstDamagedFrame == nil)
        #expect(inspection.validFrames >= 10, "the log holds the acknowledged turns")

        // Intact, the copy restores every acknowledged turn.
        let intact = directory + "/intact.sqlite"
        try database.write(to: URL(fileURLWithPath: intact))
        try Data(log).write(to: URL(fileURLWithPath: intact + "-wal"))
        let reopened = try SessionStore(path: intact)
        #expect(try reopened.loadSessions().sessions.map(\.turnCount).sorted() == [5, 5])
        reopened.close()

        // One byte flipped in the page of the second frame: SQLite would keep only frame 1.
        let damaged = directory + "/damaged.sqlite"
        var broken = log
        let pageSize = Int(broken[8]) << 24 | Int(broken[9]) << 16 | Int(broken[10]) << 8 | Int(broken[11])
        broken[32 + (24 + pageSize) + 24 + 100] ^= 0xFF
        try database.write(to: URL(fileURLWithPath: damaged))
        try Data(broken).write(to: URL(fileURLWithPath: damaged + "-wal"))
        do {
            _ = try SessionStore(path: damaged)
            Issue.record("a store whose log drops commits opened")
        } catch {
            #expect(error.description.contains("damaged write-ahead log"))
            #expect(error.description.contains("frame 2"))
        }
        #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: damaged + "-wal"))) == broken, "the damaged log was touched")
    }
}
