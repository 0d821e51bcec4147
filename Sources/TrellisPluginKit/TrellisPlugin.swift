public import CTrellisPlugin
import Synchronization

/// What a plugin's entry function returns: the descriptor the SDK built, valid for the life
/// of the process.
public typealias PluginDescriptorPointer = UnsafePointer<trellis_plugin_descriptor>

/// Exports a Swift plugin through the C ABI.
///
/// A plugin library defines the entry symbol in one line and lists what it offers:
///
///     @c(trellis_plugin_entry)
///     public func trellisPluginEntry() -> PluginDescriptorPointer {
///         TrellisPlugin.export(id: "acme", version: "1.0.0", types: [.sync("greet", Greet())])
///     }
///
/// The function must be `public` (only public symbols are exported from the library);
/// `@_cdecl("trellis_plugin_entry")` works as well as `@c`.
public enum TrellisPlugin {
    /// Builds the plugin's descriptor on the first call and returns the same one on every
    /// later call (the host may call the entry more than once). Registration happens when the
    /// host calls the descriptor's `init`: each type becomes `<id>.<name>`, each adapter
    /// `<id>.<name>`. `onLoad` runs then, before anything is registered; an error it throws
    /// refuses the load with the error's description. `onShutdown` runs when the host retires
    /// that activation (ABI 1.2 `shutdown`: after its last call finished, on the host's
    /// retirement thread); a later load of the same bytes runs `onLoad` and registers again.
    ///
    /// - Parameters:
    ///   - id: the plugin id, namespace of its types: lowercase letters, digits, `_` and `-`, starting with a letter.
    ///   - version: the plugin's own version (`1.2.0`).
    ///   - description: one line for `trellis plugins list`.
    ///   - types: the node types.
    ///   - adapters: the adapters.
    ///   - onLoad: optional set-up run when the host loads (activates) the plugin.
    ///   - onShutdown: optional tear-down run when the host retires the activation: stop your
    ///     own threads and timers here; no node call or adapter operation is live any more.
    public static func export(
        id: String,
        version: String,
        description: String = "",
        types: [NodeTypeDefinition] = [],
        adapters: [AdapterDefinition] = [],
        onLoad: (@Sendable () throws -> Void)? = nil,
        onShutdown: (@Sendable () -> Void)? = nil
    ) -> PluginDescriptorPointer {
        exported.withLock { exported in
            if let exported { return exported.descriptor.pointer }
            let plugin = ExportedPlugin(id: id, version: version, description: description,
                                        types: types, adapters: adapters, onLoad: onLoad, onShutdown: onShutdown)
            exported = plugin
            return plugin.descriptor.pointer
        }
    }

    /// Writes a log line attributed to the plugin rather than to a node visit (`host->log` with
    /// no call): for `onLoad`, `onShutdown` and the plugin's own threads. Does nothing before
    /// the host has initialized the plugin.
    public static func log(_ level: LogLevel, _ message: String) {
        PluginRuntime.current?.host.log(nil, level, message)
    }

    /// The plugin this image exports, once its entry has run.
    static let exported = Mutex<ExportedPlugin?>(nil)
}

/// A plugin's definitions and the descriptor made from them.
struct ExportedPlugin: Sendable {
    let id: String
    let types: [NodeTypeDefinition]
    let adapters: [AdapterDefinition]
    let onLoad: (@Sendable () throws -> Void)?
    let onShutdown: (@Sendable () -> Void)?
    let descriptor: DescriptorStorage

    init(id: String, version: String, description: String, types: [NodeTypeDefinition],
         adapters: [AdapterDefinition], onLoad: (@Sendable () throws -> Void)?, onShutdown: (@Sendable () -> Void)?) {
        self.id = id
        self.types = types
        self.adapters = adapters
        self.onLoad = onLoad
        self.onShutdown = onShutdown
        let storage = UnsafeMutablePointer<trellis_plugin_descriptor>.allocate(capacity: 1)
        storage.initialize(to: trellis_plugin_descriptor(
            struct_size: UInt32(MemoryLayout<trellis_plugin_descriptor>.stride),
            abi_major: UInt16(TRELLIS_ABI_MAJOR),
            abi_minor: UInt16(TRELLIS_ABI_MINOR),
            id: permanentCString(id),
            version: permanentCString(version),
            description: description.isEmpty ? nil : permanentCString(description),
            toolchain: permanentCString(SwiftToolchain.identity),
            init: initializePlugin
        ))
        descriptor = DescriptorStorage(pointer: UnsafePointer(storage))
    }
}

/// The descriptor: allocated once and never freed, as the header requires; immutable after
/// creation, hence `@unchecked Sendable`.
struct DescriptorStorage: @unchecked Sendable {
    let pointer: UnsafePointer<trellis_plugin_descriptor>
}

/// The shutdown function the SDK sets when the plugin has an `onShutdown`.
private func shutdownPlugin(_ userData: UnsafeMutableRawPointer?) {
    TrellisPlugin.exported.withLock { $0 }?.onShutdown?()
}

/// `trellis_plugin_descriptor.init`: registers every type and adapter of the exported plugin.
private func initializePlugin(_ host: UnsafePointer<trellis_host_api>?, _ registrar: OpaquePointer?) -> trellis_status {
    guard let host, let registrar else { return TRELLIS_ERROR }
    let fail = { (message: String) -> trellis_status in
        if let setError = host.pointee.registrar_set_error {
            withTrellisString(message) { setError(registrar, $0) }
        }
        return TRELLIS_ERROR
    }
    guard host.pointee.abi_major == UInt16(TRELLIS_ABI_MAJOR),
          Int(host.pointee.struct_size) >= MemoryLayout<trellis_host_api>.size else {
        return fail("the host API table is ABI \(host.pointee.abi_major).\(host.pointee.abi_minor) with \(host.pointee.struct_size) bytes; this plugin's SDK needs ABI \(TRELLIS_ABI_MAJOR).\(TRELLIS_ABI_MINOR) with \(MemoryLayout<trellis_host_api>.size) bytes")
    }
    // The SDK calls these without further checks, so a table missing one is refused here.
    let api = host.pointee
    let provided: [(name: String, present: Bool)] = [
        ("register_node_type", api.register_node_type != nil),
        ("register_adapter", api.register_adapter != nil),
        ("node_id", api.node_id != nil),
        ("node_attribute", api.node_attribute != nil),
        ("node_attempt", api.node_attempt != nil),
        ("node_attribute_integer", api.node_attribute_integer != nil),
        ("node_attribute_double", api.node_attribute_double != nil),
        ("node_attribute_boolean", api.node_attribute_boolean != nil),
        ("node_attribute_duration_ms", api.node_attribute_duration_ms != nil),
        ("context_type", api.context_type != nil),
        ("context_get_string", api.context_get_string != nil),
        ("context_get_integer", api.context_get_integer != nil),
        ("context_get_double", api.context_get_double != nil),
        ("context_get_boolean", api.context_get_boolean != nil),
        ("context_get_json", api.context_get_json != nil),
        ("context_list_count", api.context_list_count != nil),
        ("context_list_item_json", api.context_list_item_json != nil),
        ("messages_count", api.messages_count != nil),
        ("message_at", api.message_at != nil),
        ("context_set_string", api.context_set_string != nil),
        ("context_set_integer", api.context_set_integer != nil),
        ("context_set_double", api.context_set_double != nil),
        ("context_set_boolean", api.context_set_boolean != nil),
        ("context_set_json", api.context_set_json != nil),
        ("outcome_set_status", api.outcome_set_status != nil),
        ("outcome_set_failure", api.outcome_set_failure != nil),
        ("outcome_set_preferred_label", api.outcome_set_preferred_label != nil),
        ("outcome_add_suggested_next", api.outcome_add_suggested_next != nil),
        ("outcome_set_notes", api.outcome_set_notes != nil),
        ("emit_event", api.emit_event != nil),
        ("is_cancelled", api.is_cancelled != nil),
        ("complete", api.complete != nil),
        ("adapter_reply", api.adapter_reply != nil),
        ("reply_delta", api.reply_delta != nil),
        ("reply_messages_count", api.reply_messages_count != nil),
        ("reply_message_at", api.reply_message_at != nil),
        ("reply_message_json_at", api.reply_message_json_at != nil),
        ("reply_llm_request", api.reply_llm_request != nil),
        ("adapter_reply_llm", api.adapter_reply_llm != nil),
        ("reply_memory_entry", api.reply_memory_entry != nil),
    ]
    if let missing = provided.first(where: { !$0.present }) {
        return fail("the host API table leaves \(missing.name) empty; this plugin needs every function of ABI \(TRELLIS_ABI_MAJOR).\(TRELLIS_ABI_MINOR)")
    }
    guard let plugin = TrellisPlugin.exported.withLock({ $0 }) else {
        return fail("init was called before the entry function returned a descriptor")
    }
    // Installed before `onLoad`, so that it can log (`TrellisPlugin.log`).
    let runtime = PluginRuntime(host: HostTable(table: host))
    PluginRuntime.install(runtime)
    if let onLoad = plugin.onLoad {
        do {
            try onLoad()
        } catch {
            return fail(NodeTypeRuntime.describe(error))
        }
    }
    if plugin.onShutdown != nil {
        // ABI 1.2; a 1.0/1.1 host (refused above anyway) would have no such function.
        guard let setShutdown = api.registrar_set_shutdown, setShutdown(registrar, shutdownPlugin, nil) == TRELLIS_OK else {
            return fail("the host did not accept the plugin's shutdown function (registrar_set_shutdown)")
        }
    }
    for type in plugin.types {
        guard register(type, runtime: runtime, host: host, registrar: registrar) == TRELLIS_OK else {
            return fail("the host refused node type '\(plugin.id).\(type.name)' (see its log for why)")
        }
    }
    for adapter in plugin.adapters {
        guard register(adapter, runtime: runtime, host: host, registrar: registrar) == TRELLIS_OK else {
            return fail("the host refused adapter '\(plugin.id).\(adapter.name)' (see its log for why)")
        }
    }
    return TRELLIS_OK
}

/// Registers one node type; the host copies the struct and its strings during the call.
private func register(_ type: NodeTypeDefinition, runtime: PluginRuntime,
                      host: UnsafePointer<trellis_host_api>, registrar: OpaquePointer) -> trellis_status {
    let strings = TemporaryCStrings()
    let attributes = type.attributes.map { attribute in
        trellis_attribute_spec(
            struct_size: UInt32(MemoryLayout<trellis_attribute_spec>.stride),
            abi_major: UInt16(TRELLIS_ABI_MAJOR),
            abi_minor: UInt16(TRELLIS_ABI_MINOR),
            name: strings.make(attribute.name),
            type: attribute.type.code,
            required: attribute.required,
            summary: strings.makeOptional(attribute.summary)
        )
    }
    var flags = UInt32(TRELLIS_NODE_THREAD_SAFE)
    if case .async = type.handler { flags |= UInt32(TRELLIS_NODE_ASYNC) }
    // The state lives as long as the process: the host may invoke the type until it exits.
    let state = Unmanaged.passRetained(NodeTypeRuntime(runtime: runtime, handler: type.handler)).toOpaque()
    let name = strings.make(type.name)
    let description = strings.makeOptional(type.description)
    return withExtendedLifetime(strings) { attributes.withUnsafeBufferPointer { buffer in
        var definition = trellis_node_type(
            struct_size: UInt32(MemoryLayout<trellis_node_type>.stride),
            abi_major: UInt16(TRELLIS_ABI_MAJOR),
            abi_minor: UInt16(TRELLIS_ABI_MINOR),
            name: name,
            description: description,
            flags: flags,
            attributes: buffer.baseAddress,
            attribute_count: buffer.count,
            allows_unlisted_attributes: type.allowsUnlistedAttributes,
            state: state,
            invoke: invokeNodeType,
            cancel: cancelNodeType
        )
        return host.pointee.register_node_type!(registrar, &definition)
    } }
}

/// Registers one adapter; the host copies the struct and its strings during the call.
private func register(_ adapter: AdapterDefinition, runtime: PluginRuntime,
                      host: UnsafePointer<trellis_host_api>, registrar: OpaquePointer) -> trellis_status {
    let strings = TemporaryCStrings()
    let state = Unmanaged.passRetained(AdapterRuntime(runtime: runtime, adapter: adapter.adapter)).toOpaque()
    var definition = trellis_adapter(
        struct_size: UInt32(MemoryLayout<trellis_adapter>.stride),
        abi_major: UInt16(TRELLIS_ABI_MAJOR),
        abi_minor: UInt16(TRELLIS_ABI_MINOR),
        kind: 0,
        name: strings.make(adapter.name),
        description: strings.makeOptional(adapter.description),
        state: state,
        llm_complete: nil,
        memory_recall: nil,
        memory_update: nil,
        tools_dispatch: nil,
        cancel: adapterCancel,
        flags: adapter.flags
    )
    switch adapter.adapter {
    case .llm:
        definition.kind = TRELLIS_ADAPTER_LLM
        definition.llm_complete = adapterLLMComplete
    case .memory:
        definition.kind = TRELLIS_ADAPTER_MEMORY
        definition.memory_recall = adapterMemoryRecall
        definition.memory_update = adapterMemoryUpdate
    case .tools:
        definition.kind = TRELLIS_ADAPTER_TOOLS
        definition.tools_dispatch = adapterToolsDispatch
    }
    return withExtendedLifetime(strings) { host.pointee.register_adapter!(registrar, &definition) }
}
