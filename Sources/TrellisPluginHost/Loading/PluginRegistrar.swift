import CTrellisPlugin
import TrellisCore
import TrellisDOT

/// Collects what a plugin registers during `init` (the C `trellis_registrar *`), validating
/// and copying each struct as it arrives.
///
/// The handle the plugin receives is a serial number, not a pointer: it is looked up in a table
/// of the registrars whose `init` is running, so a registrar kept and used after `init` (or from
/// another thread meanwhile) is refused with a message instead of reaching freed memory.
/// Registrations run under the table's lock, one at a time.
final class PluginRegistrar {
    let pluginID: String
    /// The plugin file as found (named in crash reports).
    let file: String
    private(set) var nodeTypes: [PluginNodeType] = []
    private(set) var adapters: [(name: String, summary: String, function: PluginAdapterFunctions)] = []
    /// The message the plugin gave with `registrar_set_error`.
    var initError: String?
    /// The activation's end, set with `registrar_set_shutdown` (ABI 1.2).
    var shutdown: PluginShutdown?
    /// Registrations the host refused, with why.
    private(set) var problems: [(kind: PluginLoadError.Kind, reason: String)] = []

    init(pluginID: String, file: String) {
        self.pluginID = pluginID
        self.file = file
    }

    private struct Active {
        var next: UInt = 1
        var registrars: [UInt: PluginRegistrar] = [:]
    }

    /// The registrars whose plugin's `init` is running, by serial.
    private static let active = LockedValue(Active())

    /// Runs `initialize` with a handle that works only until it returns.
    func during<Result>(_ initialize: (OpaquePointer) -> Result) -> Result {
        let serial = Self.active.withLock { active -> UInt in
            let serial = active.next
            active.next += 1
            active.registrars[serial] = self
            return serial
        }
        defer { _ = Self.active.withLock { $0.registrars.removeValue(forKey: serial) } }
        return initialize(OpaquePointer(bitPattern: serial)!)
    }

    /// Runs `body` on the registrar `handle` names while its `init` runs; otherwise logs that
    /// `function` was used outside `init` and returns `otherwise`.
    static func with<Result>(_ handle: OpaquePointer?, _ function: String, otherwise: Result, _ body: (PluginRegistrar) -> Result) -> Result {
        let serial = handle.map { UInt(bitPattern: Int(bitPattern: UnsafeRawPointer($0))) } ?? 0
        let result: Result? = active.withLock { active in active.registrars[serial].map(body) }
        if let result { return result }
        PluginLog.write(.error, plugin: "plugin",
                        "\(function) called with a registrar that is not in use: registration is possible only inside init, with the registrar init received; ignored")
        return otherwise
    }

    // MARK: Minimum struct sizes of ABI 1.0 (fixed forever: later minors only append)

    static let nodeTypeMinimumSize = MemoryLayout<trellis_node_type>.offset(of: \trellis_node_type.cancel)!
        + MemoryLayout<PluginNodeType.CancelFunction?>.size
    static let attributeMinimumSize = MemoryLayout<trellis_attribute_spec>.offset(of: \trellis_attribute_spec.summary)!
        + MemoryLayout<UnsafePointer<CChar>?>.size
    static let adapterMinimumSize = MemoryLayout<trellis_adapter>.offset(of: \trellis_adapter.cancel)!
        + MemoryLayout<UnsafeRawPointer?>.size

    /// Where `trellis_adapter.flags` (ABI 1.1) ends: a smaller struct has no flags.
    static let adapterFlagsEnd = MemoryLayout<trellis_adapter>.offset(of: \trellis_adapter.flags)! + MemoryLayout<UInt32>.size
    /// The node type flags this host understands; any other bit refuses the type (a flag
    /// changes how the host must call the type, so ignoring one would call it wrongly).
    static let knownNodeTypeFlags = UInt32(TRELLIS_NODE_THREAD_SAFE) | UInt32(TRELLIS_NODE_ASYNC) | UInt32(TRELLIS_NODE_BLOCKING)
    /// The adapter flags this host understands; any other bit refuses the adapter.
    static let knownAdapterFlags = UInt32(TRELLIS_ADAPTER_MESSAGES_BY_ACCESSOR) | UInt32(TRELLIS_ADAPTER_REQUEST_BY_ACCESSOR)

    /// A problem with a struct header, or `nil` when it is usable.
    static func headerProblem(size: UInt32, major: UInt16, minor: UInt16, minimum: Int, what: String) -> (PluginLoadError.Kind, String)? {
        if Int(major) != Int(TRELLIS_ABI_MAJOR) {
            return (.abiMismatch, "\(what) was built for plugin ABI \(major).\(minor) but this host speaks \(TRELLIS_ABI_MAJOR).\(TRELLIS_ABI_MINOR); rebuild the plugin against this host's trellis_plugin.h")
        }
        if Int(size) < minimum {
            return (.structTooSmall, "\(what) is \(size) bytes but ABI \(major).\(minor) needs at least \(minimum); fill struct_size with sizeof the struct (TRELLIS_HEADER_INIT) and rebuild against this host's trellis_plugin.h")
        }
        return nil
    }

    private static func validName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.properties.isAlphabetic || first == "_" else { return false }
        return name.unicodeScalars.allSatisfy { ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || $0 == "_" || $0 == "-" || $0 == "." }
    }

    private func refuse(_ kind: PluginLoadError.Kind, _ reason: String) -> trellis_status {
        problems.append((kind, reason))
        PluginLog.write(.error, plugin: pluginID, reason)
        return trellis_status(TRELLIS_ERROR)
    }

    // MARK: Registration

    func register(nodeType pointer: UnsafePointer<trellis_node_type>?) -> trellis_status {
        guard let pointer else { return refuse(.invalidPlugin, "register_node_type called with NULL") }
        let index = nodeTypes.count + 1
        let version = VersionedStruct.header(pointer)
        if let (kind, reason) = Self.headerProblem(size: version.size, major: version.major, minor: version.minor,
                                                   minimum: Self.nodeTypeMinimumSize, what: "node type #\(index) (trellis_node_type)") {
            return refuse(kind, reason)
        }
        let header = VersionedStruct.read(pointer, over: trellis_node_type())
        let name = registrationString(header.name)
        guard Self.validName(name) else {
            return refuse(.invalidPlugin, "node type #\(index) has an invalid name '\(name)'; use letters, digits, '_', '-' and '.', starting with a letter")
        }
        guard let invoke = header.invoke else {
            return refuse(.invalidPlugin, "node type '\(name)' has no invoke function")
        }
        if nodeTypes.contains(where: { $0.name == name }) {
            return refuse(.duplicateID, "node type '\(pluginID).\(name)' is registered twice by this plugin")
        }
        var attributes: [AttributeSpec] = []
        if header.attribute_count > 0 {
            guard let first = header.attributes else {
                return refuse(.invalidPlugin, "node type '\(name)' declares \(header.attribute_count) attributes but passes no array")
            }
            let stride = Int(first.pointee.struct_size)
            let raw = UnsafeRawPointer(first)
            for position in 0..<header.attribute_count {
                let element = raw.advanced(by: position * max(stride, 1))
                let version = VersionedStruct.header(element)
                if let (kind, reason) = Self.headerProblem(size: version.size, major: version.major, minor: version.minor,
                                                           minimum: Self.attributeMinimumSize,
                                                           what: "attribute #\(position + 1) of node type '\(name)' (trellis_attribute_spec)") {
                    return refuse(kind, reason)
                }
                let spec = VersionedStruct.read(element, over: trellis_attribute_spec())
                let attributeName = registrationString(spec.name)
                guard !attributeName.isEmpty else {
                    return refuse(.invalidPlugin, "attribute #\(position + 1) of node type '\(name)' has no name")
                }
                guard let type = Self.attributeType(spec.type) else {
                    return refuse(.invalidPlugin, "attribute '\(attributeName)' of node type '\(name)' has unknown type \(spec.type); use TRELLIS_ATTR_*")
                }
                attributes.append(AttributeSpec(name: attributeName, type: type, isRequired: spec.required, summary: registrationString(spec.summary)))
            }
        }
        let flags = header.flags
        if flags & ~Self.knownNodeTypeFlags != 0 {
            return refuse(.invalidPlugin, "node type '\(pluginID).\(name)' sets unknown flag bits 0x\(String(flags & ~Self.knownNodeTypeFlags, radix: 16)) in trellis_node_type.flags; this host (ABI \(TRELLIS_ABI_MAJOR).\(TRELLIS_ABI_MINOR)) knows TRELLIS_NODE_THREAD_SAFE (0x1), TRELLIS_NODE_ASYNC (0x2) and TRELLIS_NODE_BLOCKING (0x4): clear them or rebuild the plugin against this host's trellis_plugin.h")
        }
        nodeTypes.append(PluginNodeType(
            pluginID: pluginID, file: file, name: name, summary: registrationString(header.description), flags: flags,
            schema: AttributeSchema(attributes: attributes, allowsUnlisted: header.allows_unlisted_attributes),
            state: header.state, invoke: invoke, cancel: header.cancel))
        return trellis_status(TRELLIS_OK)
    }

    private static func attributeType(_ code: Int32) -> AttributeType? {
        switch code {
        case Int32(TRELLIS_ATTR_STRING): return .string
        case Int32(TRELLIS_ATTR_INTEGER): return .integer
        case Int32(TRELLIS_ATTR_DOUBLE): return .double
        case Int32(TRELLIS_ATTR_BOOLEAN): return .boolean
        case Int32(TRELLIS_ATTR_DURATION): return .duration
        default: return nil
        }
    }

    func register(adapter pointer: UnsafePointer<trellis_adapter>?) -> trellis_status {
        guard let pointer else { return refuse(.invalidPlugin, "register_adapter called with NULL") }
        let index = adapters.count + 1
        let version = VersionedStruct.header(pointer)
        if let (kind, reason) = Self.headerProblem(size: version.size, major: version.major, minor: version.minor,
                                                   minimum: Self.adapterMinimumSize, what: "adapter #\(index) (trellis_adapter)") {
            return refuse(kind, reason)
        }
        var header = VersionedStruct.read(pointer, over: trellis_adapter())
        let name = registrationString(header.name)
        guard Self.validName(name) else {
            return refuse(.invalidPlugin, "adapter #\(index) has an invalid name '\(name)'; use letters, digits, '_', '-' and '.', starting with a letter")
        }
        if adapters.contains(where: { $0.name == name }) {
            return refuse(.duplicateID, "adapter '\(pluginID).\(name)' is registered twice by this plugin")
        }
        // `flags` (1.1) counts only when the plugin's struct covers it whole; `read` already
        // zeroes what lies past struct_size, this also keeps a partly covered field out.
        if Int(version.size) < Self.adapterFlagsEnd { header.flags = 0 }
        let unknownFlags = header.flags & ~Self.knownAdapterFlags
        if unknownFlags != 0 {
            return refuse(.invalidPlugin, "adapter '\(pluginID).\(name)' of plugin '\(pluginID)' sets unknown flag bits 0x\(String(unknownFlags, radix: 16)) in trellis_adapter.flags; this host (ABI \(TRELLIS_ABI_MAJOR).\(TRELLIS_ABI_MINOR)) knows only TRELLIS_ADAPTER_MESSAGES_BY_ACCESSOR (0x1) and TRELLIS_ADAPTER_REQUEST_BY_ACCESSOR (0x2): clear them or rebuild the plugin against this host's trellis_plugin.h")
        }
        let function: PluginAdapterFunctions
        let origin = CrashOrigin("plugin '\(pluginID)' (\(file)), adapter '\(pluginID).\(name)'")
        switch header.kind {
        case Int32(TRELLIS_ADAPTER_LLM):
            guard header.llm_complete != nil else { return refuse(.invalidPlugin, "LLM adapter '\(name)' has no llm_complete function") }
            function = PluginAdapterFunctions(kind: .llm, pluginID: pluginID, name: name, adapter: header, crashOrigin: origin)
        case Int32(TRELLIS_ADAPTER_MEMORY):
            guard header.memory_recall != nil, header.memory_update != nil else {
                return refuse(.invalidPlugin, "memory adapter '\(name)' needs both memory_recall and memory_update")
            }
            function = PluginAdapterFunctions(kind: .memory, pluginID: pluginID, name: name, adapter: header, crashOrigin: origin)
        case Int32(TRELLIS_ADAPTER_TOOLS):
            guard header.tools_dispatch != nil else { return refuse(.invalidPlugin, "tools adapter '\(name)' has no tools_dispatch function") }
            function = PluginAdapterFunctions(kind: .tools, pluginID: pluginID, name: name, adapter: header, crashOrigin: origin)
        default:
            return refuse(.invalidPlugin, "adapter '\(name)' has unknown kind \(header.kind); use TRELLIS_ADAPTER_LLM, _MEMORY or _TOOLS")
        }
        adapters.append((name, registrationString(header.description), function))
        return trellis_status(TRELLIS_OK)
    }
}
