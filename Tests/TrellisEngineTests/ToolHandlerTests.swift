import Foundation
import Glibc
import Testing
import TrellisDOT
@testable import TrellisEngine

@Suite("ToolHandler", .timeLimit(.minutes(1)))
struct ToolHandlerTests {
    private func run(
        _ script: String,
        in directory: String,
        context: Context = Context(),
        extra: [(String, String)] = [],
        runDirectory: String? = nil,
        simulate: Bool = false
    ) async throws -> Outcome {
        let request = LeafTestSupport.request(
            id: "step",
            type: "tool",
            attributes: [("tool_command", script)] + extra,
            context: context,
            services: RunServices(runDirectory: runDirectory, workingDirectory: directory, simulate: simulate)
        )
        return try await ToolHandler().execute(request)
    }

    @Test("stdout, stderr and the exit code reach the context")
    func capturesIntoContext() async throws {
        let directory = try LeafTestSupport.makeScratchDirectory()
        defer { LeafTestSupport.remove(directory) }
        let outcome = try await run("echo hello; echo oops >&2", in: directory)
        #expect(outcome.status == .success)
        #expect(outcome.contextUpdates["tool_stdout"] == .string("hello"))
        #expect(outcome.contextUpdates["tool_stderr"] == .string("oops"))
        #expect(outcome.contextUpdates["tool_exit_code"] == .integer(0))
        #expect(outcome.contextUpdates["tool.output"] == .string("hello"))
    }

    @Test("multi-line scripts written with \\n escapes run as the pipelines expect")
    func multiLineScript() async throws {
        let directory = try LeafTestSupport.makeScratchDirectory()
        defer { LeafTestSupport.remove(directory) }
        // As written inside a DOT string in the public pipelines.
        let outcome = try await run(#"set -eu\ncount=3\nif [ \"$count\" -gt 0 ]; then\n  printf 'has_findings'\nelse\n  printf 'no_findings'\nfi"#, in: directory)
        #expect(outcome.status == .success)
        #expect(outcome.contextUpdates["tool_stdout"] == .string("has_findings"))
    }

    @Test("a non-zero exit fails the node with the status and the end of stderr")
    func nonZeroExitFails() async throws {
        let directory = try LeafTestSupport.makeScratchDirectory()
        defer { LeafTestSupport.remove(directory) }
        let outcome = try await run("echo 'compiling'; echo 'error: missing semicolon' >&2; exit 3", in: directory)
        #expect(outcome.status == .fail)
        let reason = try #require(outcome.failureReason)
        #expect(reason.contains("exited with status 3"))
        #expect(reason.contains("error: missing semicolon"))
        #expect(outcome.contextUpdates["tool_exit_code"] == .integer(3))
        #expect(outcome.contextUpdates["tool_stdout"] == .string("compiling"))
    }

    @Test("a failing command without stderr quotes its stdout")
    func failureQuotesStdoutWhenStderrIsEmpty() async throws {
        let directory = try LeafTestSupport.makeScratchDirectory()
        defer { LeafTestSupport.remove(directory) }
        let outcome = try await run("printf 'unexpected_no_findings'\nexit 1", in: directory)
        #expect(outcome.status == .fail)
        #expect(outcome.failureReason?.contains("(stdout): unexpected_no_findings") == true)
    }

    @Test("context values arrive only as environment variables and cannot inject shell code")
    func injectionSafeEnvironment() async throws {
        let directory = try LeafTestSupport.makeScratchDirectory()
        defer { LeafTestSupport.remove(directory) }
        let hostile = "$(touch pwned1); `touch pwned2`; touch pwned3 \"'; ${IFS}"
        let context = Context([
            "user.input": .string(hostile),
            "count": .integer(42),
            "flag": .boolean(true),
        ])
        let outcome = try await run(
            "printf '%s|%s|%s' \"$TRELLIS_CTX_USER_INPUT\" \"$TRELLIS_CTX_COUNT\" \"$TRELLIS_CTX_FLAG\"",
            in: directory,
            context: context
        )
        #expect(outcome.status == .success)
        #expect(outcome.contextUpdates["tool_stdout"] == .string("\(hostile)|42|true"))
        for name in ["pwned1", "pwned2", "pwned3"] {
            #expect(!FileManager.default.fileExists(atPath: directory + "/" + name))
        }
    }

    @Test("context keys map to TRELLIS_CTX_ names")
    func environmentNames() {
        #expect(ToolHandler.environmentName(forContextKey: "context.tool_stdout") == "TRELLIS_CTX_CONTEXT_TOOL_STDOUT")
        #expect(ToolHandler.environmentName(forContextKey: "human.gate.label") == "TRELLIS_CTX_HUMAN_GATE_LABEL")
        #expect(ToolHandler.environmentName(forContextKey: "a-b c") == "TRELLIS_CTX_A_B_C")
        let (variables, skipped) = ToolHandler.contextEnvironment(for: Context([
            "list": .list([.integer(1), .string("x")]),
            "huge": .string(String(repeating: "x", count: ToolHandler.maximumVariableBytes + 1)),
            "nul": .string("a\u{0}b"),
        ]))
        #expect(variables["TRELLIS_CTX_LIST"] == "[1,\"x\"]")
        #expect(skipped.sorted() == ["huge", "nul"])

        // Twenty 60 KiB values exceed the 1 MiB budget: the first keys in sorted order fit, the rest are named.
        var many = Context()
        for index in 0..<20 { many[String(format: "k%02d", index)] = .string(String(repeating: "v", count: 60 * 1024)) }
        let bounded = ToolHandler.contextEnvironment(for: many)
        #expect(bounded.variables.count == 17)
        #expect(bounded.skipped == ["k17", "k18", "k19"])
    }

    @Test("the node timeout kills the command's process group and fails the node")
    func timeoutFailsAndKillsGroup() async throws {
        let directory = try LeafTestSupport.makeScratchDirectory()
        defer { LeafTestSupport.remove(directory) }
        let outcome = try await run(
            "sleep 30 & echo $! > grandchild.pid; sleep 30",
            in: directory,
            extra: [("timeout", "300ms")]
        )
        #expect(outcome.status == .fail)
        #expect(outcome.failureReason?.contains("timed out after 300ms") == true)
        let grandchild = try #require(Int32(LeafTestSupport.read(directory + "/grandchild.pid").trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(LeafTestSupport.isDead(grandchild))
    }

    @Test("timeouts are described the way attributes write them")
    func describesTimeouts() {
        #expect(ToolHandler.describe(.milliseconds(300)) == "300ms")
        #expect(ToolHandler.describe(.seconds(600)) == "600s")
        #expect(ToolHandler.describe(.milliseconds(1_500)) == "1.5s")
    }

    @Test("an unreadable timeout fails the node before anything runs")
    func badTimeout() async throws {
        let directory = try LeafTestSupport.makeScratchDirectory()
        defer { LeafTestSupport.remove(directory) }
        let outcome = try await run("touch ran", in: directory, extra: [("timeout", "soon")])
        #expect(outcome.status == .fail)
        #expect(outcome.failureReason?.contains("not a duration") == true)
        #expect(!FileManager.default.fileExists(atPath: directory + "/ran"))
    }

    @Test("cancelling the node ends the command and reports cancellation")
    func cancellation() async throws {
        let directory = try LeafTestSupport.makeScratchDirectory()
        defer { LeafTestSupport.remove(directory) }
        let task = Task { try await run("echo $$ > shell.pid; sleep 30", in: directory) }
        let shell = try #require(Int32(try await LeafTestSupport.waitForLine(in: directory + "/shell.pid")))
        task.cancel()
        await #expect(throws: CancellationError.self) { _ = try await task.value }
        #expect(LeafTestSupport.isDead(shell))
    }

    @Test("simulate mode records the command without running it")
    func simulateDoesNotRun() async throws {
        let directory = try LeafTestSupport.makeScratchDirectory()
        defer { LeafTestSupport.remove(directory) }
        let runDirectory = try LeafTestSupport.makeScratchDirectory()
        defer { LeafTestSupport.remove(runDirectory) }
        let outcome = try await run("touch ran.txt", in: directory, runDirectory: runDirectory, simulate: true)
        #expect(outcome.status == .success)
        #expect(!FileManager.default.fileExists(atPath: directory + "/ran.txt"))
        #expect(outcome.contextUpdates["tool_simulated_command"] == .string("touch ran.txt"))
        #expect(outcome.contextUpdates["tool_stdout"] == .string(""))
        #expect(outcome.contextUpdates["tool_exit_code"] == .integer(0))
        #expect(LeafTestSupport.read(runDirectory + "/step/command.sh") == "touch ran.txt")
    }

    @Test("with a run directory the command and its output are kept in the node's directory")
    func writesArtifacts() async throws {
        let directory = try LeafTestSupport.makeScratchDirectory()
        defer { LeafTestSupport.remove(directory) }
        let runDirectory = try LeafTestSupport.makeScratchDirectory()
        defer { LeafTestSupport.remove(runDirectory) }
        let outcome = try await run("echo out; echo err >&2; printf '%s' \"$TRELLIS_NODE_ID\" > node.txt", in: directory, runDirectory: runDirectory)
        #expect(outcome.status == .success)
        #expect(LeafTestSupport.read(runDirectory + "/step/stdout.txt") == "out\n")
        #expect(LeafTestSupport.read(runDirectory + "/step/stderr.txt") == "err\n")
        #expect(LeafTestSupport.read(runDirectory + "/step/command.sh").hasPrefix("echo out;"))
        #expect(LeafTestSupport.read(directory + "/node.txt") == "step")
    }

    @Test("a node without tool_command fails with a message saying what to set")
    func missingCommand() async throws {
        let request = LeafTestSupport.request(type: "tool", attributes: [])
        let outcome = try await ToolHandler().execute(request)
        #expect(outcome.status == .fail)
        #expect(outcome.failureReason?.contains("has no tool_command") == true)
    }

    @Test("the registration names the tool type and its attributes")
    func registration() {
        #expect(ToolHandler.registration.typeID == "tool")
        #expect(ToolHandler.registration.schema.attributes.map(\.name).contains("tool_command"))
    }
}
