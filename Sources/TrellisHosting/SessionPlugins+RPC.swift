import TrellisEngine
import TrellisPluginHost
import TrellisSession

extension SessionPlugins {
    /// Reloads the plugins for the `plugins.reload` JSON-RPC method: the new generation and a
    /// line per plugin, or an error when the graphs do not compile against the new types (the
    /// previous graphs then keep serving, so the client must hear that the reload did not take).
    public func reloadForRPC() -> Result<ContextValue, JSONRPCError> {
        let outcome = reload()
        if let graphs = outcome.graphs, !graphs.succeeded {
            return .failure(JSONRPCError(
                code: JSONRPCError.reloadFailed,
                message: "plugins reloaded (generation \(outcome.generation)) but the graphs do not compile against them; the previous graphs keep serving:\n\(graphs.errors)"))
        }
        return .success(.map([
            "generation": .integer(Int(outcome.generation)),
            "reports": .list(outcome.reports.map { .string($0.description) }),
        ]))
    }
}
