public import TrellisPluginKit
import TrellisSessionNodes

/// The standard session node types as a plugin: `session.classify`, `session.memory_recall`,
/// `session.mode_select`, `session.llm_call`, `session.tool_dispatch`, `session.format` and
/// `session.memory_update`. The plugin id `session` namespaces the type names, so the ids are
/// exactly those of the built-in versions in TrellisSession, and both run the one
/// implementation in TrellisSessionNodes (`SessionNodes`): the same turn graph gives the same
/// replies, context and events on either path. Loading the plugin replaces the built-in types;
/// the load report and `trellis plugins list` say so.
///
/// `session.checkpoint` and `session.memory_consolidate` stay built in only: they hand the
/// session to the host's store and memory, which the C ABI does not reach.
@c(trellis_plugin_entry)
public func trellisPluginEntry() -> PluginDescriptorPointer {
    TrellisPlugin.export(
        id: "session",
        version: "1.1.0",
        description: "the standard session node types, through the C ABI",
        types: [
            .sync("classify", SyncSessionNode { SessionNodes.classify($0) },
                  description: "classify the input as command, blocked, tool_result or query",
                  attributes: [AttributeDeclaration("blocked", summary: "comma-separated words that block an input")]),
            .async("memory_recall", AsyncSessionNode { try await SessionNodes.memoryRecall($0) },
                   description: "recall memories for the input through the memory adapter"),
            .sync("mode_select", SyncSessionNode { SessionNodes.modeSelect($0) },
                  description: "choose the cognitive mode from goals and turn count"),
            .async("llm_call", AsyncSessionNode { try await SessionNodes.llmCall($0) },
                   description: "call the LLM adapter with the conversation", attributes: [
                AttributeDeclaration("prompt", summary: "prompt used instead of session.input"),
                AttributeDeclaration("llm_model", summary: "model name passed to the adapter"),
                AttributeDeclaration("llm_provider", summary: "provider name passed to the adapter"),
                AttributeDeclaration("reasoning_effort", summary: "passed to the adapter as an option"),
                AttributeDeclaration("max_tool_rounds", .integer, summary: "tool rounds allowed per turn (default: the session config's, else 8)"),
            ]),
            .async("tool_dispatch", AsyncSessionNode { try await SessionNodes.toolDispatch($0) },
                   description: "run the model's tool calls through the tools adapter"),
            .sync("format", SyncSessionNode { SessionNodes.format($0) },
                  description: "write the reply from the model's answer",
                  attributes: [AttributeDeclaration("prefix", summary: "text put in front of the reply")]),
            .async("memory_update", AsyncSessionNode { try await SessionNodes.memoryUpdate($0) },
                   description: "record the turn with the memory adapter"),
        ]
    )
}
