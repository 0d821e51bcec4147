import Foundation
import Glibc
import Testing
import TrellisDOT
@testable import TrellisEngine

/// Tool commands do not inherit the host's secrets unless a node or the run lets one through.
@Suite("Tool commands and secrets", .timeLimit(.minutes(1)))
struct ToolSecretsTests {
    @Test("which names are secrets")
    func patterns() {
        let secrets = SecretVariables(extraPatterns: ["*_CREDENTIALS", "MY_SEED"], allowed: ["GITHUB_TOKEN"])
        for name in ["OPENAI_API_KEY", "anthropic_api_key", "SLACK_TOKEN", "AWS_SECRET", "DB_PASSWORD", "PGPASSWORD", "GCP_CREDENTIALS", "MY_SEED"] {
            #expect(secrets.withholds(name), "\(name)")
        }
        for name in ["PATH", "HOME", "TOKENIZER", "GITHUB_TOKEN", "MY_SEEDS", "KEY"] {
            #expect(!secrets.withholds(name), "\(name)")
        }
    }

    @Test("a tool node's command sees no *_API_KEY of the host; tool_env_allow passes one through")
    func toolNodeEnvironment() async throws {
        let variable = "TRELLIS_SECRET_TEST_\(getpid())_API_KEY"
        setenv(variable, "sk-must-not-leak", 1)
        defer { unsetenv(variable) }
        let directory = try LeafTestSupport.makeScratchDirectory()
        defer { LeafTestSupport.remove(directory) }
        func run(_ extra: [(String, String)]) async throws -> String {
            let request = LeafTestSupport.request(
                id: "step", type: "tool", attributes: [("tool_command", "env")] + extra,
                services: RunServices(workingDirectory: directory))
            let outcome = try await ToolHandler().execute(request)
            #expect(outcome.status == .success)
            return outcome.contextUpdates["tool_stdout"]?.stringValue ?? ""
        }
        let plain = try await run([])
        #expect(!plain.contains("sk-must-not-leak"))
        #expect(plain.contains("PATH="))
        let allowed = try await run([("tool_env_allow", "OTHER, \(variable)")])
        #expect(allowed.contains("\(variable)=sk-must-not-leak"))
    }
}
