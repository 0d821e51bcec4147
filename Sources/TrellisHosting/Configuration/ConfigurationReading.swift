import Foundation
import TrellisDOT
import TrellisEngine
import TrellisSession
import TrellisTools

/// One pass over a parsed configuration: checks each object's keys and each value's type,
/// and turns the document into a `HostConfiguration`, locating every complaint.
struct ConfigurationReading {
    let file: String
    let text: String
    let locations: [String: Int]

    /// The keys each object may hold; the one list the checks and the suggestions come from.
    static let rootKeys = ["llm", "memory", "tools", "tool_env", "plugin_dirs", "plugin_call_timeout", "graphs", "store", "run", "data_dir", "session", "session_types"]
    static let toolEnvironmentKeys = ["allow", "secret_patterns"]
    static let llmKeys = ["provider", "model", "base_url", "api_key_env", "timeout", "max_attempts", "max_output_tokens", "ca_file"]
    static let memoryKeys = ["adapter", "recall_limit"]
    static let toolKeys = ["name", "description", "parameters", "command", "timeout", "cwd", "env", "shell"]
    static let graphKeys = ["turn", "heartbeat"]
    static let storeKeys = ["path", "durability", "retain_messages", "retain_turns", "lease_ttl", "host_id"]
    static let runKeys = ["durability"]
    static let sessionKeys = ["system_prompt", "max_tool_rounds", "turn_policy", "max_messages", "summarize", "blocked_words"]
    static let sessionTypeKeys = ["llm", "memory", "tools"]
    static let sessionTypes = ["primary", "background", "delegation", "consultation"]

    var directory: String { (file as NSString).deletingLastPathComponent }

    func configuration(from root: ContextValue) throws(ConfigurationError) -> HostConfiguration {
        let top = try object(root, at: "", keys: Self.rootKeys)
        var configuration = HostConfiguration()
        configuration.file = file
        if let llm = top["llm"] {
            let entries = try object(llm, at: "llm", keys: Self.llmKeys)
            configuration.model.provider = try string(entries["provider"], at: "llm.provider")
            configuration.model.model = try string(entries["model"], at: "llm.model")
            configuration.model.baseURL = try string(entries["base_url"], at: "llm.base_url")
            configuration.model.apiKeyVariable = try string(entries["api_key_env"], at: "llm.api_key_env")
            configuration.model.timeout = try duration(entries["timeout"], at: "llm.timeout")
            configuration.model.maxAttempts = try integer(entries["max_attempts"], at: "llm.max_attempts", minimum: 1)
            configuration.model.maxOutputTokens = try integer(entries["max_output_tokens"], at: "llm.max_output_tokens", minimum: 1)
            if let caFile = entries["ca_file"] { configuration.model.caFile = try path(caFile, at: "llm.ca_file") }
        }
        if let memory = top["memory"] {
            let entries = try object(memory, at: "memory", keys: Self.memoryKeys)
            configuration.memory = try string(entries["adapter"], at: "memory.adapter")
            configuration.recallLimit = try integer(entries["recall_limit"], at: "memory.recall_limit", minimum: 0)
        }
        if let tools = top["tools"] {
            var seen: Set<String> = []
            for (index, item) in try list(tools, at: "tools").enumerated() {
                let tool = try self.tool(item, at: "tools[\(index)]")
                guard seen.insert(tool.name).inserted else { throw error(at: "tools[\(index)].name", "a second tool named '\(tool.name)'") }
                configuration.tools.append(tool)
            }
        }
        if let toolEnvironment = top["tool_env"] {
            let entries = try object(toolEnvironment, at: "tool_env", keys: Self.toolEnvironmentKeys)
            var allowed: [String] = []
            if let value = entries["allow"] { allowed = try strings(value, at: "tool_env.allow", each: "must be a variable name") }
            var patterns: [String] = []
            if let value = entries["secret_patterns"] {
                patterns = try strings(value, at: "tool_env.secret_patterns", each: "must be a name, or *SUFFIX")
            }
            configuration.toolSecrets = SecretVariables(extraPatterns: patterns, allowed: Set(allowed))
        }
        if let directories = top["plugin_dirs"] {
            for (index, item) in try list(directories, at: "plugin_dirs").enumerated() {
                configuration.pluginDirectories.append(try path(item, at: "plugin_dirs[\(index)]"))
            }
        }
        configuration.pluginCallTimeout = try duration(top["plugin_call_timeout"], at: "plugin_call_timeout")
        if let graphs = top["graphs"] {
            let entries = try object(graphs, at: "graphs", keys: Self.graphKeys)
            configuration.turnGraph = try entries["turn"].map { value throws(ConfigurationError) in try path(value, at: "graphs.turn") }
            configuration.heartbeatGraph = try entries["heartbeat"].map { value throws(ConfigurationError) in try path(value, at: "graphs.heartbeat") }
        }
        if let store = top["store"] {
            let entries = try object(store, at: "store", keys: Self.storeKeys)
            configuration.storePath = try entries["path"].map { value throws(ConfigurationError) in
                // A PostgreSQL URL is kept as written; anything else is a file relative to this configuration.
                if case .postgres = StoreLocation(value.string ?? "") { return value.string ?? "" }
                return try path(value, at: "store.path")
            }
            configuration.leaseTTL = try duration(entries["lease_ttl"], at: "store.lease_ttl")
            configuration.hostID = try string(entries["host_id"], at: "store.host_id")
            configuration.durability = try choice(entries["durability"], at: "store.durability", among: ["off", "batched", "sync"])
            configuration.retainMessages = try integer(entries["retain_messages"], at: "store.retain_messages", minimum: 1)
            configuration.retainTurns = try integer(entries["retain_turns"], at: "store.retain_turns", minimum: 1)
        }
        if let run = top["run"] {
            let entries = try object(run, at: "run", keys: Self.runKeys)
            configuration.runDurability = try choice(entries["durability"], at: "run.durability", among: ["off", "batched", "sync"])
        }
        if let data = top["data_dir"] { configuration.dataDirectory = try path(data, at: "data_dir") }
        if let session = top["session"] {
            configuration.sessionConfig = try object(session, at: "session", keys: Self.sessionKeys)
            _ = try string(configuration.sessionConfig["system_prompt"], at: "session.system_prompt")
            _ = try integer(configuration.sessionConfig["max_tool_rounds"], at: "session.max_tool_rounds", minimum: 0)
            _ = try choice(configuration.sessionConfig["turn_policy"], at: "session.turn_policy", among: ["enqueue", "reject", "interrupt"])
        }
        if let types = top["session_types"] {
            for (type, value) in try object(types, at: "session_types", keys: Self.sessionTypes) {
                let entries = try object(value, at: "session_types.\(type)", keys: Self.sessionTypeKeys)
                var names: [String: String] = [:]
                for (kind, name) in entries {
                    names[kind] = try string(name, at: "session_types.\(type).\(kind)")
                }
                configuration.adaptersBySessionType[type] = names
            }
        }
        return configuration
    }

    private func tool(_ value: ContextValue, at path: String) throws(ConfigurationError) -> ToolDeclaration {
        let entries = try object(value, at: path, keys: Self.toolKeys)
        guard let name = try string(entries["name"], at: path + ".name") else { throw error(at: path, "a tool needs a \"name\"") }
        guard name.range(of: #"^[A-Za-z0-9_-]{1,64}$"#, options: .regularExpression) != nil else {
            throw error(at: path + ".name", "'\(name)' is not a usable tool name (letters, digits, '_' and '-', at most 64)")
        }
        guard let commandValue = entries["command"] else { throw error(at: path, "tool '\(name)' needs a \"command\": [program, arguments...]") }
        let command = try strings(commandValue, at: path + ".command", each: "must be a string")
        guard !command.isEmpty, !command[0].isEmpty else { throw error(at: path + ".command", "must name a program") }
        let parameters = entries["parameters"] ?? .map(["type": "object"])
        guard parameters.map != nil else { throw error(at: path + ".parameters", "must be a JSON Schema object") }
        var environment: [String] = []
        if let value = entries["env"] { environment = try strings(value, at: path + ".env", each: "must be a variable name") }
        var shell = false
        if let value = entries["shell"] {
            guard case .boolean(let flag) = value else { throw error(at: path + ".shell", "must be true or false") }
            shell = flag
        }
        return ToolDeclaration(
            name: name, description: try string(entries["description"], at: path + ".description") ?? "",
            parameters: parameters, command: command,
            timeout: try duration(entries["timeout"], at: path + ".timeout") ?? .seconds(30),
            workingDirectory: try entries["cwd"].map { value throws(ConfigurationError) in try self.path(value, at: path + ".cwd") },
            environment: environment, shell: shell)
    }

    // MARK: Checked reads

    private func object(_ value: ContextValue, at path: String, keys: [String]) throws(ConfigurationError) -> [String: ContextValue] {
        guard let entries = value.map else { throw error(at: path, "must be an object { ... }") }
        for key in entries.keys.sorted() where !keys.contains(key) {
            let nearest = CloseMatches.find(key, among: keys, limit: 1).first
            let member = path.isEmpty ? key : path + "." + key
            throw error(at: member, "unknown key" + (nearest.map { "; did you mean '\($0)'?" } ?? "; known keys: " + keys.joined(separator: ", ")))
        }
        return entries
    }

    private func list(_ value: ContextValue, at path: String) throws(ConfigurationError) -> [ContextValue] {
        guard let items = value.list else { throw error(at: path, "must be a list [ ... ]") }
        return items
    }

    private func strings(_ value: ContextValue, at path: String, each complaint: String) throws(ConfigurationError) -> [String] {
        var texts: [String] = []
        for (index, item) in try list(value, at: path).enumerated() {
            guard let text = item.string else { throw error(at: "\(path)[\(index)]", complaint) }
            texts.append(text)
        }
        return texts
    }

    private func string(_ value: ContextValue?, at path: String) throws(ConfigurationError) -> String? {
        guard let value else { return nil }
        guard let text = value.string else { throw error(at: path, "must be a string") }
        return text
    }

    private func integer(_ value: ContextValue?, at path: String, minimum: Int) throws(ConfigurationError) -> Int? {
        guard let value else { return nil }
        guard case .integer(let number) = value, number >= minimum else { throw error(at: path, "must be a whole number, at least \(minimum)") }
        return number
    }

    private func duration(_ value: ContextValue?, at path: String) throws(ConfigurationError) -> Duration? {
        guard let value else { return nil }
        let text: String
        switch value {
        case .string(let written): text = written
        case .integer(let seconds): text = String(seconds)
        case .double(let seconds): text = String(seconds)
        default: throw error(at: path, "must be a duration such as \"30s\" or \"500ms\"")
        }
        guard let duration = AttributeValue(text).duration, duration > .zero else {
            throw error(at: path, "'\(text)' is not a duration; write one such as \"30s\", \"500ms\" or \"2m\"")
        }
        return duration
    }

    private func choice(_ value: ContextValue?, at path: String, among choices: [String]) throws(ConfigurationError) -> String? {
        guard let text = try string(value, at: path) else { return nil }
        guard choices.contains(text) else { throw error(at: path, "'\(text)' is not one of \(choices.joined(separator: ", "))") }
        return text
    }

    private func path(_ value: ContextValue, at key: String) throws(ConfigurationError) -> String {
        guard let text = value.string, !text.isEmpty else { throw error(at: key, "must be a path") }
        return ConfigurationLoader.absolute(text, relativeTo: directory)
    }

    // MARK: Locating

    func error(at path: String, offset: Int? = nil, _ message: String) -> ConfigurationError {
        let at = offset ?? nearestLocation(of: path)
        let (line, column) = ConfigurationLoader.position(of: at, in: text)
        return ConfigurationError(file: file, line: line, column: column, key: path.isEmpty ? nil : path, message: message)
    }

    /// The location of `path`, else of its nearest located parent, else the start of the file.
    private func nearestLocation(of path: String) -> Int {
        var key = path
        while !key.isEmpty {
            if let offset = locations[key] { return offset }
            if let cut = key.lastIndex(where: { $0 == "." || $0 == "[" }) { key = String(key[..<cut]) } else { break }
        }
        return 0
    }
}
