import Foundation
import Testing
import TrellisEngine
@testable import TrellisSession

/// JSON-RPC 2.0 details: what an id may be, exact integer ids, unknown subscriptions, empty ids.
@Suite(.timeLimit(.minutes(1))) struct RPCRequestShapeTests {
    private func server() throws -> SessionRPCServer {
        let manager = try SessionManager(options: SessionManagerOptions(watchGraphs: false, heartbeats: .disabled))
        return SessionRPCServer(manager: manager, output: JSONLinesEventWriter(descriptor: -1))
    }

    private func call(_ server: SessionRPCServer, _ line: String) async throws -> ContextValue {
        try ContextValue(jsonText: try #require(await server.handle(line)))
    }

    @Test("object, array and boolean ids are invalid requests answered with a null id", arguments: [#"{"a":1}"#, "[1]", "true", "1.5"])
    func badIds(id: String) async throws {
        let answer = try await call(try server(), #"{"jsonrpc":"2.0","id":\#(id),"method":"session.list"}"#)
        #expect(answer["id"] == .null)
        #expect(answer["error"]?["code"] == .integer(-32600))
    }

    @Test("integer ids beyond 2^53 come back exactly; string and null ids are kept")
    func exactIds() async throws {
        let server = try server()
        let big = try #require(await server.handle(#"{"jsonrpc":"2.0","id":9007199254740993,"method":"session.list"}"#))
        #expect(big.contains(#""id":9007199254740993"#))
        #expect(try await call(server, #"{"jsonrpc":"2.0","id":"x","method":"session.list"}"#)["id"] == "x")
        #expect(try await call(server, #"{"jsonrpc":"2.0","id":null,"method":"session.list"}"#)["id"] == .null)
    }

    @Test("unsubscribing an unknown subscription is an error; an empty session id is refused")
    func unknownSubscriptionAndEmptyID() async throws {
        let server = try server()
        let unknown = try await call(server, #"{"jsonrpc":"2.0","id":1,"method":"events.unsubscribe","params":{"subscription":77}}"#)
        #expect(unknown["error"]?["message"] == "no subscription 77 on this connection")
        let subscribed = try await call(server, #"{"jsonrpc":"2.0","id":2,"method":"events.subscribe"}"#)
        let token = try #require(subscribed["result"]?["subscription"]?.integer)
        let known = try await call(server, #"{"jsonrpc":"2.0","id":3,"method":"events.unsubscribe","params":{"subscription":\#(token)}}"#)
        #expect(known["result"]?["unsubscribed"] == .boolean(true))
        let empty = try await call(server, #"{"jsonrpc":"2.0","id":4,"method":"session.create","params":{"session_id":""}}"#)
        #expect(empty["error"]?["message"] == "\"session_id\" must not be empty")
    }
}
