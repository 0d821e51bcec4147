import TrellisPluginKit

/// The plugin's one exported symbol. The host calls it to learn the plugin id (`greeting`, the
/// namespace of its types: `greeting.greet`, `greeting.delayed_greet`), its version, and what
/// it offers. It must be `public`: only public symbols are exported from the library.
@c(trellis_plugin_entry)
public func trellisPluginEntry() -> PluginDescriptorPointer {
    TrellisPlugin.export(
        id: "greeting",
        version: "1.0.0",
        description: "greets people (an example plugin)",
        types: [
            .sync("greet", Greet(), description: "writes a greeting to greeting.text", attributes: Greet.attributes),
            .async("delayed_greet", DelayedGreet(), description: "greets after delay_ms on the host timer",
                   attributes: DelayedGreet.attributes),
        ],
        onLoad: { GreetingLifecycle.started() },
        onShutdown: { GreetingLifecycle.retired() }
    )
}
