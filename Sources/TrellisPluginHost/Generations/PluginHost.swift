import Foundation
import TrellisCore
public import TrellisEngine

/// Loads node types and adapters from the shared libraries in plugin directories and serves
/// them as immutable generations.
///
/// `reload()` looks at every directory: new and changed `.so` files are staged, loaded and
/// checked; a file that fails leaves its previous version (if any) serving and reports why;
/// removed files drop out. When anything changed, a new `PluginGeneration` is published
/// atomically; runs that took the previous one keep it. `watch` reloads on file changes.
///
/// The first generation (number 0) holds the built-ins only; call `reload()` to load plugins.
public final class PluginHost: Sendable {
    /// The plugin directories, in search order.
    public let directories: [String]
    /// The built-in node types every generation starts from.
    public let builtins: HandlerRegistry
    /// Where libraries are staged before loading.
    public let staging: PluginStaging
    /// How long an asynchronous plugin call of a node without a `timeout` attribute may stay
    /// pending before the host cancels it and fails the node; `nil` waits for ever.
    public let callTimeout: Duration?

    /// The default of `callTimeout`: long enough for a slow model behind a plugin adapter,
    /// short enough that a forgotten `complete` does not hang a run or a server for good.
    public static let defaultCallTimeout: Duration = .seconds(300)

    private struct FileRecord {
        var signature: FileSignature
        var loaded: LoadedPlugin?
        var failure: PluginLoadError?
    }

    private struct State {
        var generation: PluginGeneration
        var files: [String: FileRecord] = [:]
        /// The (file, activation) pairs the current generation serves, to tell whether a reload changed anything.
        var serving: [String: ObjectIdentifier] = [:]
    }

    private let state: LockedValue<State>
    private let vetting: (@Sendable (String) -> PluginLoadError?)?
    /// Serializes reloads (a watcher and an explicit call may race).
    private let reloading = LockedValue(())

    /// A host over `directories` (see `PluginSearchPath`) on top of `builtins`, failing
    /// asynchronous plugin calls still pending after `callTimeout` (`nil`: never).
    ///
    /// `vetting`, when given, looks at each new or changed file before this process loads it
    /// and may refuse it (`PluginScanChild` loads it in a child process first, so that a plugin
    /// whose `init` crashes takes down the child, not `plugins list`).
    public init(directories: [String], builtins: HandlerRegistry, staging: PluginStaging = .userDefault,
                callTimeout: Duration? = PluginHost.defaultCallTimeout,
                vetting: (@Sendable (String) -> PluginLoadError?)? = nil) {
        self.directories = directories
        self.builtins = builtins
        self.staging = staging
        self.callTimeout = callTimeout
        self.vetting = vetting
        state = LockedValue(State(generation: PluginGeneration(number: 0, registry: builtins)))
        // From now on a fatal signal in plugin code names the plugin, node and session.
        PluginCrashContext.install()
    }

    /// The generation serving now. A run takes it once and keeps it.
    public var current: PluginGeneration { state.withLock { $0.generation } }

    /// Looks at every plugin directory and publishes a new generation if anything changed.
    /// Returns one report per directory problem and per file looked at.
    @discardableResult
    public func reload() -> [PluginLoadReport] {
        reloading.withLockHeld { reloadLocked() }
    }

    private func reloadLocked() -> [PluginLoadReport] {
        var (files, previousServing, previousNumber) = state.withLock { ($0.files, $0.serving, $0.generation.number) }
        var reports: [PluginLoadReport] = []
        var seen = Set<String>()

        for directory in directories {
            if let problem = FileSecurity.problem(withDirectory: directory) {
                reports.append(PluginLoadReport(path: directory, status: .failed, message: "refusing to load plugins from it: \(problem)",
                                                previousVersionServing: files.keys.contains { $0.hasPrefix(directory + "/") }))
                for path in files.keys where path.hasPrefix(directory + "/") { seen.insert(path) }
                continue
            }
            let names: [String]
            do {
                names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
            } catch {
                reports.append(PluginLoadReport(path: directory, status: .failed, message: "cannot list the plugin directory: \(error.localizedDescription)"))
                for path in files.keys where path.hasPrefix(directory + "/") { seen.insert(path) }
                continue
            }
            for name in names {
                let path = directory + "/" + name
                guard name.hasSuffix(".so"), !name.hasPrefix(".") else {
                    reports.append(PluginLoadReport(path: path, status: .skipped, message: "not a plugin: only '.so' files are loaded"))
                    continue
                }
                seen.insert(path)
                reports.append(examine(path, files: &files))
            }
        }
        for (path, record) in files where !seen.contains(path) {
            files[path] = nil
            if let loaded = record.loaded {
                reports.append(PluginLoadReport(path: path, status: .removed, message: "the file is gone; its types leave the next generation",
                                                pluginID: loaded.image.id))
            }
        }

        let candidates = files.filter { $0.value.loaded != nil }.sorted { $0.key < $1.key }.compactMap(\.value.loaded)
        let built = GenerationBuilder.build(number: previousNumber + 1, builtins: builtins, plugins: candidates, callTimeout: callTimeout)
        for (file, error) in built.refused {
            if let index = reports.firstIndex(where: { $0.path == file }) {
                reports[index] = PluginLoadReport(path: file, status: .failed, message: error.reason, pluginID: reports[index].pluginID)
            }
        }
        for (file, notes) in built.notes {
            if let index = reports.firstIndex(where: { $0.path == file }), reports[index].status == .loaded {
                reports[index].message += "; " + notes.joined(separator: "; ")
            }
        }
        let refusedFiles = Set(built.refused.map(\.file))
        var serving: [String: ObjectIdentifier] = [:]
        for plugin in candidates where !refusedFiles.contains(plugin.file) { serving[plugin.file] = ObjectIdentifier(plugin.activation) }

        state.withLock { state in
            state.files = files
            if serving != previousServing {
                state.generation = built.generation
                state.serving = serving
            }
        }
        return reports
    }

    /// Loads `path` if it changed since the last look, updating its record; the report says what happened.
    private func examine(_ path: String, files: inout [String: FileRecord]) -> PluginLoadReport {
        guard let signature = FileSignature(path: path) else {
            return PluginLoadReport(path: path, status: .failed, message: "cannot read the file: \(String(cString: strerror(errno)))",
                                    previousVersionServing: files[path]?.loaded != nil)
        }
        let previous = files[path]
        if let previous, previous.signature == signature {
            if let failure = previous.failure {
                return PluginLoadReport(path: path, status: failure.kind == .noEntrySymbol ? .skipped : .failed, message: failure.reason,
                                        pluginID: previous.loaded?.image.id, previousVersionServing: previous.loaded != nil)
            }
            return PluginLoadReport(path: path, status: .unchanged, pluginID: previous.loaded?.image.id)
        }
        do throws(PluginLoadError) {
            if let vetting, let problem = vetting(path) { throw problem }
            let loaded = try PluginLoader.load(file: path, staging: staging)
            files[path] = FileRecord(signature: signature, loaded: loaded, failure: nil)
            let types = loaded.image.nodeTypes.map(\.qualifiedID) + loaded.image.adapters.map { loaded.image.id + "." + $0.name }
            return PluginLoadReport(path: path, status: .loaded,
                                    message: "plugin '\(loaded.image.id)' \(loaded.image.version): " + (types.isEmpty ? "no types" : types.joined(separator: ", ")),
                                    pluginID: loaded.image.id)
        } catch {
            files[path] = FileRecord(signature: signature, loaded: previous?.loaded, failure: error)
            if error.kind == .noEntrySymbol {
                return PluginLoadReport(path: path, status: .skipped, message: error.reason)
            }
            return PluginLoadReport(path: path, status: .failed, message: error.reason, pluginID: previous?.loaded?.image.id,
                                    previousVersionServing: previous?.loaded != nil)
        }
    }
}
