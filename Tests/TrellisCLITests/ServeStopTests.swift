import Foundation
import Glibc
import Testing
import TrellisTestSupport

/// How `trellis serve` stops: on SIGTERM it drains what is in flight and commits; a client that
/// stops reading ends it cleanly instead of by SIGPIPE.
@Suite(.timeLimit(.minutes(1))) struct ServeStopTests {
    @Test("SIGTERM: the turn in flight is answered, the store committed, the exit status 0")
    func sigtermDrainsAndCommits() async throws {
        let directory = try ServeProcess.temporaryDirectory()
        let store = directory + "/sessions.sqlite"
        let server = try ServeProcess(["--store", store, "--llm-latency-ms", "400", "--no-heartbeats"], in: directory)
        _ = try await server.call("session.create", ["session_id": "s1"])
        let id = try server.send("session.send", ["session_id": "s1", "message": "hello"])
        try await Task.sleep(for: .milliseconds(100))  // the turn is waiting on its 400 ms model
        let (status, exited) = await server.stop(with: SIGTERM)
        #expect(exited && status == 0, "status \(status)")
        let response = try await server.response(id, within: 5)
        #expect((response["result"] as? [String: Any])?["reply"] as? String == "Response 1", "\(response)")
        // The committed turn is there for the next server.
        let next = try ServeProcess(["--store", store, "--no-heartbeats"], in: directory)
        let state = try await next.call("session.state", ["session_id": "s1"])
        #expect(state["turn_count"] as? Int == 1, "\(state)")
        #expect(await next.finish() == 0)
    }

    @Test("a client that stops reading ends the server cleanly, not by SIGPIPE")
    func closedOutputIsACleanExit() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try BuiltProducts.trellis())
        process.arguments = ["serve", "--stdio", "--llm", "simulated", "--memory", "in_memory", "--no-heartbeats"]
        process.currentDirectoryURL = URL(fileURLWithPath: try ServeProcess.temporaryDirectory())
        let input = Pipe.closingOnExec()
        let output = Pipe.closingOnExec()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        try output.fileHandleForReading.close()
        let request = #"{"jsonrpc":"2.0","id":1,"method":"session.list"}"# + "\n"
        for _ in 0..<3 { try? input.fileHandleForWriting.write(contentsOf: Data(request.utf8)) }
        #expect(ChildProcess.waitForExit(process, timeout: .seconds(30)))
        #expect(process.terminationReason == .exit, "ended by signal \(process.terminationStatus)")
        #expect(process.terminationStatus == 0)
        try? input.fileHandleForWriting.close()
    }
}

/// A refused `session.send` must not hold back the messages after it.
@Suite(.timeLimit(.minutes(1))) struct ServeTicketTests {
    @Test("a send refused for its parameters takes no arrival ticket: the next send is answered and the server exits at end of input")
    func refusedSendDoesNotWedgeTheSession() async throws {
        let server = try ServeProcess(["--no-heartbeats"], in: try ServeProcess.temporaryDirectory())
        _ = try await server.call("session.create", ["session_id": "s1"])
        let bad = try server.send("session.send", ["session_id": "s1", "message": 42])
        let good = try server.send("session.send", ["session_id": "s1", "message": "hello"])
        #expect((try await server.response(bad, within: 10)["error"] as? [String: Any])?["code"] as? Int == -32602)
        #expect((try await server.response(good, within: 10)["result"] as? [String: Any])?["reply"] as? String == "Response 1")
        #expect(await server.finish() == 0)
    }
}

/// `session.stop` keeps its place in the arrival order.
@Suite(.timeLimit(.minutes(1))) struct ServeStopOrderTests {
    @Test("create, send, stop and send written in one go: the first send is answered, the stop follows it, the last send fails as stopped")
    func pipelinedStopWaitsForEarlierSends() async throws {
        for _ in 0..<5 {
            let server = try ServeProcess(["--no-heartbeats", "--llm-latency-ms", "50"], in: try ServeProcess.temporaryDirectory())
            server.write(#"{"jsonrpc":"2.0","id":1,"method":"session.create","params":{"session_id":"s1"}}"# + "\n"
                + #"{"jsonrpc":"2.0","id":2,"method":"session.send","params":{"session_id":"s1","message":"hello"}}"# + "\n"
                + #"{"jsonrpc":"2.0","id":3,"method":"session.stop","params":{"session_id":"s1"}}"# + "\n"
                + #"{"jsonrpc":"2.0","id":4,"method":"session.send","params":{"session_id":"s1","message":"late"}}"# + "\n")
            let sent = try await server.response(2, within: 20)
            #expect((sent["result"] as? [String: Any])?["reply"] as? String == "Response 1", "\(sent)")
            #expect((try await server.response(3, within: 20)["result"] as? [String: Any])?["stopped"] as? Bool == true)
            let late = try await server.response(4, within: 20)
            let message = (late["error"] as? [String: Any])?["message"] as? String ?? ""
            #expect(message.contains("session 's1' is stopped"), "\(late)")
            #expect(await server.finish() == 0)
        }
    }
}

/// A plugin call that never completes must not keep `serve` from exiting at end of input.
@Suite(.timeLimit(.minutes(2))) struct ServePendingPluginCallTests {
    @Test("end of input with a plugin call pending: the call is cancelled, the turn answered as failed, the server exits")
    func endOfInputCancelsPendingPluginCalls() async throws {
        let directory = try ServeProcess.temporaryDirectory()
        let plugins = directory + "/plugins"
        try FileManager.default.createDirectory(atPath: plugins, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        let source = try String(contentsOfFile: Repository.path("Tests/PluginABIFixtures/misbehave_plugin.c"), encoding: .utf8)
        try CPlugin.build(source: source, name: "misbehave", into: plugins)
        let graph = directory + "/turn.dot"
        try """
            digraph Turn {
                start [shape=Mdiamond]
                hang [type="misbehave.forgets"]
                exit [shape=Msquare]
                start -> hang -> exit
            }
            """.write(toFile: graph, atomically: true, encoding: .utf8)
        let server = try ServeProcess(["--no-heartbeats", "--plugin-dir", plugins, "--turn-graph", graph], in: directory)
        _ = try await server.call("session.create", ["session_id": "s1"])
        let id = try server.send("session.send", ["session_id": "s1", "message": "hello"])
        try await Task.sleep(for: .milliseconds(300))  // the turn is waiting on the plugin, which never completes
        let began = Date()
        // finish() closes standard input and waits at most 30 s; the drain is 10 s.
        #expect(await server.finish() == 0)
        #expect(Date().timeIntervalSince(began) < 30, "serve did not exit after its input closed")
        let response = try await server.response(id, within: 5)
        let error = response["error"] as? [String: Any]
        #expect((error?["data"] as? [String: Any])?["kind"] as? String == "turn_failed", "\(response)")
        #expect((error?["message"] as? String)?.contains("cancelled during node 'hang'") == true, "\(response)")
    }
}
