import TrellisCore
import TrellisEngine
import TrellisPluginHost
import TrellisSession

/// Plugins for sessions: a `PluginHost` over the plugin directories whose generations feed
/// the session manager — node types into the registry the graphs compile against, adapters
/// into the catalog sessions choose from by name. A new generation recompiles the graphs;
/// turns in flight finish on the graphs (and so the generation) they started with.
public final class SessionPlugins: Sendable {
    /// The plugin host.
    public let host: PluginHost
    private let catalog: AdapterCatalog
    private let manager = LockedValue<SessionManager?>(nil)
    private let watcher = LockedValue<PluginWatcher?>(nil)
    /// The newest generation applied to the manager and what applying it reported. Held while
    /// a generation is applied: the watcher's thread and an explicit `reload` may each apply
    /// one, and an older generation applied last would bring its node types and adapters back.
    private let applied = LockedValue<(number: UInt64, report: GraphReloadReport?)?>(nil)

    /// Loads the plugins in `directories` on top of `builtins`; asynchronous plugin calls
    /// without a node `timeout` are failed after `callTimeout` (`nil`: `PluginHost.defaultCallTimeout`).
    public init(directories: [String], builtins: HandlerRegistry, catalog: AdapterCatalog, callTimeout: Duration? = nil) {
        host = PluginHost(directories: directories, builtins: builtins, callTimeout: callTimeout ?? PluginHost.defaultCallTimeout)
        self.catalog = catalog
        _ = host.reload()
        Self.publishAdapters(host.current, to: catalog)
    }

    /// The registry of the current generation (built-ins, session types and plugin types).
    public var registry: HandlerRegistry { host.current.registry }

    /// Starts following plugin changes for `manager`.
    public func attach(to manager: SessionManager) {
        self.manager.withLock { $0 = manager }
        let started = host.watch { [weak self] generation, reports in
            self?.apply(generation, reports: reports)
        }
        watcher.withLock { $0 = started }
    }

    /// Reloads the plugins now; returns the generation number and a line per plugin.
    public func reload() -> (generation: UInt64, reports: [PluginLoadReport], graphs: GraphReloadReport?) {
        let reports = host.reload()
        let generation = host.current
        return (generation.number, reports, apply(generation, reports: reports))
    }

    @discardableResult
    private func apply(_ generation: PluginGeneration, reports: [PluginLoadReport]) -> GraphReloadReport? {
        let attached = manager.withLock { $0 }
        let (report, isNewest) = applied.withLock { applied -> (GraphReloadReport?, Bool) in
            if let newest = applied, newest.number > generation.number { return (newest.report, false) }
            Self.publishAdapters(generation, to: catalog)
            let report = attached?.useRegistry(generation.registry)
            applied = (generation.number, report)
            return (report, true)
        }
        // Outside the lock: a subscriber may itself reload.
        if isNewest, let attached, let report {
            attached.events.publish(SessionEvent(
                kind: "plugins_reloaded", topic: SessionManager.topic, sessionID: nil, traceID: SessionConfiguration.newTraceID(),
                fields: [
                    "generation": .integer(Int(generation.number)), "graphs_recompiled": .boolean(report.succeeded),
                    "reports": .list(reports.map { .string($0.description) }),
                ]))
        }
        return report
    }

    private static func publishAdapters(_ generation: PluginGeneration, to catalog: AdapterCatalog) {
        var entries: [String: AdapterCatalog.Entry] = [:]
        for (name, adapter) in generation.adapters {
            if let llm = adapter.llm { entries[name] = .llm(llm) }
            if let memory = adapter.memory { entries[name] = .memory(memory) }
            if let tools = adapter.tools { entries[name] = .tools(tools) }
        }
        catalog.replacePluginAdapters(entries, generation: generation.number)
    }
}
