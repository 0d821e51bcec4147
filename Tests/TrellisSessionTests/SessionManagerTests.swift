import Foundation
import Testing
import TrellisEngine
@testable import TrellisSession
import TrellisTestSupport

@Suite(.timeLimit(.minutes(1))) struct SessionManagerTests {
    private func turnGraph(prefix: String) -> String {
        """
        digraph turn {
            start [shape=Mdiamond]
            classify [type="session.classify"]
            recall [type="session.memory_recall"]
            call_llm [type="session.llm_call"]
            format [type="session.format", prefix="\(prefix)"]
            update_memory [type="session.memory_update"]
            done [shape=Msquare]
            start -> classify -> recall -> call_llm -> format -> update_memory -> done
        }
        """
    }

    private func write(_ text: String, to path: String) throws {
        // Write then rename, as editors do, so a reader never sees half a file.
        try text.write(toFile: path + ".tmp", atomically: false, encoding: .utf8)
        _ = rename(path + ".tmp", path)
    }

    @Test func createLookUpListAndStop() async throws {
        let manager = try SessionManager(options: SessionManagerOptions(watchGraphs: false, heartbeats: .disabled))
        let first = try await manager.create(SessionConfiguration(sessionID: "a"))
        _ = try await manager.create(SessionConfiguration(sessionID: "b", sessionType: .consultation))
        #expect(manager.session("a") === first)
        #expect(manager.all.map(\.id) == ["a", "b"])
        await #expect(throws: SessionError.self) { try await manager.create(SessionConfiguration(sessionID: "a")) }
        try await manager.stop("a")
        #expect(manager.session("a") == nil)
        await #expect(throws: SessionError.self) { try await first.send("late") }
        await #expect(throws: SessionError.self) { try await manager.stop("a") }
        manager.shutdown()
    }

    @Test func thousandsOfSessionsEachCostOneEntry() async throws {
        let manager = try SessionManager(options: SessionManagerOptions(watchGraphs: false))
        for index in 0..<2_000 { _ = try await manager.create(SessionConfiguration(sessionID: "s\(index)")) }
        #expect(manager.count == 2_000)
        // Primary sessions heartbeat by default: one heap entry each, one scheduler task in all.
        #expect(manager.scheduler.scheduledCount == 2_000)
        #expect(try await manager.require("s1999").send("hi").reply == "Response 1")
        manager.shutdown()
    }

    @Test func reloadingTheTurnGraphTenTimesUnderLoadLosesNoTurn() async throws {
        let directory = try Support.temporaryDirectory()
        let path = directory + "/turn.dot"
        try write(turnGraph(prefix: "v0: "), to: path)
        let manager = try SessionManager(options: SessionManagerOptions(
            turnGraphPath: path, watchGraphs: true, watchInterval: .milliseconds(10), heartbeats: .disabled))
        let log = EventLog(manager.events, topicPrefix: SessionManager.topic)
        let sessions = try await (0..<50).asyncMap { index in
            try await manager.create(SessionConfiguration(sessionID: "load\(index)"))
        }
        // Sessions send back to back until every reload has been picked up by the watcher
        // (which must not be starved by sessions whose adapters answer at once).
        let stop = Gate()
        async let load: [[String]] = withThrowingTaskGroup(of: [String].self) { group in
            for session in sessions {
                group.addTask {
                    var replies: [String] = []
                    while !stop.isOpen || replies.count < 5 {
                        // A failed wait below leaves the gate shut; leaving the scope then cancels
                        // this `async let`, which ends the loop here.
                        try Task.checkCancellation()
                        replies.append(try await session.send("turn \(replies.count + 1)").reply)
                    }
                    return replies
                }
            }
            var all: [[String]] = []
            for try await replies in group { all.append(replies) }
            return all
        }
        for version in 1...10 {
            try write(turnGraph(prefix: "v\(version): "), to: path)
            let target = UInt64(version + 1)
            try await waitUntil("the watcher to publish graph generation \(target)") {
                manager.graphs.current.number >= target
            }
        }
        stop.open()
        let replies = try await load
        #expect(replies.count == 50)
        for sessionReplies in replies {
            // Every turn ran wholly on one generation, and generations only move forward.
            var lastVersion = 0
            for (index, reply) in sessionReplies.enumerated() {
                let parts = reply.split(separator: ":", maxSplits: 1)
                #expect(parts.count == 2)
                #expect(parts[1] == " Response \(index + 1)")
                let version = Int(parts[0].dropFirst()) ?? -1
                #expect(version >= lastVersion)
                lastVersion = version
            }
        }
        #expect(replies.map(\.count).reduce(0, +) == sessions.map(\.turnCount).reduce(0, +))
        #expect(log.kinds(["graph_reloaded"]).count >= 10)
        manager.shutdown()
    }

    @Test func aBrokenGraphKeepsTheOldOneServingAndReportsWhere() async throws {
        let directory = try Support.temporaryDirectory()
        let path = directory + "/turn.dot"
        try write(turnGraph(prefix: "good: "), to: path)
        let manager = try SessionManager(options: SessionManagerOptions(turnGraphPath: path, watchGraphs: false, heartbeats: .disabled))
        let log = EventLog(manager.events)
        let session = try await manager.create(SessionConfiguration())
        try write("digraph turn {\n  start [shape=Mdiamond]\n  start -> \n}\n", to: path)
        let report = manager.reloadGraphs()
        #expect(!report.succeeded)
        #expect(report.errors.contains("turn.dot:"))
        #expect(report.generation == 1)
        #expect(try await session.send("still served").reply == "good: Response 1")
        let failure = try #require(log.all.first { $0.kind == "graph_reload_failed" })
        #expect(failure.fields["error"]?.stringValue.contains("turn.dot:3") == true || failure.fields["error"]?.stringValue.contains("turn.dot:4") == true)
        // An unknown node type is a validation error with its location too.
        try write(turnGraph(prefix: "x").replacingOccurrences(of: "session.format", with: "session.nonexistent"), to: path)
        let unknownType = manager.reloadGraphs()
        #expect(!unknownType.succeeded)
        #expect(unknownType.errors.contains("session.nonexistent"))
        manager.shutdown()
    }

    @Test func eventsCarryTheTraceIDAndNodeTimings() async throws {
        let manager = try SessionManager(options: SessionManagerOptions(watchGraphs: false, heartbeats: .disabled))
        let session = try await manager.create(SessionConfiguration(traceID: "trace-42"))
        let log = EventLog(manager.events, topicPrefix: session.signalTopic)
        _ = try await session.send("hi")
        #expect(session.triggerHeartbeat())
        await session.waitForHeartbeat()
        #expect(log.kinds() == ["turn_started", "phase_changed", "phase_changed", "phase_changed", "phase_changed",
                                "turn_completed", "heartbeat_started", "heartbeat_completed"]
            || log.kinds().filter { !$0.hasPrefix("phase") } == ["turn_started", "turn_completed", "heartbeat_started", "heartbeat_completed"])
        for event in log.all {
            #expect(event.traceID == "trace-42")
            #expect(event.topic == session.signalTopic)
        }
        let completed = try #require(log.all.first { $0.kind == "turn_completed" })
        guard case .list(let timings)? = completed.fields["node_timings"] else { Issue.record("no node timings"); return }
        #expect(timings.count == 7)
        #expect(completed.jsonLine.contains("\"trace_id\":\"trace-42\""))
        manager.shutdown()
    }

    @Test func anUnknownAdapterNameFailsAtCreationNamingIt() async throws {
        let manager = try SessionManager(options: SessionManagerOptions(watchGraphs: false, heartbeats: .disabled))
        do {
            _ = try await manager.create(SessionConfiguration(config: ["llm_adapter": .string("gpt-9")]))
            Issue.record("an unknown adapter should fail")
        } catch {
            #expect(error.description.contains("gpt-9"))
            #expect(error.description.contains("simulated"))
        }
        manager.shutdown()
    }
}

extension Sequence where Element: Sendable {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
