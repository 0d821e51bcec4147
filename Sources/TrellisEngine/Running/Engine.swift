/// Runs compiled pipelines with the semantics of the Attractor pipeline specification (the
/// choices where it is silent or contradicts itself are in `docs/semantics.md`).
///
/// A run starts at the start node (or, when resuming, where the checkpoint says), runs each
/// node's handler with its retry policy and timeout, applies the outcome's context updates,
/// picks the next edge, and ends at an exit node once every goal gate is satisfied, at a node
/// with no outgoing edges, or in failure. With a run directory it writes `manifest.json`,
/// `<node>/status.json` and, after every node, `checkpoint.json`; without one (and without an
/// event sink) the loop does no I/O and builds no events.
public struct Engine: Sendable {
    /// Creates an engine. Engines hold no state; one value can run any number of graphs at once.
    public init() {}

    /// Runs `graph` to its end and reports how it ended. Never throws: every failure, including
    /// an unreadable checkpoint, is a `RunResult` with status `.fail` and a reason.
    ///
    /// - Parameters:
    ///   - context: Initial values; the graph's attributes are mirrored under `graph.*` beneath them.
    ///     Ignored when resuming (the checkpoint's context is used). Taken, not borrowed: a caller
    ///     that hands over its only copy saves the run a copy of every value.
    ///   - services: `runDirectory` is where files go (when resuming, `options.resumeFrom` is used).
    ///
    /// `@concurrent`: a run never takes its caller's actor along (a session's actor stays free
    /// for the next message while its turn runs), and handlers, which run on their caller's
    /// executor, run on the global one.
    @concurrent
    public func run(
        _ graph: CompiledGraph,
        context: consuming Context = Context(),
        adapters: AdapterSet = AdapterSet(),
        services: RunServices = RunServices(),
        options: RunOptions = RunOptions()
    ) async -> RunResult {
        let maxSteps = options.maxSteps ?? graph.settings.maxSteps ?? RunOptions.defaultMaxSteps
        if let directory = options.resumeFrom {
            do {
                var loop = try RunLoop(
                    resuming: directory, graph: graph, adapters: adapters, services: services, maxSteps: maxSteps, durability: options.durability)
                loop.specRouting = options.specRouting
                if let finished = loop.finishedResult { return finished }
                return await loop.run()
            } catch {
                return RunResult(status: .fail, context: context, completedNodes: [], failureReason: error.description, runDirectory: directory)
            }
        }
        var loop = RunLoop(graph: graph, context: consume context, adapters: adapters, services: services, maxSteps: maxSteps, durability: options.durability)
        loop.specRouting = options.specRouting
        return await loop.run()
    }
}
