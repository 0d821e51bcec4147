import Foundation
import Testing

/// `trellis serve --stdio` driven as a separate process.
@Suite(.timeLimit(.minutes(1))) struct ServeTests {
    @Test func servesSessionsOverJSONRPCAndSurvivesBadRequests() async throws {
        let directory = try ServeProcess.temporaryDirectory()
        let server = try ServeProcess(["--no-heartbeats"], in: directory)
        let created = try await server.call("session.create", ["session_id": "one", "session_type": "background"])
        #expect(created["session_id"] as? String == "one")
        _ = try await server.call("events.subscribe", ["topic_prefix": "session.one"])
        for turn in 1...3 {
            let result = try await server.call("session.send", ["session_id": "one", "message": "hello \(turn)"])
            #expect(result["reply"] as? String == "Response \(turn)")
            #expect(result["turn_count"] as? Int == turn)
            #expect(result["latency_us"] is Int)
        }
        server.write("this is not json")
        let unknown = try await server.response(try server.send("session.teleport"))
        #expect((unknown["error"] as? [String: Any])?["code"] as? Int == -32601)
        let missing = try await server.response(try server.send("session.send", ["session_id": "nobody", "message": "x"]))
        #expect(((missing["error"] as? [String: Any])?["message"] as? String)?.contains("nobody") == true)
        // Still serving.
        let state = try await server.call("session.state", ["session_id": "one"])
        #expect(state["turn_count"] as? Int == 3)
        #expect(state["phase"] as? String == "idle")
        #expect(state["session_type"] as? String == "background")
        let messages = try #require(state["messages"] as? [[String: Any]])
        #expect(messages.count == 6)
        #expect(messages.last?["content"] as? String == "Response 3")
        let list = try await server.call("session.list")
        #expect((list["sessions"] as? [[String: Any]])?.count == 1)
        #expect(try await server.call("session.stop", ["session_id": "one"])["stopped"] as? Bool == true)
        #expect(await server.finish() == 0)
        let kinds = server.events.compactMap { ($0["params"] as? [String: Any])?["kind"] as? String }
        #expect(kinds.filter { $0 == "turn_completed" }.count == 3)
        #expect(kinds.contains("session_stopped"))
    }

    @Test func pipelinedMessagesToOneSessionRunInArrivalOrder() async throws {
        let server = try ServeProcess(["--no-heartbeats"], in: ServeProcess.temporaryDirectory())
        _ = try server.send("session.create", ["session_id": "p"])
        let ids = try (1...50).map { try server.send("session.send", ["session_id": "p", "message": "m\($0)"]) }
        for (index, id) in ids.enumerated() {
            let result = try #require(try await server.response(id)["result"] as? [String: Any])
            #expect(result["turn_count"] as? Int == index + 1)
        }
        let state = try await server.call("session.state", ["session_id": "p"])
        let users = (state["messages"] as? [[String: Any]] ?? []).filter { $0["role"] as? String == "user" }
        #expect(users.map { $0["content"] as? String ?? "" } == (1...50).map { "m\($0)" })
        #expect(await server.finish() == 0)
    }

    @Test func aKilledServerLosesNoAcknowledgedTurn() async throws {
        let directory = try ServeProcess.temporaryDirectory()
        let store = directory + "/sessions.sqlite"
        let first = try ServeProcess(["--store", store, "--durability", "sync", "--no-heartbeats"], in: directory)
        for name in ["a", "b", "c"] { _ = try await first.call("session.create", ["session_id": name]) }
        // Pipeline many turns on three sessions, then kill the server in the middle of them.
        var pending: [(session: String, id: Int)] = []
        for turn in 1...150 {
            for name in ["a", "b", "c"] {
                pending.append((name, try first.send("session.send", ["session_id": name, "message": "\(name)-\(turn)"])))
            }
        }
        try await first.kill9(afterResponseTo: pending[60].id)
        var acknowledged: [String: Int] = [:]
        for (session, id) in pending {
            guard let result = first.received[id]?["result"] as? [String: Any], let turn = result["turn_count"] as? Int else { continue }
            acknowledged[session] = max(acknowledged[session] ?? 0, turn)
        }
        #expect((acknowledged["a"] ?? 0) >= 21, "request 61 (turn 21 of a) was answered before the kill")
        #expect(acknowledged.values.reduce(0, +) < 450, "the kill came after every turn; the test proves nothing")

        let second = try ServeProcess(["--store", store, "--durability", "sync", "--no-heartbeats"], in: directory)
        for name in ["a", "b", "c"] {
            let state = try await second.call("session.state", ["session_id": name])
            let turns = try #require(state["turn_count"] as? Int)
            #expect(turns >= acknowledged[name] ?? 0)
            let messages = try #require(state["messages"] as? [[String: Any]])
            #expect(messages.count == 2 * turns)
            for turn in 1...max(1, acknowledged[name] ?? 0) where turn <= turns {
                #expect(messages[2 * (turn - 1)]["content"] as? String == "\(name)-\(turn)")
                #expect(messages[2 * turn - 1]["content"] as? String == "Response \(turn)")
            }
            let journal = try await second.call("session.journal", ["session_id": name])
            #expect((journal["turns"] as? [[String: Any]])?.count == turns)
            // The restored session goes on where it stopped.
            let next = try await second.call("session.send", ["session_id": name, "message": "after restart"])
            #expect(next["turn_count"] as? Int == turns + 1)
            #expect(next["reply"] as? String == "Response \(turns + 1)")
        }
        #expect(await second.finish() == 0)
    }

    @Test func scheduledHeartbeatsRunAndAreLoggedAsJSONLines() async throws {
        let directory = try ServeProcess.temporaryDirectory()
        let log = directory + "/events.jsonl"
        let server = try ServeProcess(["--heartbeat-interval", "primary=30", "--heartbeat-interval", "background=0",
                                       "--events", log], in: directory)
        _ = try await server.call("events.subscribe")
        _ = try await server.call("session.create", ["session_id": "beating"])
        _ = try await server.call("session.create", ["session_id": "quiet", "session_type": "background"])
        let heartbeat = try await server.waitForEvent("heartbeat_completed")
        #expect(heartbeat["session_id"] as? String == "beating")
        #expect((heartbeat["fields"] as? [String: Any])?["cognitive_mode"] as? String == "reflection")
        #expect(try await server.call("session.state", ["session_id": "quiet"])["heartbeat_interval"] as? Int == 0)
        #expect(try await server.call("session.state", ["session_id": "beating"])["heartbeat_interval"] as? Int == 30)
        #expect(await server.finish() == 0)
        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        let kinds = lines.compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["kind"] as? String
        }
        #expect(kinds.count == lines.count)
        #expect(kinds.contains("heartbeat_completed"))
        #expect(kinds.contains("session_created"))
        let usage = try ServeProcess(["--heartbeat-interval", "robot=5"], in: directory)
        #expect(await usage.finish() == 2)
    }

    @Test func aBrokenGraphFileIsReportedWithItsLocationAndTheOldOneServes() async throws {
        let directory = try ServeProcess.temporaryDirectory()
        let turnPath = directory + "/turn.dot"
        let good = """
            digraph turn { start [shape=Mdiamond]; call [type="session.llm_call"]; format [type="session.format", prefix="ok: "]
                           done [shape=Msquare]; start -> call -> format -> done }
            """
        try good.write(toFile: turnPath, atomically: true, encoding: .utf8)
        let server = try ServeProcess(["--turn-graph", turnPath, "--no-heartbeats"], in: directory)
        _ = try await server.call("session.create", ["session_id": "g"])
        try "digraph turn {\n  start [shape=Mdiamond\n}\n".write(toFile: turnPath, atomically: true, encoding: .utf8)
        let failed = try await server.response(try server.send("graphs.reload"))
        let error = try #require(failed["error"] as? [String: Any])
        #expect(error["code"] as? Int == -32001)
        #expect((error["message"] as? String)?.contains("turn.dot:") == true)
        #expect(try await server.call("session.send", ["session_id": "g", "message": "hi"])["reply"] as? String == "ok: Response 1")
        #expect(await server.finish() == 0)
    }
}
