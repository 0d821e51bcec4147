import Foundation
import Testing
import TrellisEngine
@testable import TrellisHosting
import TrellisTestSupport

/// The configuration file: every key read, every mistake located by file, line, column and key.
@Suite struct ConfigurationTests {
    static let complete = """
        {
          "llm": {"provider": "anthropic", "model": "claude-sonnet-4-6", "api_key_env": "MY_KEY",
                  "timeout": "90s", "max_attempts": 4, "max_output_tokens": 2048},
          "memory": {"adapter": "sqlite", "recall_limit": 5},
          "tools": [
            {"name": "weather", "description": "Weather by city",
             "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
             "command": ["bin/weather", "--json"], "timeout": "20s", "cwd": "tools", "env": ["WEATHER_TOKEN"]}
          ],
          "plugin_dirs": ["plugins"],
          "graphs": {"turn": "graphs/turn.dot", "heartbeat": "graphs/heartbeat.dot"},
          "store": {"path": "sessions.sqlite", "durability": "batched", "retain_messages": 400, "retain_turns": 1000},
          "data_dir": "data",
          "session": {"system_prompt": "Be brief.", "max_tool_rounds": 4, "turn_policy": "interrupt"},
          "session_types": {"background": {"llm": "openai", "memory": "in_memory"}}
        }
        """

    @Test("a complete file: every key read, relative paths made absolute against the file's folder")
    func completeFile() throws {
        let configuration = try ConfigurationLoader.parse(Self.complete, file: "/etc/trellis/config.json")
        #expect(configuration.model.provider == "anthropic")
        #expect(configuration.model.model == "claude-sonnet-4-6")
        #expect(configuration.model.apiKeyVariable == "MY_KEY")
        #expect(configuration.model.timeout == .seconds(90))
        #expect(configuration.model.maxAttempts == 4 && configuration.model.maxOutputTokens == 2048)
        #expect(configuration.memory == "sqlite" && configuration.recallLimit == 5)
        let tool = try #require(configuration.tools.first)
        #expect(tool.name == "weather" && tool.command == ["bin/weather", "--json"] && tool.timeout == .seconds(20))
        #expect(tool.workingDirectory == "/etc/trellis/tools" && tool.environment == ["WEATHER_TOKEN"] && !tool.shell)
        #expect(configuration.pluginDirectories == ["/etc/trellis/plugins"])
        #expect(configuration.turnGraph == "/etc/trellis/graphs/turn.dot")
        #expect(configuration.storePath == "/etc/trellis/sessions.sqlite" && configuration.durability == "batched")
        #expect(configuration.retainMessages == 400 && configuration.retainTurns == 1000)
        #expect(configuration.dataDirectory == "/etc/trellis/data")
        #expect(configuration.sessionConfig["system_prompt"] == "Be brief.")
        #expect(configuration.adaptersBySessionType["background"] == ["llm": "openai", "memory": "in_memory"])
    }

    @Test("mistakes are located: file, line, column, key, and the nearest known key", arguments: [
        ("{\n  \"llm\": {\"modle\": \"x\"}\n}", "c.json:2:11: llm.modle: unknown key; did you mean 'model'?"),
        ("{\n  \"memry\": {}\n}", "c.json:2:3: memry: unknown key; did you mean 'memory'?"),
        ("{\"store\": {\"durability\": \"always\"}}", "c.json:1:12: store.durability: 'always' is not one of off, batched, sync"),
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
