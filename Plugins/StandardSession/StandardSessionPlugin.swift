public import TrellisPluginKit

/// The standard session node types as a plugin: `session.classify`, `session.memory_recall`,
/// `session.mode_select`, `session.llm_call`, `session.tool_dispatch`, `session.format`,
/// `session.memory_update` and `session.checkpoint`. The plugin id `session` namespaces the
/// type names, so the ids are exactly those of the built-in versions in TrellisSession and
/// the same turn and heartbeat graphs run on either.
@c(trellis_plugin_entry)
public func trellisPluginEntry() -> PluginDescriptorPointer {
    TrellisPlugin.export(
        id: "session",
        version: "1.0.0",
        description: "the standard session node types, through the C ABI",
        types: [
            .sync("classify", ClassifyNode(), description: "classify the input as command, blocked, tool_result or query",
                  attributes: [AttributeDeclaration("blocked", summary: "comma-separated words that block an input")]),
            .async("memory_recall", MemoryRecallNode(), description: "recall memories for the input through the memory adapter"),
            .sync("mode_select", ModeSelectNode(), description: "choose the cognitive mode from goals and turn count"),
            .async("llm_call", LLMCallNode(), description: "call the LLM adapter with the conversation", attributes: [
                AttributeDeclaration("prompt", summary: "prompt used instead of session.input"),
                AttributeDeclaration("llm_model", summary: "model name passed to the adapter"),
                AttributeDeclaration("llm_provider", summary: "provider name passed to the adapter"),
                AttributeDeclaration("reasoning_effort", summary: "passed to the adapter as an option"),
            ]),
            .async("tool_dispatch", ToolDispatchNode(), description: "run the model's tool calls through the tools adapter"),
            .sync("format", FormatNode(), description: "write the reply from the model's answer",
                  attributes: [AttributeDeclaration("prefix", summary: "text put in front of the reply")]),
            .async("memory_update", MemoryUpdateNode(), description: "record the turn with the memory adapter"),
            .sync("checkpoint", CheckpointNode(), description: "publish a snapshot of the session as a session_checkpoint event"),
        ]
    )
}
