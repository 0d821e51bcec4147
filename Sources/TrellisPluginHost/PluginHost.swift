/// Loads node types and adapters from shared libraries through the C ABI in `trellis_plugin.h`.
public enum PluginHost {}
