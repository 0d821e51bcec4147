/// One loaded and initialized plugin image (one staged copy, one `dlopen`, one `init`).
/// Images are never unloaded; an image loaded once serves every later load of the same bytes.
final class PluginImage: Sendable {
    let id: String
    let version: String
    let summary: String
    let toolchain: String
    let abiMajor: Int
    let abiMinor: Int
    let stagedPath: String
    let nodeTypes: [PluginNodeType]
    let adapters: [(name: String, summary: String, function: PluginAdapterFunctions)]

    init(id: String, version: String, summary: String, toolchain: String, abiMajor: Int, abiMinor: Int, stagedPath: String,
         nodeTypes: [PluginNodeType], adapters: [(name: String, summary: String, function: PluginAdapterFunctions)]) {
        self.id = id
        self.version = version
        self.summary = summary
        self.toolchain = toolchain
        self.abiMajor = abiMajor
        self.abiMinor = abiMinor
        self.stagedPath = stagedPath
        self.nodeTypes = nodeTypes
        self.adapters = adapters
    }

    /// The image as loaded from `file`.
    func info(file: String) -> PluginInfo {
        PluginInfo(id: id, version: version, summary: summary, toolchain: toolchain, abiMajor: abiMajor, abiMinor: abiMinor,
                   file: file, stagedPath: stagedPath, nodeTypes: nodeTypes.map(\.info),
                   adapters: adapters.map { .init(qualifiedName: id + "." + $0.name, kind: $0.function.kind, summary: $0.summary) })
    }
}

/// A plugin file and the image loaded from it.
struct LoadedPlugin: Sendable {
    let file: String
    let image: PluginImage
    var info: PluginInfo { image.info(file: file) }
}
