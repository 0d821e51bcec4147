/// A configuration file that cannot be used, located: `file:line:column: key: what is wrong`.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    /// The file.
    public var file: String
    /// 1-based line, when known.
    public var line: Int?
    /// 1-based column, when known.
    public var column: Int?
    /// The key the problem is about (`llm.model`, `tools[1].command`), when there is one.
    public var key: String?
    /// What is wrong, and what to write instead.
    public var message: String

    /// Creates an error.
    public init(file: String, line: Int? = nil, column: Int? = nil, key: String? = nil, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.key = key
        self.message = message
    }

    /// `trellis.json:4:5: llm.modle: unknown key; did you mean 'model'?`
    public var description: String {
        var text = file
        if let line { text += ":\(line)" + (column.map { ":\($0)" } ?? "") }
        text += ": "
        if let key { text += key + ": " }
        return text + message
    }
}
