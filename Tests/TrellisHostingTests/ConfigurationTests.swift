import Foundation
import Testing
import TrellisEngine
@testable import TrellisHosting
import TrellisTestSupport
import TrellisTools

/// The configuration file: every key read, every mistake located by file, line, column and key.
@Suite struct ConfigurationTests {
    /// The complete example of `docs/configuration.md`, so the documentation stays valid.
    static func documentedExample() throws -> String {
        let text = try String(contentsOfFile: Repository.path("docs/configuration.md"), encoding: .utf8)
        let section = try #require(text.range(of: "## A complete example"))
        let rest = text[section.upperBound...]
        let open = try #require(rest.range(of: "```json\n"))
        let close = try #require(rest[open.upperBound...].range(of: "```"))
        return String(rest[open.upperBound..<close.lowerBound])
    }

    @Test("the documented complete file: every key read, relative paths made absolute against the file's folder")
    func completeFile() throws {
        let configuration = try ConfigurationLoader.parse(try Self.documentedExample(), file: "/etc/trellis/config.json")
        #expect(configuration.model.provider == "anthropic")
        #expect(configuration.model.model == "claude-sonnet-4-6")
        #expect(configuration.model.apiKeyVariable == "ANTHROPIC_API_KEY")
        #expect(configuration.model.timeout == .seconds(90))
        #expect(configuration.model.maxAttempts == 4 && configuration.model.maxOutputTokens == 2048)
        #expect(configuration.model.caFile == "/etc/trellis/certs/company-ca.pem")
        #expect(configuration.memory == "sqlite" && configuration.recallLimit == 5)
        let tool = try #require(configuration.tools.first)
        #expect(tool.name == "weather" && tool.command == ["bin/weather", "--json"] && tool.timeout == .seconds(20))
        #expect(tool.workingDirectory == "/etc/trellis/tools" && tool.environment == ["WEATHER_TOKEN"] && !tool.shell)
        #expect(configuration.pluginDirectories == ["/etc/trellis/plugins"])
        #expect(configuration.toolSecrets.allowed == ["GITHUB_TOKEN"])
        #expect(configuration.toolSecrets.withholds("GCP_CREDENTIALS") && !configuration.toolSecrets.withholds("GITHUB_TOKEN"))
        #expect(configuration.turnGraph == "/etc/trellis/graphs/turn.dot")
        #expect(configuration.storePath == "/etc/trellis/sessions.sqlite" && configuration.durability == "batched")
        #expect(configuration.runDurability == "sync")
        #expect(configuration.retainMessages == 400 && configuration.retainTurns == 1000)
        #expect(configuration.dataDirectory == "/etc/trellis/data")
        #expect(configuration.sessionConfig["system_prompt"] == "Be brief.")
        #expect(configuration.adaptersBySessionType["background"] == ["llm": "openai", "memory": "in_memory"])
    }

    @Test("mistakes are located: file, line, column, key, and the nearest known key", arguments: [
        ("{\n  \"llm\": {\"modle\": \"x\"}\n}", "c.json:2:11: llm.modle: unknown key; did you mean 'model'?"),
        ("{\n  \"memry\": {}\n}", "c.json:2:3: memry: unknown key; did you mean 'memory'?"),
        ("{\"store\": {\"durability\": \"always\"}}", "c.json:1:12: store.durability: 'always' is not one of off, batched, sync"),
        ("{\"run\": {\"durability\": \"never\"}}", "c.json:1:10: run.durability: 'never' is not one of off, batched, sync"),
        ("{\"llm\": {\"timeout\": \"soon\"}}", "c.json:1:10: llm.timeout: 'soon' is not a duration; write one such as \"30s\", \"500ms\" or \"2m\""),
        ("{\"llm\": {\"max_attempts\": \"3\"}}", "c.json:1:10: llm.max_attempts: must be a whole number, at least 1"),
        ("{\"tools\": [{\"name\": \"a\", \"command\": []}]}", "c.json:1:26: tools[0].command: must name a program"),
        ("{\"tools\": [{\"name\": \"a b\", \"command\": [\"x\"]}]}", "c.json:1:13: tools[0].name: 'a b' is not a usable tool name (letters, digits, '_' and '-', at most 64)"),
        ("{\"tools\": [{\"name\": \"a\", \"command\": [\"x\"]}, {\"name\": \"a\", \"command\": [\"y\"]}]}", "c.json:1:46: tools[1].name: a second tool named 'a'"),
        ("{\"llm\": {\"model\": \"a\",\n \"model\": \"b\"}}", "c.json:2:2: llm.model: written twice; keep one"),
        ("{\"llm\": {\"model\": \"a\",}}", "c.json:1:23: not valid JSON: expected a string key"),
        ("[1]", "c.json:1:1: must be an object { ... }"),
    ])
    func locatedErrors(text: String, expected: String) {
        #expect(throws: (any Error).self) { try ConfigurationLoader.parse(text, file: "c.json") }
        do {
            _ = try ConfigurationLoader.parse(text, file: "c.json")
        } catch {
            #expect(error.description == expected)
        }
    }

    @Test("the file is found with --config, else ./trellis.json, else $XDG_CONFIG_HOME/trellis/config.json")
    func location() throws {
        let directory = try TemporaryDirectory.make("config")
        let xdg = directory + "/xdg"
        try FileManager.default.createDirectory(atPath: xdg + "/trellis", withIntermediateDirectories: true)
        try "{}".write(toFile: xdg + "/trellis/config.json", atomically: true, encoding: .utf8)
        #expect(try ConfigurationLoader.locate(explicit: nil, environment: ["XDG_CONFIG_HOME": xdg], currentDirectory: directory)
            == xdg + "/trellis/config.json")
        try "{}".write(toFile: directory + "/trellis.json", atomically: true, encoding: .utf8)
        #expect(try ConfigurationLoader.locate(explicit: nil, environment: ["XDG_CONFIG_HOME": xdg], currentDirectory: directory)
            == directory + "/trellis.json")
        #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader.locate(explicit: "missing.json", environment: [:], currentDirectory: directory)
        }
    }
}
