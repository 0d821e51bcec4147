import Foundation
import Testing
import TrellisTestSupport

/// `trellis chat` reading from a pipe: the offline model when nothing is configured, the
/// simulated one when asked for, and real providers' streamed answers relayed.
@Suite(.timeLimit(.minutes(1))) struct ChatTests {
    /// An environment with no API keys and the data directory in `directory`.
    private static func environment(_ directory: String, extra: [String: String] = [:]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasSuffix("_API_KEY") }
        environment["XDG_DATA_HOME"] = directory + "/data"
        environment["XDG_CONFIG_HOME"] = directory + "/config"
        return environment.merging(extra) { $1 }
    }

    private func chat(_ arguments: [String], input: String, in directory: String, environment: [String: String]? = nil) async throws -> ChildProcess.Result {
        try await ChildProcess.runOffThePool(try BuiltProducts.trellis(), ["chat"] + arguments, in: directory, input: input,
                             environment: environment ?? Self.environment(directory))
    }

    @Test("nothing configured: the offline model says so and shows what the turn graph did; commands work from a pipe")
    func offlineWithNothingConfigured() async throws {
        let directory = try ServeProcess.temporaryDirectory()
        let result = try await chat([], input: "hello there\n/help\n/usage\nhow are you?\n", in: directory)
        #expect(result.status == 0)
        #expect(result.errors.contains("model: offline model — no model provider is configured"), "\(result.errors)")
        #expect(result.output.contains("[offline: no model provider is configured"))
        #expect(result.output.contains("You said: hello there\nThe turn graph saw: input type query"))
        #expect(result.output.contains("/memory  what the long-term memory holds"))
        #expect(result.output.contains("this session: 0 input + 0 output tokens"))
        #expect(result.output.contains("You said: how are you?"))
        #expect(!result.output.contains("Response 1"))
        // The SQLite memory is the default, created on first use in the data directory.
        #expect(FileManager.default.fileExists(atPath: directory + "/data/trellis/memory.sqlite"))
    }

    @Test func theSimulatedModelAndAStoredConversationSurviveARestart() async throws {
        let directory = try ServeProcess.temporaryDirectory()
        let arguments = ["--llm", "simulated", "--memory", "in_memory", "--store", directory + "/chat.sqlite", "--session", "mine"]
        #expect(try await chat(arguments, input: "one\ntwo\n", in: directory).output == "Response 1\nResponse 2\n")
        #expect(try await chat(arguments, input: "three\n", in: directory).output == "Response 3\n")
    }

    @Test func aBadTypeIsAUsageError() async throws {
        #expect(try await chat(["--type", "robot"], input: "", in: ServeProcess.temporaryDirectory()).status == 2)
    }

    @Test("a provider without its key is refused before anything runs, naming the variable")
    func missingKey() async throws {
        let directory = try ServeProcess.temporaryDirectory()
        let result = try await chat(["--llm", "anthropic"], input: "hi\n", in: directory)
        #expect(result.status == 2)
        #expect(result.errors.contains("anthropic needs an API key: set ANTHROPIC_API_KEY"), "\(result.errors)")
    }

    static let key = "sk-chat-SECRET-42"

    /// A streamed answer "Hello from <provider>." in three pieces, in each provider's wire format.
    static func streamed(_ provider: String) -> LoopbackHTTPServer.Response {
        let pieces = ["Hello", " from ", provider + "."]
        switch provider {
        case "anthropic":
            return .events(["event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":5,\"output_tokens\":1}}}\n\n"]
                + pieces.map { "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"\($0)\"}}\n\n" }
                + ["event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":3}}\n\n",
                   "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"], every: .milliseconds(5))
        case "gemini":
            return .events(pieces.map { "data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"\($0)\"}]}}],\"usageMetadata\":{\"promptTokenCount\":5,\"candidatesTokenCount\":3}}\n\n" },
                           every: .milliseconds(5))
        default:
            return .events(pieces.map { "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\($0)\"}}]}\n\n" }
                + ["data: {\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":3}}\n\n", "data: [DONE]\n\n"], every: .milliseconds(5))
        }
    }

    @Test("--llm PROVIDER --model M --base-url URL relays the server's streamed answer; no key in any file written",
          arguments: ["openai", "anthropic", "gemini"])
    func relaysARealProvider(provider: String) async throws {
        let server = try LoopbackHTTPServer { _, _ in Self.streamed(provider) }
        defer { server.stop() }
        let directory = try ServeProcess.temporaryDirectory()
        let variable = provider.uppercased() + "_API_KEY"
        let result = try await chat(
            ["--llm", provider, "--model", "test-model", "--base-url", server.baseURL + (provider == "openai" ? "/v1" : ""),
             "--store", directory + "/chat.sqlite", "--data-dir", directory + "/data"],
            input: "hi\n/usage\n", in: directory, environment: Self.environment(directory, extra: [variable: Self.key]))
        #expect(result.status == 0, "\(result.errors)")
        #expect(result.output.hasPrefix("Hello from \(provider).\n"), "\(result.output)")
        #expect(result.output.contains("last turn: 5 input + 3 output tokens"))
        #expect(result.errors.contains("model: \(provider) test-model at \(server.baseURL)"), "\(result.errors)")
        #expect(!result.errors.contains(Self.key) && !result.output.contains(Self.key))
        let request = try #require(server.requests.first)
        #expect(request.body.contains("hi"))
        for file in try FileManager.default.subpathsOfDirectory(atPath: directory) {
            guard let data = FileManager.default.contents(atPath: directory + "/" + file) else { continue }
            #expect(!String(decoding: data, as: UTF8.self).contains(Self.key), "\(file) holds the key")
        }
    }
}
