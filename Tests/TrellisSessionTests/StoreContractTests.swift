import Foundation
import Testing
import TrellisEngine
import TrellisPostgresCluster
import TrellisTestSupport
@testable import TrellisSession

/// The store's contract, run against both backends: a SQLite file and a database in the
/// run's throwaway PostgreSQL cluster (`PostgresCluster`; when it cannot start, these fail
/// with the reason).
enum StoreBackend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }

    /// A new, empty store location of this kind.
    func freshLocation() async throws -> StoreLocation {
        switch self {
        case .sqlite: return .sqlite(path: try Support.temporaryDirectory() + "/sessions.sqlite")
        case .postgres: return .postgres(url: try await PostgresCluster.newDatabase())
        }
    }
}

@Suite(.timeLimit(.minutes(2))) struct StoreContractTests {
    private func manager(_ store: SessionStore) throws -> SessionManager {
        try SessionManager(options: SessionManagerOptions(watchGraphs: false, heartbeats: .disabled, store: store))
    }

    @Test(arguments: StoreBackend.allCases, Durability.allCases)
    func sessionsAndTurnsSurviveReopening(backend: StoreBackend, durability: Durability) async throws {
        let location = try await backend.freshLocation()
        do {
            let store = try SessionStore(location: location, options: SessionStoreOptions(durability: durability))
            let manager = try manager(store)
            let session = try await manager.create(SessionConfiguration(
                sessionID: "s1", agentID: "ada", sessionType: .background, config: ["max_messages": .integer(100)]))
            for turn in 1...7 { _ = try await session.send("hello \(turn)") }
            try await store.flush()
            manager.shutdown()
            store.close()
        }
        let reopened = try SessionStore(location: location)
        let manager = try manager(reopened)
        _ = try manager.restoreSessions()
        let session = try await manager.resolve("s1")
        #expect(session.agentID == "ada")
        #expect(session.sessionType == .background)
        #expect(session.turnCount == 7)
        let messages = await session.messages
        #expect(messages.count == 14)
        #expect(messages.last == .map(["role": .string("assistant"), "content": .string("Response 7")]))
        #expect(try await session.send("again").reply == "Response 8")
        #expect(try await reopened.journal(sessionID: "s1").map(\.turn) == Array(1...8))
        manager.shutdown()
        reopened.close()
    }

    /// The journal keeps each turn's node timings as the turn reported them, as a JSON list of
    /// `{node, status, us}` objects in the canonical form `ContextValue` writes (the store
    /// writes it without building a map per node; this pins that text).
    @Test(arguments: StoreBackend.allCases)
    func theJournalKeepsEachTurnsNodeTimings(backend: StoreBackend) async throws {
        let store = try SessionStore(location: try await backend.freshLocation(), options: SessionStoreOptions(durability: .sync))
        let manager = try manager(store)
        let session = try await manager.create(SessionConfiguration(sessionID: "t"))
        let reply = try await session.send("what is the weather like")
        let journal = try await store.journal(sessionID: "t")
        let stored = try #require(journal.first?.nodeTimingsJSON)
        let parsed = try ContextValue(jsonText: stored)
        #expect(parsed.jsonText == stored, "not in the canonical form: \(stored)")
        #expect(parsed == .list(reply.nodeTimings.map { timing in
            .map(["node": .string(timing.nodeID), "status": .string(timing.status.rawValue),
                  "us": .integer(timing.duration.wholeMicroseconds)])
        }))
        #expect(reply.nodeTimings.map(\.nodeID) == ["start", "classify", "recall", "call_llm", "format", "update_memory", "done"])
        manager.shutdown()
        store.close()
    }

    @Test(arguments: StoreBackend.allCases)
    func retentionStoppedSessionsAndCheckpoints(backend: StoreBackend) async throws {
        let store = try SessionStore(location: try await backend.freshLocation(), options: SessionStoreOptions(
            durability: .sync, maxMessagesPerSession: 6, maxJournalEntriesPerSession: 4))
        let manager = try manager(store)
        let session = try await manager.create(SessionConfiguration(sessionID: "r"))
        for turn in 1...10 { _ = try await session.send("m\(turn)") }
        _ = try await manager.create(SessionConfiguration(sessionID: "drop"))
        try await manager.stop("drop")
        try await store.checkpoint(sessionID: "r", snapshot: .map(["at": .integer(10)]))
        #expect(try await store.journal(sessionID: "r").map(\.turn) == [7, 8, 9, 10])
        let load = try store.loadSessions()
        #expect(load.sessions.map(\.sessionID) == ["r"])
        #expect(load.sessions.first?.messages.count == 6)
        #expect(load.sessions.first?.turnCount == 10)
        #expect(try await store.lastCheckpoint(sessionID: "r") == .map(["at": .integer(10)]))
        #expect(try await store.loadSession("drop") == nil)
        manager.shutdown()
        store.close()
    }

    @Test(arguments: StoreBackend.allCases)
    func aCorruptRowRefusesOnlyItsSession(backend: StoreBackend) async throws {
        let location = try await backend.freshLocation()
        let store = try SessionStore(location: location)
        let manager = try manager(store)
        for id in ["good", "bad"] { _ = try await manager.create(SessionConfiguration(sessionID: id)).send("hi") }
        try await store.flush()
        manager.shutdown()
        store.close()
        switch location {
        case .sqlite(let path):
            let database = try SQLiteDatabase(path: path)
            try database.execute(#"UPDATE sessions SET working_memory='{"cut' WHERE session_id='bad'"#)
            database.close()
        case .postgres(let url):
            let connection = try PostgresConnection(url: url, redacted: "test")
            try connection.execute(#"UPDATE sessions SET working_memory='{"cut' WHERE session_id='bad'"#)
            connection.close()
        }
        let reopened = try SessionStore(location: location)
        let load = try reopened.loadSessions()
        #expect(load.sessions.map(\.sessionID) == ["good"])
        #expect(load.corrupt.map(\.sessionID) == ["bad"])
        let second = try self.manager(reopened)
        _ = try second.restoreSessions()
        #expect(try await second.resolve("good").send("again").turnCount == 2)
        do {
            _ = try await second.resolve("bad")
            Issue.record("a corrupt session was served")
        } catch {
            guard case .corrupt(let message) = error else { Issue.record("expected .corrupt, got \(error)"); return }
            #expect(message.contains("'bad'") && message.contains("working_memory is not valid JSON"))
        }
        second.shutdown()
        reopened.close()
    }
}
