import Foundation
import Testing
import TrellisTestSupport

/// `trellis run` with real models: answers land in `response.md`, the manifest names the model
/// and its tokens, and a pipeline no model can serve is refused before anything runs.
@Suite(.timeLimit(.minutes(1))) struct RunModelTests {
    static let key = "sk-run-SECRET-7"
    static let pipeline = """
        digraph p {
            goal = "greet"
            start [shape=Mdiamond]; done [shape=Msquare]
            greet [shape=box, prompt="Say hello"]
            start -> greet -> done
        }
        """

    private static func environment(_ extra: [String: String] = [:]) -> [String: String] {
        ProcessInfo.processInfo.environment.filter { !$0.key.hasSuffix("_API_KEY") }.merging(extra) { $1 }
    }

    @Test("against an OpenAI-compatible server, the stage's answer is response.md and the manifest names the model")
    func answerLandsInResponse() async throws {
        let server = try LoopbackHTTPServer { _, _ in
            .json(#"{"choices":[{"index":0,"message":{"role":"assistant","content":"Hello from the model."},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":4}}"#)
        }
        defer { server.stop() }
        let directory = try TemporaryDirectory.make("run-model")
        try Self.pipeline.write(toFile: directory + "/p.dot", atomically: true, encoding: .utf8)
        let result = try await ChildProcess.runOffThePool(
            try BuiltProducts.trellis(),
            ["run", "p.dot", "--llm", "openai", "--model", "m1", "--base-url", server.baseURL + "/v1", "--logs", directory + "/run"],
            in: directory, environment: Self.environment(["OPENAI_API_KEY": Self.key]))
        #expect(result.status == 0, "\(result.errors)\(result.output)")
        #expect(try String(contentsOfFile: directory + "/run/greet/response.md", encoding: .utf8).contains("Hello from the model."))
        let manifest = try String(contentsOfFile: directory + "/run/manifest.json", encoding: .utf8)
        #expect(manifest.contains(#""llm": "openai m1 at \#(server.baseURL)/v1""#), "\(manifest)")
        #expect(manifest.contains(#""usage": {"input_tokens":12,"output_tokens":4}"#), "\(manifest)")
        #expect(server.requests.first?.headers["authorization"] == "Bearer " + Self.key)
        #expect(server.requests.first?.body.contains("Say hello") == true)
        for file in try FileManager.default.subpathsOfDirectory(atPath: directory + "/run") {
            guard let data = FileManager.default.contents(atPath: directory + "/run/" + file) else { continue }
            #expect(!String(decoding: data, as: UTF8.self).contains(Self.key), "\(file) holds the key")
        }
    }

    @Test("no provider configured: refused with exit 2, naming the stage, before any run directory exists")
    func refusedWithoutProvider() async throws {
        let directory = try TemporaryDirectory.make("run-model")
        try Self.pipeline.write(toFile: directory + "/p.dot", atomically: true, encoding: .utf8)
        let result = try await ChildProcess.runOffThePool(try BuiltProducts.trellis(), ["run", "p.dot", "--logs", directory + "/run"],
                                          in: directory, environment: Self.environment())
        #expect(result.status == 2)
        #expect(result.errors.contains("1 LLM stage(s) have no model to talk to, so nothing was run"), "\(result.errors)")
        #expect(result.errors.contains("  greet: "))
        #expect(!FileManager.default.fileExists(atPath: directory + "/run/manifest.json"))
        let simulated = try await ChildProcess.runOffThePool(try BuiltProducts.trellis(), ["run", "p.dot", "--simulate", "--logs", directory + "/sim"],
                                             in: directory, environment: Self.environment())
        #expect(simulated.status == 0)
        #expect(try String(contentsOfFile: directory + "/sim/manifest.json", encoding: .utf8).contains(#""llm": "simulated (--simulate)""#))
    }
}
