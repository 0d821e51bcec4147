// The SDK re-exports TrellisCore so that a plugin keeps writing only `import TrellisPluginKit`:
// `PluginValue` is TrellisCore's `ContextValue`, and its accessors, literals and JSON
// reading come with it. Plugins link TrellisCore (plain data, no Foundation, no host code)
// through this SDK and nothing of the host.
@_exported import TrellisCore
