// `ContextValue` and `JSONText` are the engine's vocabulary (context values, handler
// outcomes, run files), and they live in TrellisCore so that the plugin SDK can share them
// without linking the engine. Re-exporting keeps `import TrellisEngine` enough for the
// engine's users (sessions, the tool, tests), as it was before the types moved.
@_exported import TrellisCore
