/// What one `init` of a plugin image registered (one staged copy, one `dlopen`, one `init`).
/// Images are never unloaded; while an activation of an image serves, every later load of the
/// same bytes shares it (`PluginActivation`, `PluginLoader`).
final class PluginImage: Sendable {
    /// The mapped image this `init` ran in: its identity (id, version, toolchain, ABI, staged copy).
    let library: PluginLibrary
    let nodeTypes: [PluginNodeType]
    let adapters: [(name: String, summary: String, function: PluginAdapterFunctions)]
    /// What `registrar_set_shutdown` set (ABI 1.2), called when the activation is retired.
    let shutdown: PluginShutdown?

    var id: String { library.id }
    var version: String { library.version }
    var summary: String { library.summary }
    var toolchain: String { library.toolchain }
    var abiMajor: Int { library.abiMajor }
    var abiMinor: Int { library.abiMinor }
    var stagedPath: String { library.stagedPath }

    init(library: PluginLibrary, nodeTypes: [PluginNodeType], adapters: [(name: String, summary: String, function: PluginAdapterFunctions)],
         shutdown: PluginShutdown?) {
        self.library = library
        self.nodeTypes = nodeTypes
        self.adapters = adapters
        self.shutdown = shutdown
    }

    /// The image as loaded from `file`.
    func info(file: String) -> PluginInfo {
        PluginInfo(id: id, version: version, summary: summary, toolchain: toolchain, abiMajor: abiMajor, abiMinor: abiMinor,
                   file: file, stagedPath: stagedPath, nodeTypes: nodeTypes.map(\.info),
                   adapters: adapters.map { .init(qualifiedName: id + "." + $0.name, kind: $0.function.kind, summary: $0.summary) })
    }
}

/// A plugin's shutdown function and its argument (`registrar_set_shutdown`).
///
/// `@unchecked Sendable`: immutable; `userData` is the plugin's, passed back untouched on the
/// retirement thread as the ABI promises.
struct PluginShutdown: @unchecked Sendable {
    typealias Function = @convention(c) (UnsafeMutableRawPointer?) -> Void
    let function: Function
    let userData: UnsafeMutableRawPointer?
}

/// A plugin file and the activation of the image loaded from it (held: while the host keeps
/// this record, the activation is not retired).
struct LoadedPlugin: Sendable {
    let file: String
    let activation: PluginActivation
    var image: PluginImage { activation.image }
    var info: PluginInfo { image.info(file: file) }
}
