extension ToolHandler {
    /// The prefix of the environment variables that carry context values.
    public static let contextVariablePrefix = "TRELLIS_CTX_"

    /// Values longer than this many bytes are not passed (the kernel limits one variable
    /// to 128 KiB and the whole environment to a few MiB); the node's notes name them.
    public static let maximumVariableBytes = 64 * 1024

    /// Context variables stop being added once they take this many bytes together, so a
    /// large context cannot push the command past the kernel's limit on argument and
    /// environment size; the keys left out are named in the node's notes.
    public static let maximumContextEnvironmentBytes = 1024 * 1024

    /// The environment variable that carries context key `key`: `TRELLIS_CTX_` followed by
    /// the key in upper case with every character other than A–Z and 0–9 replaced by `_`
    /// (`context.tool_stdout` → `TRELLIS_CTX_CONTEXT_TOOL_STDOUT`).
    public static func environmentName(forContextKey key: String) -> String {
        var name = contextVariablePrefix
        for scalar in key.unicodeScalars {
            switch scalar {
            case "a"..."z": name.unicodeScalars.append(Unicode.Scalar(scalar.value - 32)!)
            case "A"..."Z", "0"..."9": name.unicodeScalars.append(scalar)
            default: name.append("_")
            }
        }
        return name
    }

    /// The environment variables that carry a context to a tool command.
    ///
    /// Every context value is passed as text (`ContextValue.stringValue`: strings as they
    /// are, numbers and booleans in their usual spelling, lists and maps as JSON, null as
    /// empty) under `environmentName(forContextKey:)`. Keys are taken in sorted order, so
    /// when two keys map to the same name the later key wins, the same way every time.
    /// Values containing NUL (which an environment cannot hold), longer than
    /// `maximumVariableBytes`, or beyond `maximumContextEnvironmentBytes` in all are left out
    /// and returned in `skipped`.
    ///
    /// This is the only way context reaches a command: values are never spliced into the
    /// script, so a value cannot inject shell code — a script reads `"$TRELLIS_CTX_NAME"`.
    public static func contextEnvironment(for context: Context) -> (variables: [String: String], skipped: [String]) {
        var variables: [String: String] = [:]
        var skipped: [String] = []
        var total = 0
        for key in context.keys.sorted() {
            let text = context[key]!.stringValue
            let name = environmentName(forContextKey: key)
            let size = name.utf8.count + text.utf8.count + 2
            if text.utf8.count > maximumVariableBytes || text.utf8.contains(0) || total + size > maximumContextEnvironmentBytes {
                skipped.append(key)
                continue
            }
            total += size
            variables[name] = text
        }
        return (variables, skipped)
    }
}
