public import TrellisPluginKit

/// Mock adapters with simulated latency, for benchmarks and tests: `mock.llm` answers
/// "Response N" (N counting per session) after the configured latency, `mock.memory` recalls
/// nothing after a tenth of it and records nothing, `mock.tools` echoes each call. Every wait
/// is on the host timer: a waiting request holds no thread.
///
/// The latency is `TRELLIS_MOCK_LATENCY_MS` (milliseconds, default 0) read when the host loads
/// the plugin; a request may override it with the option `mock_latency_ms`.
@c(trellis_plugin_entry)
public func trellisPluginEntry() -> PluginDescriptorPointer {
    TrellisPlugin.export(
        id: "mock",
        version: "1.0.0",
        description: "mock LLM, memory and tools adapters with simulated latency",
        adapters: [
            .llm("llm", MockLLM(), description: "answers \"Response N\" after the configured latency", messagesByAccessor: true),
            .memory("memory", MockMemory(), description: "recalls nothing after a tenth of the latency"),
            .tools("tools", MockTools(), description: "echoes each tool call as its result"),
        ],
        onLoad: { MockLatency.configure() }
    )
}
