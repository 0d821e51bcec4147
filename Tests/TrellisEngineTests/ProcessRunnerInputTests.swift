import Foundation
import Testing
@testable import TrellisEngine

/// Standard input for children: written without blocking beside the output it causes.
@Suite("Process runner: standard input", .timeLimit(.minutes(1)))
struct ProcessRunnerInputTests {
    @Test("the input reaches the child and is closed, so a reader to end of input finishes")
    func inputReachesTheChild() async throws {
        let result = try await ProcessRunner().run(.init(
            executable: "/bin/sh", arguments: ["-c", "read -r line; echo \"got:$line\"; cat | wc -c"],
            workingDirectory: NSTemporaryDirectory(), timeout: .seconds(20),
            standardInput: Array("{\"city\":\"Paris\"}\nrest".utf8)))
        #expect(result.termination == .exited(0))
        #expect(result.standardOutput.text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) } == ["got:{\"city\":\"Paris\"}", "4"])
    }

    @Test("4 MiB through cat: input and output move together, no deadlock")
    func largeInputThroughCat() async throws {
        let input = [UInt8]((0..<(4 << 20)).map { UInt8(truncatingIfNeeded: $0 % 251) })
        let result = try await ProcessRunner(captureLimit: 8 << 20).run(.init(
            executable: "/bin/cat", workingDirectory: NSTemporaryDirectory(), timeout: .seconds(30), standardInput: input))
        #expect(result.termination == .exited(0))
        #expect(result.standardOutput.bytes == input)
    }

    @Test("a child that never reads its input neither blocks the run nor kills the host with SIGPIPE")
    func unreadInput() async throws {
        let result = try await ProcessRunner().run(.init(
            executable: "/bin/sh", arguments: ["-c", "exec 0<&-; echo done"], workingDirectory: NSTemporaryDirectory(),
            timeout: .seconds(20), standardInput: [UInt8](repeating: 65, count: 1 << 20)))
        #expect(result.termination == .exited(0))
        #expect(result.standardOutput.text == "done\n")
    }
}
