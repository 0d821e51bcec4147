import Foundation
import Testing
import TrellisEngine
@testable import TrellisTools

/// Declared tools run for real: arguments checked first, JSON on standard input, no shell
/// unless declared, outputs and timeouts answered as tool messages the model can read.
@Suite("Declared command tools", .timeLimit(.minutes(1)))
struct CommandToolsTests {
    static let weatherSchema: ContextValue = .map([
        "type": .string("object"),
        "properties": .map([
            "city": .map(["type": .string("string"), "minLength": .integer(1)]),
            "days": .map(["type": .string("integer"), "minimum": .integer(1), "maximum": .integer(7)]),
            "units": .map(["type": .string("string"), "enum": .list([.string("metric"), .string("imperial")])]),
        ]),
        "required": .list([.string("city")]),
        "additionalProperties": .boolean(false),
    ])

    static func call(_ name: String, _ arguments: ContextValue, id: String = "call_1") -> ContextValue {
        .map(["id": .string(id), "name": .string(name), "arguments": arguments])
    }

    static func scratch() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("trellis-tools-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test("valid arguments run the command with the arguments as JSON on standard input")
    func validArgumentsRun() async throws {
        let tools = CommandTools([ToolDeclaration(name: "weather", parameters: Self.weatherSchema, command: ["cat"])])
        let results = try await tools.dispatch([Self.call("weather", .map(["city": .string("Paris"), "days": .integer(2)]))])
        let result = try #require(results.first)
        #expect(result["tool_call_id"] == .string("call_1"))
        #expect(result["is_error"] == nil)
        let content = result["content"]?.string ?? ""
        #expect(content.hasPrefix("the command exited with status 0\n"))
        #expect(content.contains(#"{"city":"Paris","days":2}"#))
    }

    @Test("invalid arguments come back as an error naming each problem, and nothing runs", arguments: [
        (ContextValue.map(["days": .integer(2)]), "'city' is required"),
        (.map(["city": .integer(5)]), "'city' must be string, not an integer"),
        (.map(["city": .string("Oslo"), "days": .integer(30)]), "'days' must be at most 7, not 30"),
        (.map(["city": .string("Oslo"), "units": .string("kelvin")]), "'units' must be one of"),
        (.map(["city": .string("Oslo"), "colour": .string("red")]), "'colour' is not a known argument"),
        (.list([]), "the arguments must be object, not an array"),
    ])
    func invalidArguments(arguments: ContextValue, expected: String) async throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let marker = directory + "/ran"
        let tools = CommandTools([ToolDeclaration(name: "weather", parameters: Self.weatherSchema, command: ["touch", marker])])
        let result = try #require(try await tools.dispatch([Self.call("weather", arguments)]).first)
        #expect(result["is_error"] == .boolean(true))
        let content = result["content"]?.string ?? ""
        #expect(content.contains(expected), "\(content)")
        #expect(!FileManager.default.fileExists(atPath: marker))
    }

    @Test("an unknown tool is an error listing the tools")
    func unknownTool() async throws {
        let tools = CommandTools([ToolDeclaration(name: "weather", command: ["true"])])
        let result = try #require(try await tools.dispatch([Self.call("wether", .map([:]))]).first)
        #expect(result["is_error"] == .boolean(true))
        #expect(result["content"]?.string?.contains("there is no tool 'wether'; the tools are: weather") == true)
    }

    @Test("no shell unless declared: shell syntax in arguments is only text")
    func noShell() async throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let tools = CommandTools([
            ToolDeclaration(name: "echo", command: ["echo", "a;", "touch", directory + "/pwned"]),
            ToolDeclaration(name: "sh", command: ["echo", "b;", "touch", directory + "/shell-ran"], shell: true),
        ])
        let results = try await tools.dispatch([Self.call("echo", .map([:])), Self.call("sh", .map([:]), id: "call_2")])
        #expect(results[0]["content"]?.string?.contains("a; touch \(directory)/pwned") == true)
        #expect(!FileManager.default.fileExists(atPath: directory + "/pwned"))
        #expect(FileManager.default.fileExists(atPath: directory + "/shell-ran"))
    }

    @Test("a timeout kills the whole process group and answers an error")
    func timeout() async throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let tools = CommandTools([ToolDeclaration(
            name: "slow", command: ["sleep 30 & echo $! > \(directory)/child; wait"], timeout: .milliseconds(300), shell: true)])
        let clock = ContinuousClock()
        let started = clock.now
        let result = try #require(try await tools.dispatch([Self.call("slow", .map([:]))]).first)
        // Below the command's 30 s: the timeout ended it (room left for a busy machine).
        #expect(clock.now - started < .seconds(25))
        #expect(result["is_error"] == .boolean(true))
        #expect(result["content"]?.string?.contains("did not finish within 0.3 s and was killed") == true)
        let child = try String(contentsOfFile: directory + "/child", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        var gone = false
        for _ in 0..<100 where !gone {
            gone = kill(pid_t(child)!, 0) != 0
            if !gone { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(gone, "the background child \(child) survived")
    }

    @Test("stdout, stderr and a failing exit status come back; long output is cut with a marker")
    func outputsAndTruncation() async throws {
        let tools = CommandTools([
            ToolDeclaration(name: "fail", command: ["echo out; echo err >&2; exit 3"], shell: true),
            ToolDeclaration(name: "flood", command: ["head -c 100000 /dev/zero | tr '\\\\0' x"], shell: true),
        ], outputLimit: 1000)
        let results = try await tools.dispatch([Self.call("fail", .map([:])), Self.call("flood", .map([:]), id: "call_2")])
        let failed = results[0]["content"]?.string ?? ""
        #expect(results[0]["is_error"] == .boolean(true))
        #expect(failed.contains("stdout:\nout\n") && failed.contains("stderr:\nerr\n") && failed.hasPrefix("the command exited with status 3\n"))
        let flooded = results[1]["content"]?.string ?? ""
        #expect(flooded.contains("[… 99000 more bytes not shown]"), "\(flooded.suffix(80))")
    }

    @Test("only the declared environment reaches the command")
    func environment() async throws {
        let tools = CommandTools([ToolDeclaration(name: "env", command: ["env"], environment: ["ALLOWED"])],
                                 hostEnvironment: ["ALLOWED": "yes", "SECRET_API_KEY": "sk-123", "PATH": "/usr/bin:/bin"])
        let content = try #require(try await tools.dispatch([Self.call("env", .map([:]))]).first)["content"]?.string ?? ""
        #expect(content.contains("ALLOWED=yes"))
        #expect(!content.contains("SECRET_API_KEY"))
    }
}
