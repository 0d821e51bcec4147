import TrellisDOT

extension LLMStageHandler {
    /// The prompt a node sends: its `prompt` attribute with escapes resolved (`\n` → newline),
    /// else its label.
    ///
    /// Placeholders are not expanded here: the graph compiler replaces `$goal`, and the engine
    /// replaces `${context.key}` / `${key}` just before the node runs (`PromptExpansion`).
    /// Expanding again would expand placeholders that context values themselves contain.
    public static func prompt(for node: NodeSpec) -> String {
        let written = node.attributes["prompt"]?.text ?? ""
        return written.isEmpty ? node.label : written
    }
}
