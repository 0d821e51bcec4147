import TrellisEngine

/// A tool the model may call, as the configuration file declares it:
///
///     {"name": "weather", "description": "Weather by city",
///      "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
///      "command": ["/usr/local/bin/weather", "--json"], "timeout": "20s", "cwd": "/srv/tools",
///      "env": ["WEATHER_TOKEN"], "shell": false}
///
/// The command receives the call's arguments as one JSON object on standard input. It runs
/// without a shell unless `shell` is true (then `command` is joined with spaces and given to
/// `/bin/sh -c`). Its environment holds only the host variables `env` names, plus `PATH`
/// (the host's when `env` names it, else `/usr/local/bin:/usr/bin:/bin`).
public struct ToolDeclaration: Sendable, Equatable {
    /// The name the model calls it by (letters, digits, `_` and `-`).
    public var name: String
    /// What it does, for the model.
    public var description: String
    /// A JSON Schema of the arguments object.
    public var parameters: ContextValue
    /// The program and its arguments.
    public var command: [String]
    /// Longest run before the process group is killed.
    public var timeout: Duration
    /// Working directory (`nil`: the host's).
    public var workingDirectory: String?
    /// Names of host environment variables passed through.
    public var environment: [String]
    /// Whether `command` runs through `/bin/sh -c`.
    public var shell: Bool

    /// Creates a declaration.
    public init(name: String, description: String = "", parameters: ContextValue = .map(["type": .string("object")]),
                command: [String], timeout: Duration = .seconds(30), workingDirectory: String? = nil,
                environment: [String] = [], shell: Bool = false) {
        self.name = name
        self.description = description
        self.parameters = parameters
        self.command = command
        self.timeout = timeout
        self.workingDirectory = workingDirectory
        self.environment = environment
        self.shell = shell
    }

    /// The declaration as offered to the model: `{name, description, parameters}`.
    public var offer: ContextValue {
        .map(["name": .string(name), "description": .string(description), "parameters": parameters])
    }
}
