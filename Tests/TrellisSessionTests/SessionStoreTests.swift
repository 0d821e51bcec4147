import Foundation
import Testing
import TrellisEngine
@testable import TrellisSession

@Suite(.timeLimit(.minutes(1))) struct SessionStoreTests {
    private func storePath() throws -> String { try Support.temporaryDirectory() + "/sessions.sqlite" }

    @Test(arguments: Durability.allCases)
    func sessionsAndTurnsSurviveReopening(durability: Durability) async throws {
        let path = try storePath()
        do {
            let store = try SessionStore(path: path, options: SessionStoreOptions(durability: durability))
            let manager = try SessionManager(options: SessionManagerOptions(watchGraphs: false, heartbeats: .disabled, store: store))
            let session = try await manager.create(SessionConfiguration(sessionID: "s1", agentID: "ada", sessionType: .background,
                                                                        config: ["max_messages": .integer(100)]))
            for turn in 1...7 { _ = try await session.send("hello \(turn)") }
            try await store.flush()
            manager.shutdown()
            store.close()
        }
        let reopened = try SessionStore(path: path)
        let manager = try SessionManager(options: SessionManagerOptions(watchGraphs: false, heartbeats: .disabled, store: reopened))
        #expect(try manager.restoreSessions() == 1)
        let session = try manager.require("s1")
        #expect(session.agentID == "ada")
        #expect(session.sessionType == .background)
        #expect(session.turnCount == 7)
        let messages = await session.messages
        #expect(messages.count == 14)
        #expect(messages[13] == .map(["role": .string("assistant"), "content": .string("Response 7")]))
        // The simulated model continues its count after a restart.
        #expect(try await session.send("again").reply == "Response 8")
        let journal = try await reopened.journal(sessionID: "s1")
        #expect(journal.map(\.turn) == Array(1...8))
        #expect(journal.last?.reply == "Response 8")
        manager.shutdown()
    }

    /// A batched store's writer thread wakes for the first write of a group and commits it
    /// when the batch interval ends, with no flush; and it commits at once when a group fills,
    /// however long the interval. (Writes in between do not wake it.)
    @Test func batchedWritesLandAfterTheIntervalOrWhenTheGroupFills() async throws {
        let byInterval = try SessionStore(path: try storePath(), options: SessionStoreOptions(
            durability: .batched, batchInterval: .milliseconds(20), batchSize: 1_000))
        let first = try Support.session(store: byInterval)
        for turn in 1...3 { _ = try await first.send("hello \(turn)") }
        #expect(try await journalTurns(byInterval, first.id, reach: 3) == [1, 2, 3])

        let byFilling = try SessionStore(path: try storePath(), options: SessionStoreOptions(
            durability: .batched, batchInterval: .seconds(3_600), batchSize: 2))
        let second = try Support.session(store: byFilling)
        // Two turns make at least two writes, so at least one full group: with an interval of
        // an hour, nothing else would commit it.
        for turn in 1...2 { _ = try await second.send("hello \(turn)") }
        #expect(try await journalTurns(byFilling, second.id, reach: 1).first == 1)
        byInterval.close()
        byFilling.close()
    }

    /// A store from schema version 1, which kept `messages` and `journal` WITHOUT ROWID, is
    /// rebuilt as version 2 when opened, with every session, message and journal row in it.
    @Test func aVersion1StoreIsRebuiltWithEverythingInIt() async throws {
        let path = try storePath()
        do {
            let store = try SessionStore(path: path, options: SessionStoreOptions(durability: .sync))
            let manager = try SessionManager(options: SessionManagerOptions(watchGraphs: false, heartbeats: .disabled, store: store))
            let session = try await manager.create(SessionConfiguration(sessionID: "old"))
            for turn in 1...3 { _ = try await session.send("hello \(turn)") }
            manager.shutdown()
            store.close()
        }
        // Back to version 1's layout, as version 1 created the two tables.
        let raw = try SQLiteDatabase(path: path)
        try raw.execute("""
            BEGIN;
            CREATE TABLE messages_v1(
                session_id TEXT NOT NULL, seq INTEGER NOT NULL, role TEXT NOT NULL, content TEXT NOT NULL,
                message TEXT NOT NULL, PRIMARY KEY(session_id, seq)) WITHOUT ROWID;
            INSERT INTO messages_v1 SELECT session_id, seq, role, content, message FROM messages;
            DROP TABLE messages;
            ALTER TABLE messages_v1 RENAME TO messages;
            CREATE TABLE journal_v1(
                session_id TEXT NOT NULL, turn INTEGER NOT NULL, input TEXT NOT NULL, reply TEXT NOT NULL,
                latency_us INTEGER NOT NULL, node_timings TEXT NOT NULL, recorded_at REAL NOT NULL,
                PRIMARY KEY(session_id, turn)) WITHOUT ROWID;
            INSERT INTO journal_v1 SELECT session_id, turn, input, reply, latency_us, node_timings, recorded_at FROM journal;
            DROP TABLE journal;
            ALTER TABLE journal_v1 RENAME TO journal;
            PRAGMA user_version=1;
            COMMIT;
            """)
        raw.close()

        let reopened = try SessionStore(path: path)
        let manager = try SessionManager(options: SessionManagerOptions(watchGraphs: false, heartbeats: .disabled, store: reopened))
        #expect(try manager.restoreSessions() == 1)
        let session = try manager.require("old")
        #expect(await session.messages.count == 6)
        #expect(await session.messages.last == .map(["role": .string("assistant"), "content": .string("Response 3")]))
        #expect(try await reopened.journal(sessionID: "old").map(\.turn) == [1, 2, 3])
        _ = try await session.send("hello 4")
        #expect(try await reopened.journal(sessionID: "old").map(\.turn) == [1, 2, 3, 4])
        manager.shutdown()
        reopened.close()

        let check = try SQLiteDatabase(path: path)
        #expect(try check.scalarText("PRAGMA user_version") == String(SQLiteSessionBackend.schemaVersion))
        var layouts: [String] = []
        try check.query("SELECT sql FROM sqlite_master WHERE name IN ('messages', 'journal')") { layouts.append($0.text(0)) }
        #expect(layouts.count == 2)
        #expect(layouts.allSatisfy { !$0.contains("WITHOUT ROWID") })
        check.close()
    }

    /// A store from a newer schema is refused: no table is created in it, its version stays.
    @Test func aStoreFromANewerSchemaIsRefused() throws {
        let path = try storePath()
        let raw = try SQLiteDatabase(path: path)
        try raw.execute("PRAGMA user_version=99")
        raw.close()
        #expect {
            try SessionStore(path: path)
        } throws: { error in
            "\(error)".contains("schema version 99 is newer than this Trellis understands")
        }
        let check = try SQLiteDatabase(path: path)
        #expect(try check.scalarText("PRAGMA user_version") == "99")
        var tables = 0
        try check.query("SELECT count(*) FROM sqlite_master") { tables = $0.integer(0) }
        #expect(tables == 0)
        check.close()
    }

    /// A batched store queues at most `maxQueuedWrites` uncommitted writes: the next write
    /// waits for its commit (and starts it), so turns faster than the store slow to its pace
    /// instead of queueing without bound, and a killed process loses at most that many.
    @Test func aFullQueueMakesTheNextWriteWaitForItsCommit() async throws {
        let store = try SessionStore(path: try storePath(), options: SessionStoreOptions(
            durability: .batched, batchInterval: .seconds(3_600), batchSize: 1_000, maxQueuedWrites: 2))
        func record(_ turn: Int) async throws {
            try await store.record(TurnRecord(
                sessionID: "q", turn: turn, input: "in \(turn)", reply: "out \(turn)", addedMessages: [], firstSequence: 0,
                workingMemory: nil, window: nil, latencyMicroseconds: 1, nodeTimings: []))
        }
        try await record(1)
        try await record(2)
        // Queued, not committed: an interval of an hour and a group of 1,000 would hold them.
        #expect(try await store.journal(sessionID: "q").isEmpty)
        try await record(3)
        #expect(try await store.journal(sessionID: "q").map(\.turn) == [1, 2, 3])
        store.close()
    }

    /// The writer's thread shows as `trellis-store` in `top -H` and `/proc`, not as the pool
    /// thread that created it.
    @Test func theWriterThreadIsNamed() async throws {
        let store = try SessionStore(path: try storePath())
        defer { store.close() }
        // The thread names itself once it runs: look for at most 5 s.
        let deadline = ContinuousClock.now + .seconds(5)
        var named = false
        while !named && ContinuousClock.now < deadline {
            named = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/task").contains {
                (try? String(contentsOfFile: "/proc/self/task/\($0)/comm", encoding: .utf8)) == "trellis-store\n"
            }
            if !named { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(named)
    }

    /// The journal's turn numbers once it holds `count` turns, read every 10 ms for at most 10 s.
    /// The last read starts after the 10 s: a read that started earlier may come back late
    /// (a busy machine), and would tell how the journal was, not how it is.
    private func journalTurns(_ store: SessionStore, _ sessionID: String, reach count: Int) async throws -> [Int] {
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(10)
        while true {
            let expired = clock.now >= deadline
            let turns = try await store.journal(sessionID: sessionID).map(\.turn)
            if turns.count >= count || expired { return turns }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    @Test func aSummarisedWindowSurvivesReopeningAsItWas() async throws {
        let path = try storePath()
        let before: [ContextValue]
        do {
            let store = try SessionStore(path: path, options: SessionStoreOptions(durability: .sync))
            let manager = try SessionManager(options: SessionManagerOptions(watchGraphs: false, heartbeats: .disabled, store: store))
            let session = try await manager.create(SessionConfiguration(
                sessionID: "w", maxMessages: 8, summarize: true))
            for turn in 1...15 { _ = try await session.send("question \(turn). More text.") }
            before = await session.messages
            try await store.flush()
            manager.shutdown()
            store.close()
        }
        #expect(before.first?["summary"] == .boolean(true))
        let reopened = try SessionStore(path: path)
        let manager = try SessionManager(options: SessionManagerOptions(watchGraphs: false, heartbeats: .disabled, store: reopened))
        #expect(try manager.restoreSessions() == 1)
        let session = try manager.require("w")
        #expect(await session.messages == before)
        _ = try await session.send("question 16")
        #expect(await session.messages.last == .map(["role": .string("assistant"), "content": .string("Response 16")]))
        manager.shutdown()
    }

    /// A turn's record keeps its input and reply as text and only the messages its graph added
    /// (tool calls, tool results) as maps; stored and loaded back, the turn's messages are the
    /// same maps in the same order, at the sequence numbers after the session's.
    @Test func aTurnsToolMessagesAreStoredBetweenItsInputAndReply() async throws {
        let path = try storePath()
        let store = try SessionStore(path: path, options: SessionStoreOptions(durability: .sync))
        let earlier: ContextValue = .map(["role": .string("user"), "content": .string("before")])
        try await store.save(StoredSession(
            sessionID: "t", agentID: "a", sessionType: "primary", trustTier: "standard", traceID: "trace",
            config: .map([:]), seedRef: nil, signalTopic: "t", turnCount: 0, messages: [earlier], messageSequence: 1,
            workingMemory: .map([:]), goals: [], cognitiveMode: "normal", summary: nil, windowStart: 0))
        let call: ContextValue = .map(["role": .string("assistant"), "content": .string(""),
                                       "tool_calls": .list([.map(["id": .string("c1"), "name": .string("clock")])])])
        let result: ContextValue = .map(["role": .string("tool"), "tool_call_id": .string("c1"), "content": .string("12:00")])
        let record = TurnRecord(
            sessionID: "t", turn: 1, input: "what time is it? \"now\"\n\u{1}é", reply: "It is 12:00.",
            addedMessages: [call, result], firstSequence: 1, workingMemory: nil, window: nil,
            latencyMicroseconds: 5, nodeTimings: [])
        try await store.record(record)
        let stored = try #require(try await store.loadSession("t"))
        #expect(record.messageCount == 4)
        #expect(stored.messages == [earlier] + record.messages)
        #expect(stored.messages[1] == .map(["role": .string("user"), "content": .string("what time is it? \"now\"\n\u{1}é")]))
        #expect(Array(stored.messages[2...3]) == [call, result])
        #expect(stored.messageSequence == 5)
        // The input's and reply's rows are written without their maps, as the maps would write them.
        for (row, message) in zip(record.messageRows(), record.messages) {
            #expect(row.json == message.jsonText)
            #expect(row.role == message["role"]?.stringValue)
            #expect(row.content == message["content"]?.stringValue)
        }
        store.close()
    }

    @Test func retentionBoundsMessagesAndJournal() async throws {
        let path = try storePath()
        let store = try SessionStore(path: path, options: SessionStoreOptions(
            durability: .sync, maxMessagesPerSession: 6, maxJournalEntriesPerSession: 4))
        let manager = try SessionManager(options: SessionManagerOptions(watchGraphs: false, heartbeats: .disabled, store: store))
        let session = try await manager.create(SessionConfiguration(sessionID: "r"))
        for turn in 1...10 { _ = try await session.send("m\(turn)") }
        #expect(try await store.journal(sessionID: "r").map(\.turn) == [7, 8, 9, 10])
        let stored = try #require(try store.loadSessions().sessions.first)
        #expect(stored.messages.count == 6)
        #expect(stored.turnCount == 10)
        manager.shutdown()
    }

    @Test func stoppedSessionsAreNotRestored() async throws {
        let path = try storePath()
        let store = try SessionStore(path: path)
        let manager = try SessionManager(options: SessionManagerOptions(watchGraphs: false, heartbeats: .disabled, store: store))
        _ = try await manager.create(SessionConfiguration(sessionID: "keep"))
        _ = try await manager.create(SessionConfiguration(sessionID: "drop"))
        try await manager.stop("drop")
        #expect(try store.loadSessions().sessions.map(\.sessionID) == ["keep"])
        manager.shutdown()
    }

    @Test func checkpointNodesStoreASnapshot() async throws {
        let store = try SessionStore(path: try storePath())
        let turn = try Support.graph("""
            digraph t { start [shape=Mdiamond]; call [type="session.llm_call"]; format [type="session.format"]
                        save [type="session.checkpoint"]; done [shape=Msquare]; start -> call -> format -> save -> done }
            """)
        let session = try Support.session(graphs: SessionGraphs(turn: turn, heartbeat: nil), store: store)
        _ = try await session.send("remember me")
        let snapshot = try #require(try await store.lastCheckpoint(sessionID: session.id))
        guard case .map(let fields) = snapshot else { Issue.record("snapshot is not a map"); return }
        #expect(fields[SessionKeys.input] == .string("remember me"))
        #expect(fields[SessionKeys.response] == .string("Response 1"))
    }

    @Test func sqliteErrorsCarrySQLitesMessage() throws {
        let database = try SQLiteDatabase(path: ":memory:")
        do {
            try database.execute("SELEKT 1")
            Issue.record("bad SQL should fail")
        } catch {
            #expect(error.description.contains("syntax error"))
            #expect(error.description.contains("SELEKT"))
        }
    }

    @Test func anUnopenableStoreSaysWhere() {
        #expect(throws: SessionError.self) { try SessionStore(path: "/nonexistent-dir/x/y.sqlite") }
    }
}
