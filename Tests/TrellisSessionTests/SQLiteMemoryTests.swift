import Foundation
import Synchronization
import Testing
import TrellisEngine
@testable import TrellisSession

/// `SQLiteMemory`: storing and recalling, ranking, agent isolation, restarts, hostile
/// queries, consolidation, and the `session.memory_consolidate` node.
@Suite(.timeLimit(.minutes(1)))
struct SQLiteMemoryTests {
    // MARK: Helpers (kept here rather than in the shared test support, which is being reorganised)

    /// A clock the tests move by hand, so stored times and recency are exact.
    final class ManualClock: Sendable {
        private let current: Mutex<Date>
        init(_ start: Date) { current = Mutex(start) }
        var now: Date { current.withLock { $0 } }
        func advance(days: Double) { current.withLock { $0 += days * 86_400 } }
        func set(_ date: Date) { current.withLock { $0 = date } }
        var function: @Sendable () -> Date { { self.now } }
    }

    /// A fresh directory under the system's temporary directory, removed by `body`'s end.
    private func withDirectory(_ body: (URL) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("trellis-memory-tests-" + UUID().uuidString, isDirectory: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try await body(directory)
    }

    private func entry(_ input: String, _ response: String = "noted", turn: Int = 0, extra: [String: ContextValue] = [:]) -> ContextValue {
        var fields: [String: ContextValue] = [
            "input": .string(input), "response": .string(response), "input_type": .string("query"), "turn": .integer(turn),
        ]
        fields.merge(extra) { _, new in new }
        return .map(fields)
    }

    private func turns(_ entries: [ContextValue]) -> [Int] {
        entries.map { value in
            if case .map(let fields) = value, case .integer(let turn)? = fields["turn"] { return turn }
            return -1
        }
    }

    /// 2026-11-20 12:00 UTC.
    private static let noon = Date(timeIntervalSince1970: 1_795_176_000)

    // MARK: Store and recall

    @Test func recallReturnsStoredEntriesUnchangedAndOnlyMatchingOnes() async throws {
        try await withDirectory { directory in
            let memory = try SQLiteMemory(path: directory.appendingPathComponent("memory.sqlite").path)
            let first = entry("How do I rotate the Kubernetes certificates?", "Use kubeadm certs renew.", turn: 1)
            let second = entry("What's a good sourdough hydration?", "About 75 percent.", turn: 2,
                               extra: ["working_memory": .map(["project": .string("bakery-website")])])
            try await memory.update(agentID: "agent", entry: first)
            try await memory.update(agentID: "agent", entry: second)

            #expect(try await memory.recall(agentID: "agent", query: "kubernetes certificates expire") == [first])
            // Words of the reply and of the working memory are searched too.
            #expect(try await memory.recall(agentID: "agent", query: "kubeadm") == [first])
            #expect(try await memory.recall(agentID: "agent", query: "bakery") == [second])
            #expect(try await memory.recall(agentID: "agent", query: "unrelated words entirely").isEmpty)
            #expect(try memory.stored(agentID: "agent") == [first, second])
        }
    }

    @Test func aMoreRelevantEntryRanksHigher() async throws {
        try await withDirectory { directory in
            let memory = try SQLiteMemory(path: directory.appendingPathComponent("m.sqlite").path)
            try await memory.update(agentID: "a", entry: entry("postgres is installed on the laptop", turn: 1))
            try await memory.update(agentID: "a", entry: entry("postgres replication lag on the replica", turn: 2))
            try await memory.update(agentID: "a", entry: entry("lunch at noon", turn: 3))
            let found = try await memory.recall(agentID: "a", query: "why is postgres replication lag so high?")
            #expect(turns(found) == [2, 1])
        }
    }

    @Test func aMoreRecentEntryRanksHigherWhenRelevanceIsEqualButNotOverAMuchBetterMatch() async throws {
        try await withDirectory { directory in
            let clock = ManualClock(Self.noon)
            let memory = try SQLiteMemory(path: directory.appendingPathComponent("m.sqlite").path, clock: clock.function)
            try await memory.update(agentID: "a", entry: entry("the zebra giraffe okapi exhibit", turn: 1))
            clock.advance(days: 30)
            try await memory.update(agentID: "a", entry: entry("deploy the billing service", turn: 2))
            clock.advance(days: 30)
            try await memory.update(agentID: "a", entry: entry("deploy the billing service", turn: 3))
            try await memory.update(agentID: "a", entry: entry("a zebra crossing", turn: 4))
            clock.advance(days: 1)

            #expect(turns(try await memory.recall(agentID: "a", query: "deploy billing")) == [3, 2])
            // Sixty days old but matching all three words beats yesterday's single word.
            #expect(turns(try await memory.recall(agentID: "a", query: "zebra giraffe okapi")) == [1, 4])
        }
    }

    @Test func recencyWeightZeroRanksByRelevanceAloneAndNewerWinsTies() async throws {
        try await withDirectory { directory in
            let clock = ManualClock(Self.noon)
            let memory = try SQLiteMemory(path: directory.appendingPathComponent("m.sqlite").path,
                                          options: SQLiteMemoryOptions(recencyWeight: 0), clock: clock.function)
            try await memory.update(agentID: "a", entry: entry("release notes draft", turn: 1))
            clock.advance(days: 100)
            try await memory.update(agentID: "a", entry: entry("release notes draft", turn: 2))
            #expect(turns(try await memory.recall(agentID: "a", query: "release notes")) == [2, 1])
        }
    }

    @Test func recallReturnsAtMostTheLimit() async throws {
        try await withDirectory { directory in
            let path = directory.appendingPathComponent("m.sqlite").path
            let memory = try SQLiteMemory(path: path)
            for turn in 1...6 { try await memory.update(agentID: "a", entry: entry("standup notes \(turn)", turn: turn)) }
            #expect(try await memory.recall(agentID: "a", query: "standup").count == 3)
            memory.close()
            #expect(try await SQLiteMemory(path: path, options: SQLiteMemoryOptions(recallLimit: 5))
                .recall(agentID: "a", query: "standup").count == 5)
            #expect(try await SQLiteMemory(path: path, options: SQLiteMemoryOptions(recallLimit: 0))
                .recall(agentID: "a", query: "standup").isEmpty)
        }
    }

    // MARK: Isolation and persistence

    @Test func agentsSeeOnlyTheirOwnMemories() async throws {
        try await withDirectory { directory in
            let memory = try SQLiteMemory(path: directory.appendingPathComponent("m.sqlite").path)
            let secret = entry("the secret launch codes are in the vault", turn: 1)
            let party = entry("plan the launch party", turn: 1)
            try await memory.update(agentID: "alice", entry: secret)
            try await memory.update(agentID: "bob", entry: party)

            #expect(try await memory.recall(agentID: "bob", query: "secret launch codes vault") == [party])
            #expect(try await memory.recall(agentID: "alice", query: "launch party") == [secret])
            #expect(try await memory.recall(agentID: "carol", query: "launch").isEmpty)
            // An agent id that looks like SQL is just a value.
            #expect(try await memory.recall(agentID: "x' OR '1'='1", query: "launch").isEmpty)
            #expect(try memory.stored(agentID: "alice") == [secret])
            #expect(try memory.stored(agentID: "bob") == [party])
        }
    }

    @Test func memoriesSurviveClosingAndReopeningTheFile() async throws {
        try await withDirectory { directory in
            // The directory does not exist yet: the memory creates it.
            let path = directory.appendingPathComponent("nested/deeper/memory.sqlite").path
            let stored = entry("my cat is called Miso", "Nice name!", turn: 4)
            do {
                let memory = try SQLiteMemory(path: path)
                try await memory.update(agentID: "a", entry: stored)
                memory.close()
                await #expect(throws: SessionError.self) { try await memory.recall(agentID: "a", query: "cat") }
            }
            let reopened = try SQLiteMemory(path: path)
            #expect(try await reopened.recall(agentID: "a", query: "what is my cat called?") == [stored])
            try await reopened.update(agentID: "a", entry: entry("Miso likes tuna", turn: 5))
            #expect(turns(try await reopened.recall(agentID: "a", query: "miso")).sorted() == [4, 5])
            reopened.close()

            let raw = try SQLiteDatabase(path: path)
            #expect(try raw.scalarText("PRAGMA user_version") == String(SQLiteMemory.schemaVersion))
            raw.close()
        }
    }

    @Test func aFileFromANewerSchemaIsRefused() async throws {
        try await withDirectory { directory in
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let path = directory.appendingPathComponent("future.sqlite").path
            let raw = try SQLiteDatabase(path: path)
            try raw.execute("PRAGMA user_version=99")
            raw.close()
            #expect(throws: SessionError.self) { try SQLiteMemory(path: path) }
        }
    }

    // MARK: Hostile queries

    @Test func ftsSyntaxInQueriesIsHarmless() async throws {
        try await withDirectory { directory in
            let memory = try SQLiteMemory(path: directory.appendingPathComponent("m.sqlite").path)
            let tricky = entry("he said \"hello\" (AND) NEAR the café 🎉 col:value", turn: 1)
            try await memory.update(agentID: "a", entry: tricky)
            try await memory.update(agentID: "a", entry: entry("plain words only", turn: 2))
            let queries = [
                "\"", "AND OR (", "🎉🔥👩‍👩‍👧", "", "   ", "NEAR(a b)", "NEAR", "col:value", "input:hello", "*", "hel*", "^start",
                "\"unterminated", "a\" OR \"b", "-minus", "NOT", "()", ")(", "{input response}: hello", "'; DROP TABLE memories; --",
                String(repeating: "word ", count: 2_000), "\u{0}hello", "x AND", "AND AND AND",
            ]
            for query in queries {
                _ = try await memory.recall(agentID: "a", query: query)
            }
            #expect(try await memory.recall(agentID: "a", query: "\"").isEmpty)
            #expect(try await memory.recall(agentID: "a", query: "🎉").isEmpty)
            #expect(try await memory.recall(agentID: "a", query: "AND OR (") == [tricky])
            #expect(try await memory.recall(agentID: "a", query: "\"hello\"") == [tricky])
            // Diacritics are folded both ways.
            #expect(try await memory.recall(agentID: "a", query: "cafe") == [tricky])
            #expect(try memory.stored(agentID: "a").count == 2)
        }
    }

    @Test func queriesBecomeQuotedOrOfWordsOfThreeBytesOrMore() {
        #expect(FTSQuery.expression(for: "\"") == nil)
        #expect(FTSQuery.expression(for: "🎉 a is") == nil)
        #expect(FTSQuery.expression(for: "AND OR (") == "\"AND\"")
        #expect(FTSQuery.expression(for: "NEAR(deploy* col:x)") == "\"NEAR\" OR \"deploy\" OR \"col\"")
        #expect(FTSQuery.expression(for: "Tea tea TEA coffee") == "\"Tea\" OR \"coffee\"")
        #expect(FTSQuery.expression(for: "東 京都") == "\"東\" OR \"京都\"")
        let many = (1...100).map { "word\($0)" }.joined(separator: " ")
        #expect(FTSQuery.expression(for: many)?.components(separatedBy: " OR ").count == FTSQuery.maxTerms)
    }

    // MARK: Consolidation

    /// Stores turns 1–3 on 2026-11-10 (09:00, 12:00, 20:00), turn 4 on 2026-11-11, turns 5 and 6
    /// yesterday (2026-11-19) for agent `a`, and one turn for agent `b` on 2026-11-10.
    private func storePlantDiary(in memory: SQLiteMemory, clock: ManualClock) async throws {
        let start = Self.noon.addingTimeInterval(-10 * 86_400)
        for (hours, turn) in [(-3.0, 1), (0, 2), (8, 3)] {
            clock.set(start.addingTimeInterval(hours * 3_600))
            let extra: [String: ContextValue] = turn == 2 ? ["working_memory": .string("greenhouse")] : [:]
            try await memory.update(agentID: "a", entry: entry("orchid watering \(turn)", "reply \(turn)", turn: turn, extra: extra))
        }
        try await memory.update(agentID: "b", entry: entry("orchid", turn: 1))
        try await memory.update(agentID: "b", entry: entry("orchid again", turn: 2))
        clock.set(start.addingTimeInterval(86_400))
        try await memory.update(agentID: "a", entry: entry("fern repotting", turn: 4))
        clock.set(Self.noon.addingTimeInterval(-86_400))
        try await memory.update(agentID: "a", entry: entry("orchid fertiliser", turn: 5))
        try await memory.update(agentID: "a", entry: entry("cactus sunlight", turn: 6))
        clock.set(Self.noon)
    }

    @Test func consolidationMergesEachWholeOldDayIntoOneDigestOnce() async throws {
        try await withDirectory { directory in
            let clock = ManualClock(Self.noon)
            let memory = try SQLiteMemory(path: directory.appendingPathComponent("m.sqlite").path, clock: clock.function)
            try await storePlantDiary(in: memory, clock: clock)

            let report = try await memory.consolidate(agentID: "a", now: Self.noon)
            #expect(report == MemoryConsolidation(merged: 3, digests: 1, pruned: 0, remaining: 4))
            let digest = ContextValue.map([
                "input": .string("orchid watering 1\norchid watering 2\norchid watering 3"),
                "response": .string("reply 1\nreply 2\nreply 3"),
                "input_type": .string("digest"), "turn": .integer(3), "merged_turns": .integer(3),
                "day": .string("2026-11-10"), "working_memory": .string("greenhouse"),
            ])
            let stored = try memory.stored(agentID: "a")
            #expect(stored.first == digest)
            #expect(turns(stored) == [3, 4, 5, 6])
            #expect(try await memory.recall(agentID: "a", query: "watering") == [digest])
            #expect(try await memory.recall(agentID: "a", query: "greenhouse") == [digest])
            // Agent b's day is untouched by a's consolidation.
            #expect(turns(try memory.stored(agentID: "b")) == [1, 2])

            // Nothing left to merge: a second run, even days later, changes nothing.
            #expect(try await memory.consolidate(agentID: "a", now: Self.noon) == MemoryConsolidation(remaining: 4))
            #expect(try await memory.consolidate(agentID: "a", now: Self.noon.addingTimeInterval(2 * 86_400))
                == MemoryConsolidation(remaining: 4))
            #expect(try memory.stored(agentID: "a") == stored)
            // Once yesterday is old enough, its two turns merge too.
            let later = try await memory.consolidate(agentID: "a", now: Self.noon.addingTimeInterval(8 * 86_400))
            #expect(later == MemoryConsolidation(merged: 2, digests: 1, pruned: 0, remaining: 3))
            #expect(try await memory.consolidate(agentID: "b", now: Self.noon)
                == MemoryConsolidation(merged: 2, digests: 1, pruned: 0, remaining: 1))
        }
    }

    @Test func consolidationKeepsTheNewestEntriesUpToTheCap() async throws {
        try await withDirectory { directory in
            let clock = ManualClock(Self.noon)
            let policy = MemoryConsolidationPolicy(maxEntriesPerAgent: 2, mergeAfter: .seconds(365 * 86_400))
            let memory = try SQLiteMemory(path: directory.appendingPathComponent("m.sqlite").path,
                                          options: SQLiteMemoryOptions(consolidation: policy), clock: clock.function)
            try await storePlantDiary(in: memory, clock: clock)
            let report = try await memory.consolidate(agentID: "a", now: Self.noon)
            #expect(report == MemoryConsolidation(merged: 0, digests: 0, pruned: 4, remaining: 2))
            #expect(turns(try memory.stored(agentID: "a")) == [5, 6])
            #expect(try await memory.recall(agentID: "a", query: "watering").isEmpty)
            #expect(turns(try memory.stored(agentID: "b")) == [1, 2])
        }
    }

    @Test func digestsAreCutToTheCharacterLimit() async throws {
        try await withDirectory { directory in
            let clock = ManualClock(Self.noon)
            let policy = MemoryConsolidationPolicy(digestCharacterLimit: 20)
            let memory = try SQLiteMemory(path: directory.appendingPathComponent("m.sqlite").path,
                                          options: SQLiteMemoryOptions(consolidation: policy), clock: clock.function)
            try await storePlantDiary(in: memory, clock: clock)
            _ = try await memory.consolidate(agentID: "a", now: Self.noon)
            let digest = try #require(try memory.stored(agentID: "a").first)
            guard case .map(let fields) = digest else { Issue.record("not a map"); return }
            #expect(fields["input"] == .string("orchid watering 1\nor"))
            #expect(fields["merged_turns"] == .integer(3))
        }
    }

    // MARK: Graphs

    private func compile(_ text: String) throws -> CompiledGraph {
        try SessionGraphs.compile(text: text, file: "<memory test>", registry: SessionHandlers.registry)
    }

    private func context(agentID: String, input: String = "", turn: Int = 0) -> Context {
        Context([
            SessionKeys.agentID: .string(agentID), SessionKeys.input: .string(input), SessionKeys.turnCount: .integer(turn),
            SessionKeys.messages: .list([]), SessionKeys.goals: .list([]), SessionKeys.runKind: .string("turn"),
            SessionKeys.sessionID: .string("s-\(agentID)"), SessionKeys.cognitiveMode: .string("reflection"),
        ])
    }

    @Test func theDefaultTurnGraphRecallsWhatEarlierTurnsStored() async throws {
        try await withDirectory { directory in
            let memory = try SQLiteMemory(path: directory.appendingPathComponent("m.sqlite").path)
            let graph = try compile(DefaultSessionGraphs.turn)
            let adapters = AdapterSet(llm: SimulatedSessionLLM(), memory: memory)
            let first = await Engine().run(graph, context: context(agentID: "a", input: "remember the blue notebook"), adapters: adapters)
            #expect(first.status == .success, "\(first.failureReason ?? "")")
            #expect(first.context[SessionKeys.recalledMemories] == .list([]))
            let second = await Engine().run(graph, context: context(agentID: "a", input: "where is the notebook?", turn: 1), adapters: adapters)
            #expect(second.status == .success, "\(second.failureReason ?? "")")
            guard case .list(let recalled)? = second.context[SessionKeys.recalledMemories] else {
                Issue.record("no recalled memories")
                return
            }
            #expect(recalled.count == 1)
            if case .map(let fields)? = recalled.first {
                #expect(fields["input"] == .string("remember the blue notebook"))
                #expect(fields["turn"] == .integer(0))
            }
        }
    }

    @Test func theConsolidateNodeRunsInAHeartbeatGraph() async throws {
        try await withDirectory { directory in
            let graph = try compile("""
                digraph heartbeat { start [shape=Mdiamond]; select_mode [type="session.mode_select"]
                    consolidate [type="session.memory_consolidate"]; done [shape=Msquare]
                    start -> select_mode -> consolidate -> done }
                """)
            // Entries stored thirty days ago, by the real clock the node uses.
            let clock = ManualClock(Date().addingTimeInterval(-30 * 86_400))
            let memory = try SQLiteMemory(path: directory.appendingPathComponent("m.sqlite").path, clock: clock.function)
            for turn in 1...3 { try await memory.update(agentID: "a", entry: entry("old note \(turn)", turn: turn)) }
            let result = await Engine().run(graph, context: context(agentID: "a"), adapters: AdapterSet(memory: memory))
            #expect(result.status == .success, "\(result.failureReason ?? "")")
            // The clock stands still, so the three turns share one day and make one digest.
            #expect(result.context[MemoryConsolidateHandler.reportKey]
                == MemoryConsolidation(merged: 3, digests: 1, pruned: 0, remaining: 1).contextValue)

            // A memory that does not consolidate is fine; no memory at all is a configuration error.
            let inMemory = await Engine().run(graph, context: context(agentID: "a"), adapters: AdapterSet(memory: InMemoryMemory()))
            #expect(inMemory.status == .success)
            #expect(inMemory.context[MemoryConsolidateHandler.reportKey] == nil)
            let none = await Engine().run(graph, context: context(agentID: "a"), adapters: AdapterSet())
            #expect(none.status == .fail)
            #expect(none.failureReason?.contains("needs a memory adapter") == true)
            #expect(SessionHandlers.requiredAdapters["session.memory_consolidate"] == .memory)
        }
    }

    @Test func theDefaultHeartbeatConsolidatesTheSessionsMemory() async throws {
        try await withDirectory { directory in
            let clock = ManualClock(Date().addingTimeInterval(-30 * 86_400))
            let memory = try SQLiteMemory(path: directory.appendingPathComponent("m.sqlite").path, clock: clock.function)
            for turn in 1...4 { try await memory.update(agentID: "agent", entry: entry("old note \(turn)", turn: turn)) }
            let events = SessionEventBus()
            let log = EventLog(events)
            // The session runs the embedded default graphs; only its memory is SQLite.
            let session = try Support.session(
                adapters: SessionAdapters(set: AdapterSet(llm: SimulatedSessionLLM(), memory: memory)), events: events)
            #expect(session.triggerHeartbeat())
            await session.waitForHeartbeat()
            #expect(log.kinds(["heartbeat_completed", "heartbeat_failed"]) == ["heartbeat_completed"])
            let recalled = try await memory.recall(agentID: "agent", query: "old note")
            #expect(recalled.count == 1, "the four old entries of one day become one digest")
            guard case .map(let digest)? = recalled.first else { Issue.record("no digest recalled"); return }
            #expect(digest["input_type"] == .string("digest"))
            #expect(digest["merged_turns"] == .integer(4))
        }
    }

    // MARK: Concurrency

    @Test func concurrentSessionsStoreAndRecallTheirOwnMemories() async throws {
        try await withDirectory { directory in
            let memory = try SQLiteMemory(path: directory.appendingPathComponent("m.sqlite").path,
                                          options: SQLiteMemoryOptions(recallLimit: 50, readerConnections: 3))
            let agents = (0..<12).map { "agent-\($0)" }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for agent in agents {
                    group.addTask {
                        for turn in 0..<20 {
                            try await memory.update(agentID: agent, entry: entry("shared topic \(agent) turn", turn: turn))
                            _ = try await memory.recall(agentID: agent, query: "shared topic")
                        }
                    }
                }
                try await group.waitForAll()
            }
            try await withThrowingTaskGroup(of: (String, [ContextValue]).self) { group in
                for agent in agents { group.addTask { (agent, try await memory.recall(agentID: agent, query: "shared topic")) } }
                for try await (agent, found) in group {
                    #expect(found.count == 20)
                    #expect(Set(turns(found)) == Set(0..<20))
                    for value in found {
                        if case .map(let fields) = value { #expect(fields["input"] == .string("shared topic \(agent) turn")) }
                    }
                }
            }
        }
    }
}
