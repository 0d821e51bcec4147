import Foundation
import Glibc
import Synchronization
import Testing
import TrellisTestSupport
import TrellisEngine
@testable import TrellisSession

/// Size limits of the JSON-RPC server: an over-long line is refused without being held in
/// memory, an over-long message is refused naming the limit, and neither wedges anything.
@Suite(.timeLimit(.minutes(1))) struct ServeLimitsTests {
    @Test("a line over the limit is answered with an error naming the limit; the next line is served")
    func longLine() async throws {
        let manager = try SessionManager(options: SessionManagerOptions(watchGraphs: false, heartbeats: .disabled))
        defer { manager.shutdown() }
        var input: [Int32] = [0, 0]
        var output: [Int32] = [0, 0]
        #expect(closeOnExecPipe(&input) == 0 && closeOnExecPipe(&output) == 0)
        let server = SessionRPCServer(manager: manager, output: JSONLinesEventWriter(descriptor: output[1]), maximumLineBytes: 1000)
        let writer = input[1]
        let feeding = Thread {
            var text = #"{"jsonrpc":"2.0","id":1,"method":"session.list","params":{"pad":""# + String(repeating: "x", count: 200_000) + "\"}}\n"
            text += #"{"jsonrpc":"2.0","id":2,"method":"session.list"}"# + "\n"
            let bytes = Array(text.utf8)
            var offset = 0
            while offset < bytes.count {
                let written = bytes.withUnsafeBytes { write(writer, $0.baseAddress! + offset, $0.count - offset) }
                if written <= 0 { break }
                offset += written
            }
            close(writer)
        }
        feeding.start()
        await server.serve(inputDescriptor: input[0])
        close(output[1])
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(output[0], &buffer, buffer.count)
            if count <= 0 { break }
            data += buffer[..<count]
        }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        #expect(lines.first?.contains("is longer than this server's limit of 1000 bytes (--max-line-bytes)") == true, "\(lines)")
        #expect(lines.last?.contains(#""id":2"#) == true && lines.last?.contains("sessions") == true)
    }

    @Test("a message over the limit is refused naming the limit, and the session takes the next one")
    func longMessage() async throws {
        let manager = try SessionManager(options: SessionManagerOptions(watchGraphs: false, heartbeats: .disabled))
        defer { manager.shutdown() }
        let server = SessionRPCServer(manager: manager, output: JSONLinesEventWriter(descriptor: -1), maximumMessageBytes: 100)
        _ = await server.handle(#"{"jsonrpc":"2.0","id":1,"method":"session.create","params":{"session_id":"s"}}"#)
        let long = String(repeating: "y", count: 101)
        let refused = try ContextValue(jsonText: try #require(await server.handle(#"{"jsonrpc":"2.0","id":2,"method":"session.send","params":{"session_id":"s","message":"\#(long)"}}"#)))
        #expect(refused["error"]?["message"]?.string?.contains("101 bytes, more than this server's limit of 100 (--max-message-bytes)") == true, "\(refused)")
        let answered = try ContextValue(jsonText: try #require(await server.handle(#"{"jsonrpc":"2.0","id":3,"method":"session.send","params":{"session_id":"s","message":"hi"}}"#)))
        #expect(answered["result"]?["reply"] == "Response 1")
    }
}
