import TrellisEngine

extension Session {
    /// Adapters that came from a plugin follow plugin reloads, at run boundaries only: before
    /// a run starts, if `graph` was compiled against another plugin generation than the
    /// session's plugin adapters come from, the adapters of that generation replace them. The
    /// run then keeps what it started with, so one run never mixes a generation's node types
    /// with another generation's adapters.
    func followPluginAdapters(to graph: CompiledGraph) {
        guard let catalog = currentAdapters.catalog,
              let followed = catalog.following(currentAdapters, generation: graph.registryGeneration) else { return }
        currentAdapters = followed
        turnAdapters = Self.wrap(followed.set, status: status, events: events, topic: signalTopic, sessionID: id, traceID: traceID)
        events.publish(event("adapters_followed_reload", [
            "adapter_plugin_generation": .integer(Int(graph.registryGeneration)),
            "adapters": .map(Dictionary(uniqueKeysWithValues: followed.pluginNames.map { ($0.key.rawValue, .string($0.value)) })),
        ]))
    }

    /// The adapters a heartbeat run of `graph` uses (after following a reload, see
    /// `followPluginAdapters`): unwrapped, as heartbeats neither set the turn phase nor stream.
    func adapters(following graph: CompiledGraph) -> AdapterSet {
        followPluginAdapters(to: graph)
        return currentAdapters.set
    }

    /// `set` wrapped so that model calls set the session's phase and stream `llm_delta` events.
    static func wrap(_ set: AdapterSet, status: SessionStatus, events: SessionEventBus, topic: String, sessionID: String,
                     traceID: String) -> AdapterSet {
        PhaseTrackingAdapters.wrap(set, status: status) { [events, status] piece in
            events.publish(SessionEvent(kind: .llmDelta, topic: topic, sessionID: sessionID, traceID: traceID,
                                        fields: ["turn": .integer(status.snapshot.turnCount + 1), "text": .string(piece)]))
        }
    }
}
