import Foundation
import Testing
import TrellisPostgresCluster
import TrellisTestSupport

/// `trellis serve --stdio` processes sharing one PostgreSQL database (the run's throwaway
/// cluster): sessions spread over hosts, a turn to the wrong host refused naming the owner,
/// a SIGKILLed host's sessions taken over with every acknowledged turn and none twice, and
/// a host paused past its lease unable to write.
@Suite(.timeLimit(.minutes(3))) struct ServeSharedStoreTests {
    private func host(_ id: String, _ url: String, in directory: String) throws -> ServeProcess {
        try ServeProcess(["--store", url, "--durability", "sync", "--lease-ttl", "2s", "--host-id", id, "--no-heartbeats"],
                         in: directory)
    }

    private func errorKind(_ answer: [String: Any]) -> (kind: String?, owner: String?) {
        let data = (answer["error"] as? [String: Any])?["data"] as? [String: Any]
        return (data?["kind"] as? String, data?["owner"] as? String)
    }

    /// Sends to `server` until the session is taken over (the owner's lease expires); returns the result.
    private func sendUntilTakenOver(_ server: ServeProcess, _ session: String, _ message: String) async throws -> [String: Any] {
        let deadline = Date(timeIntervalSinceNow: 60)
        while Date() < deadline {
            let answer = try await server.response(try server.send("session.send", ["session_id": session, "message": message]))
            if let result = answer["result"] as? [String: Any] { return result }
            guard errorKind(answer).kind == "leased" else { throw ServeProcess.Failure(description: "unexpected answer: \(answer)") }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw ServeProcess.Failure(description: "session \(session) was not taken over within 60 s")
    }

    @Test func hostsShareSessionsAndAKilledHostsSessionsAreTakenOver() async throws {
        let url = try await PostgresCluster.newDatabase()
        let directory = try ServeProcess.temporaryDirectory()
        let first = try host("host-a", url, in: directory)
        let second = try host("host-b", url, in: directory)
        _ = try await first.call("session.create", ["session_id": "a"])
        _ = try await second.call("session.create", ["session_id": "b"])
        #expect(try await second.call("session.send", ["session_id": "b", "message": "b-1"])["turn_count"] as? Int == 1)

        // Each host lists every session of the store, with the host that holds it.
        let listed = try #require(try await second.call("session.list")["sessions"] as? [[String: Any]])
        #expect(listed.compactMap { $0["session_id"] as? String } == ["a", "b"])
        #expect(listed.map { $0["owner"] as? String } == ["host-a", "host-b"])
        #expect(listed.map { $0["local"] as? Bool } == [false, true])
        #expect(listed.map { $0["turn_count"] as? Int } == [0, 1])

        // The wrong host refuses, naming the owner; the turn does not run there.
        let wrong = try await second.response(try second.send("session.send", ["session_id": "a", "message": "misrouted"]))
        #expect(errorKind(wrong).kind == "leased")
        #expect(errorKind(wrong).owner == "host-a")

        // A load on host-a, killed in the middle.
        var pending: [Int] = []
        for turn in 1...60 { pending.append(try first.send("session.send", ["session_id": "a", "message": "a-\(turn)"])) }
        try await first.kill9(afterResponseTo: pending[9])
        let acknowledged = pending.compactMap { (first.received[$0]?["result"] as? [String: Any])?["turn_count"] as? Int }.max() ?? 0
        #expect(acknowledged >= 10)

        // host-b takes "a" over once the lease expires, with every acknowledged turn.
        let next = try await sendUntilTakenOver(second, "a", "after the kill")
        let turns = try #require(next["turn_count"] as? Int)
        #expect(turns >= acknowledged + 1)
        let journal = try #require(try await second.call("session.journal", ["session_id": "a"])["turns"] as? [[String: Any]])
        #expect(journal.compactMap { $0["turn"] as? Int } == Array(1...turns), "every turn once, none twice")
        let inputs = journal.compactMap { $0["input"] as? String }
        #expect(Array(inputs.prefix(turns - 1)) == (1..<turns).map { "a-\($0)" })
        #expect(!inputs.contains("misrouted"))
        #expect(inputs.last == "after the kill")
        #expect(await second.finish() == 0)
    }

    @Test func chatTakesASharedSessionByLeaseAndIsRefusedOneAnotherHostHolds() async throws {
        let url = try await PostgresCluster.newDatabase()
        let directory = try ServeProcess.temporaryDirectory()
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasSuffix("_API_KEY") }
        environment["XDG_DATA_HOME"] = directory + "/data"
        environment["XDG_CONFIG_HOME"] = directory + "/config"
        func chat(_ session: String, _ input: String) async throws -> ChildProcess.Result {
            try await ChildProcess.runOffThePool(try BuiltProducts.trellis(), [
                "chat", "--llm", "simulated", "--memory", "in_memory", "--store", url, "--session", session,
                "--lease-ttl", "2s", "--host-id", "chat-1",
            ], in: directory, input: input, environment: environment)
        }
        #expect(try await chat("c", "one\ntwo\n").output == "Response 1\nResponse 2\n")
        // The chat released its lease on exit: the next one resumes the stored conversation.
        #expect(try await chat("c", "three\n").output == "Response 3\n")

        // A session a serve host holds is refused, naming that host; nothing runs.
        let server = try host("host-s", url, in: directory)
        _ = try await server.call("session.create", ["session_id": "held"])
        let refused = try await chat("held", "hello\n")
        #expect(refused.status != 0)
        #expect(refused.errors.contains("leased by host 'host-s'"), "\(refused.errors)")
        #expect(refused.output.isEmpty)
        let listed = try #require(try await server.call("session.list")["sessions"] as? [[String: Any]])
        #expect(listed.first { $0["session_id"] as? String == "c" }?["turn_count"] as? Int == 3)
        #expect(await server.finish() == 0)
    }

    /// The store benchmark runs end to end (its own cluster, two serve hosts, a SIGKILL, then
    /// turns on PostgreSQL in process) and reports its figures; how fast is for the release
    /// bench, not for this test.
    @Test func theFailoverBenchmarkRunsAndReportsAFigure() async throws {
        let directory = try ServeProcess.temporaryDirectory()
        let environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasSuffix("_API_KEY") }
        // Waited for off the cooperative pool: the run takes tens of seconds, and a pool
        // thread blocked that long starves the tests running beside it.
        let result = try await ChildProcess.runOffThePool(try BuiltProducts.trellis(), ["bench", "store", "--quick", "--json"],
                                                         in: directory, environment: environment, timeout: .seconds(150))
        #expect(result.status == 0, "\(result.errors)")
        let line = try #require(result.output.split(separator: "\n").first { $0.contains("\"suite\":\"store\"") })
        let figure = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(figure["unit"] as? String == "ms")
        #expect((figure["value"] as? Double ?? 0) > 0)
        #expect((figure["detail"] as? String ?? "").contains("all present after the takeover"))
        // Benchmark 12 follows, on a database of the suite's own cluster.
        let names = result.output.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["name"] as? String
        }
        for durability in ["batched", "sync"] {
            #expect(names.contains("12 postgres turn (\(durability)) p50"), "\(names)")
            #expect(names.contains("12 postgres throughput 50 sessions (\(durability))"), "\(names)")
        }
    }

    @Test func aHostPausedPastItsLeaseCannotWrite() async throws {
        let url = try await PostgresCluster.newDatabase()
        let directory = try ServeProcess.temporaryDirectory()
        let paused = try host("host-p", url, in: directory)
        _ = try await paused.call("session.create", ["session_id": "p"])
        _ = try await paused.call("session.send", ["session_id": "p", "message": "before"])
        kill(paused.process.processIdentifier, SIGSTOP)
        defer { kill(paused.process.processIdentifier, SIGCONT) }
        let other = try host("host-q", url, in: directory)
        let taken = try await sendUntilTakenOver(other, "p", "taken over")
        #expect(taken["turn_count"] as? Int == 2)
        kill(paused.process.processIdentifier, SIGCONT)

        // The paused host may still hold its copy; its turn must not reach the database.
        let late = try await paused.response(try paused.send("session.send", ["session_id": "p", "message": "late"]))
        #expect(late["result"] == nil, "a host that lost its lease ran a turn: \(late)")
        #expect(["leased", "lease_lost"].contains(errorKind(late).kind ?? ""))
        let journal = try #require(try await other.call("session.journal", ["session_id": "p"])["turns"] as? [[String: Any]])
        #expect(journal.compactMap { $0["input"] as? String } == ["before", "taken over"])
        #expect(await paused.finish() == 0)
        #expect(await other.finish() == 0)
    }
}
