import TrellisEngine

extension RunResult {
    /// The result as one JSON object, as `trellis run --json` prints it:
    /// `{"status","completed_nodes","context","run_dir","failure_reason"}`.
    public func jsonSummary(runDirectory: String) -> String {
        var out = "{\"status\":" + JSONText.quoted(status.rawValue)
        out += ",\"completed_nodes\":" + ContextValue.list(completedNodes.map { .string($0) }).jsonText
        out += ",\"context\":" + ContextValue.map(context.values).jsonText
        out += ",\"run_dir\":" + JSONText.quoted(runDirectory)
        out += ",\"failure_reason\":" + (failureReason.map(JSONText.quoted) ?? "null")
        return out + "}"
    }
}
