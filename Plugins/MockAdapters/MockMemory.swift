import TrellisPluginKit

/// Recalls no memories after a tenth of the simulated latency; updates do nothing.
struct MockMemory: PluginMemoryAdapter {
    func recall(agentID: String, query: String) async throws -> [PluginValue] {
        let latency = MockLatency.memory
        if latency > .zero { try await HostTimer.sleep(for: latency) }
        return []
    }

    func update(agentID: String, entry: PluginValue) async throws {}

    /// Without simulated latency there is nothing to wait for.
    func recallImmediately(agentID: String, query: String) throws -> [PluginValue]? {
        MockLatency.memory > .zero ? nil : []
    }

    /// Updates do nothing, at once.
    func updateImmediately(agentID: String, entry: PluginValue) throws -> Bool { true }
}
