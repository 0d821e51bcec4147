import TrellisDOT

/// The node types every host knows without plugins.
public enum BuiltinHandlers {
    /// Every built-in registration.
    public static var all: [RegisteredHandler] {
        [
            StartHandler.registration,
            ExitHandler.registration,
            ConditionalHandler.registration,
            ParallelHandler.registration,
            FanInHandler.registration,
            ManagerLoopHandler.registration,
            LLMStageHandler.registration,
            ToolHandler.registration,
            HumanGateHandler.registration,
        ]
    }
}

extension HandlerRegistry {
    /// A registry of the built-in node types only (generation 0).
    public static var builtin: HandlerRegistry { HandlerRegistry(generation: 0, handlers: BuiltinHandlers.all) }
}
