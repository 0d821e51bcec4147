import Foundation
import Testing
import TrellisEngine
@testable import TrellisSession

private struct NotAnObject: Error {}

@Suite(.timeLimit(.minutes(1))) struct SessionRPCServerTests {
    private func server() throws -> SessionRPCServer {
        let manager = try SessionManager(options: SessionManagerOptions(watchGraphs: false, heartbeats: .disabled))
        return SessionRPCServer(manager: manager, output: JSONLinesEventWriter(descriptor: -1))
    }

    private func call(_ server: SessionRPCServer, _ line: String) async throws -> [String: ContextValue] {
        let response = try #require(await server.handle(line))
        guard case .map(let fields) = try ContextValue(jsonText: response) else { throw NotAnObject() }
        return fields
    }

    @Test func createSendStateListStop() async throws {
        let server = try server()
        let created = try await call(server, #"{"jsonrpc":"2.0","id":1,"method":"session.create","params":{"session_id":"s","agent_id":"ada","session_type":"delegation","config":{"max_messages":50}}}"#)
        #expect(created["id"] == .integer(1))
        #expect(created["result"].flatMap { if case .map(let m) = $0 { m["session_id"] } else { nil } } == .string("s"))
        let sent = try await call(server, #"{"jsonrpc":"2.0","id":"two","method":"session.send","params":{"session_id":"s","message":"hello"}}"#)
        guard case .map(let result)? = sent["result"] else { Issue.record("no result: \(sent)"); return }
        #expect(result["reply"] == .string("Response 1"))
        #expect(result["turn_count"] == .integer(1))
        guard case .integer(let latency)? = result["latency_us"] else { Issue.record("no latency"); return }
        #expect(latency >= 0)
        let state = try await call(server, #"{"jsonrpc":"2.0","id":3,"method":"session.state","params":{"session_id":"s"}}"#)
        guard case .map(let fields)? = state["result"] else { Issue.record("no state"); return }
        for key in ["session_id", "agent_id", "trust_tier", "turn_graph", "heartbeat_graph", "phase", "session_type", "trace_id",
                    "config", "seed_ref", "signal_topic", "turn_count", "messages", "working_memory", "goals", "cognitive_mode",
                    "adapters", "heartbeat_interval", "heartbeat_in_flight"] {
            #expect(fields[key] != nil, "session.state lacks \(key)")
        }
        #expect(fields["session_type"] == .string("delegation"))
        #expect(fields["messages"] == .list([
            .map(["role": .string("user"), "content": .string("hello")]),
            .map(["role": .string("assistant"), "content": .string("Response 1")]),
        ]))
        let list = try await call(server, #"{"jsonrpc":"2.0","id":4,"method":"session.list"}"#)
        #expect(list["result"]?.jsonText.contains("\"session_id\":\"s\"") == true)
        let stopped = try await call(server, #"{"jsonrpc":"2.0","id":5,"method":"session.stop","params":{"session_id":"s"}}"#)
        #expect(stopped["result"] == .map(["stopped": .boolean(true)]))
    }

    @Test func badRequestsGetClearErrorsAndTheServerKeepsServing() async throws {
        let server = try server()
        let cases: [(String, Int, String)] = [
            ("{not json", JSONRPCError.parseError, "not JSON"),
            (#"[1,2]"#, JSONRPCError.invalidRequest, "object"),
            (#"{"jsonrpc":"1.0","id":1,"method":"session.list"}"#, JSONRPCError.invalidRequest, "2.0"),
            (#"{"jsonrpc":"2.0","id":1,"method":"session.fly"}"#, JSONRPCError.methodNotFound, "session.create"),
            (#"{"jsonrpc":"2.0","id":1,"method":"session.send","params":{"message":"x"}}"#, JSONRPCError.invalidParams, "session_id"),
            (#"{"jsonrpc":"2.0","id":1,"method":"session.send","params":{"session_id":"nope","message":"x"}}"#, JSONRPCError.sessionError, "no session 'nope'"),
            (#"{"jsonrpc":"2.0","id":1,"method":"session.create","params":{"session_type":"robot"}}"#, JSONRPCError.invalidParams, "primary"),
            (#"{"jsonrpc":"2.0","id":1,"method":"session.create","params":{"config":{"turn_policy":"shout"}}}"#, JSONRPCError.invalidParams, "enqueue"),
            (#"{"jsonrpc":"2.0","id":1,"method":"plugins.reload"}"#, JSONRPCError.reloadFailed, "--plugin-dir"),
        ]
        for (line, code, text) in cases {
            let response = try #require(await server.handle(line))
            #expect(response.contains("\"code\":\(code)"), "\(line) -> \(response)")
            #expect(response.contains(text), "\(line) -> \(response)")
        }
        #expect(await server.handle(#"{"jsonrpc":"2.0","method":"session.list"}"#) == nil)
        let created = try await call(server, #"{"jsonrpc":"2.0","id":9,"method":"session.create"}"#)
        #expect(created["result"] != nil)
    }
}
