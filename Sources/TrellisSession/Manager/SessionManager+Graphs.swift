import Foundation
import Synchronization
import TrellisEngine

/// The outcome of a graph reload.
public struct GraphReloadReport: Sendable {
    /// Whether a new generation is serving.
    public var succeeded: Bool
    /// The generation serving after the reload.
    public var generation: UInt64
    /// On failure, the errors with their locations (`file:line:column: error: ...`), one per line.
    public var errors: String
}

extension SessionManager {
    struct LoadedGraphs {
        var turn: CompiledGraph
        var heartbeat: CompiledGraph?
        var turnPath: String?
        var heartbeatPath: String?
    }

    /// Loads the turn and heartbeat graphs the options name (file, default file, or embedded default).
    static func loadGraphs(options: SessionManagerOptions, registry: HandlerRegistry) throws(SessionError) -> LoadedGraphs {
        let turnPath = options.turnGraphPath ?? existing(DefaultSessionGraphs.turnPath)
        let heartbeatPath = options.heartbeatGraphPath ?? existing(DefaultSessionGraphs.heartbeatPath)
        let turn = try load(path: turnPath, embedded: DefaultSessionGraphs.turn, label: "<embedded turn.dot>", registry: registry)
        let heartbeat = try load(path: heartbeatPath, embedded: DefaultSessionGraphs.heartbeat,
                                 label: "<embedded heartbeat.dot>", registry: registry)
        return LoadedGraphs(turn: turn, heartbeat: heartbeat, turnPath: turnPath, heartbeatPath: heartbeatPath)
    }

    private static func existing(_ path: String) -> String? {
        FileManager.default.fileExists(atPath: path) ? path : nil
    }

    private static func load(path: String?, embedded: String, label: String, registry: HandlerRegistry) throws(SessionError) -> CompiledGraph {
        do {
            if let path { return try PipelineLoader.load(path: path, registry: registry, strictTypes: true) }
            return try SessionGraphs.compile(text: embedded, file: label, registry: registry)
        } catch {
            throw SessionError.graph("cannot load the session graph \(path ?? label):\n" + SessionGraphs.describe(error))
        }
    }

    /// Reloads both graphs from their files against the current registry. On any error the
    /// old graphs keep serving and the errors are reported (event `graph_reload_failed`).
    /// Reloads run one at a time: one that read a file before another published must not
    /// publish after it (the older text would serve until the next change).
    @discardableResult
    public func reloadGraphs() -> GraphReloadReport {
        reloading.withLockHeld { reloadGraphsHoldingLock() }
    }

    private func reloadGraphsHoldingLock() -> GraphReloadReport {
        let current = graphs.current
        let registry = self.registry.withLock { $0 }
        var options = self.options
        options.turnGraphPath = current.turnPath
        options.heartbeatGraphPath = current.heartbeatPath
        let trace = SessionConfiguration.newTraceID()
        do {
            let loaded = try Self.loadGraphs(options: options, registry: registry)
            let number = graphs.publish(turn: loaded.turn, heartbeat: loaded.heartbeat, turnPath: loaded.turnPath,
                                        heartbeatPath: loaded.heartbeatPath, registry: registry)
            events.publish(SessionEvent(kind: .graphReloaded, topic: Self.topic, sessionID: nil, traceID: trace, fields: [
                "generation": .integer(Int(number)), "turn_graph": .string(loaded.turnPath ?? "<embedded>"),
                "heartbeat_graph": .string(loaded.heartbeatPath ?? "<embedded>"),
            ]))
            return GraphReloadReport(succeeded: true, generation: number, errors: "")
        } catch {
            events.publish(SessionEvent(kind: .graphReloadFailed, topic: Self.topic, sessionID: nil, traceID: trace, fields: [
                "generation": .integer(Int(current.number)), "error": .string(error.description),
            ]))
            return GraphReloadReport(succeeded: false, generation: current.number, errors: error.description)
        }
    }

    /// Replaces the registry (after a plugin reload) and recompiles the graphs against it.
    @discardableResult
    public func useRegistry(_ newRegistry: HandlerRegistry) -> GraphReloadReport {
        reloading.withLockHeld {
            let previous = registry.withLock { registry in
                defer { registry = newRegistry }
                return registry
            }
            let report = reloadGraphsHoldingLock()
            if !report.succeeded { registry.withLock { $0 = previous } }
            return report
        }
    }

    /// Watches the graph files and reloads when they change (see `GraphFileWatcher`).
    func startWatching() {
        let paths = watchedFiles.withLock { Array($0.keys) }
        let started = GraphFileWatcher(manager: self, paths: paths, interval: options.watchInterval)
        watcher.withLock { $0 = started }
    }

    /// Whether a watched file's signature changed since the last check (and records the new ones).
    func graphFilesChanged() -> Bool {
        watchedFiles.withLock { files in
            var changed = false
            for (path, signature) in files {
                let now = GraphFileSignature.of(path)
                if now != signature {
                    files[path] = now
                    changed = true
                }
            }
            return changed
        }
    }
}
