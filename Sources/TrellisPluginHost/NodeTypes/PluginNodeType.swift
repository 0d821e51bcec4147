import CTrellisPlugin
import TrellisCore
import TrellisDOT

/// A node type as a plugin registered it: the host's copy of the strings and schema, and the
/// plugin's function pointers.
///
/// `@unchecked Sendable`: every property is immutable after registration; `state` and the
/// function pointers belong to an image that is never unloaded, and the ABI makes thread
/// safety the plugin's promise (`TRELLIS_NODE_THREAD_SAFE`) or the host's job (`serial`).
final class PluginNodeType: @unchecked Sendable {
    typealias InvokeFunction = @convention(c) (UnsafeMutableRawPointer?, OpaquePointer?) -> trellis_status
    typealias CancelFunction = @convention(c) (UnsafeMutableRawPointer?, OpaquePointer?) -> Void

    /// The plugin id.
    let pluginID: String
    /// The name within the plugin.
    let name: String
    /// `<plugin id>.<name>`.
    let qualifiedID: String
    /// The plugin file as found in the plugin directory (not the staged copy).
    let file: String
    /// "plugin '<id>' (<file>), node type '<id>.<name>'", for crash reports.
    let crashOrigin: CrashOrigin
    /// One line.
    let summary: String
    /// Whether invokes may overlap.
    let isThreadSafe: Bool
    /// Whether invoke may return PENDING.
    let isAsynchronous: Bool
    /// Whether invoke may block its thread (`TRELLIS_NODE_BLOCKING`): it runs on `BlockingInvokePool`.
    let isBlocking: Bool
    /// Accepted attributes.
    let schema: AttributeSchema
    let state: UnsafeMutableRawPointer?
    let invoke: InvokeFunction
    let cancel: CancelFunction?
    /// Serializes invokes of a type that is not thread-safe (a lock the thread sanitizer sees;
    /// taken with `withLockHeld`, since it guards the plugin's state, not a value).
    let serial = LockedValue(())

    init(pluginID: String, file: String, name: String, summary: String, flags: UInt32, schema: AttributeSchema,
         state: UnsafeMutableRawPointer?, invoke: @escaping InvokeFunction, cancel: CancelFunction?) {
        self.pluginID = pluginID
        self.name = name
        self.qualifiedID = pluginID + "." + name
        self.file = file
        self.crashOrigin = CrashOrigin("plugin '\(pluginID)' (\(file)), node type '\(pluginID).\(name)'")
        self.summary = summary
        self.isThreadSafe = flags & UInt32(TRELLIS_NODE_THREAD_SAFE) != 0
        self.isAsynchronous = flags & UInt32(TRELLIS_NODE_ASYNC) != 0
        self.isBlocking = flags & UInt32(TRELLIS_NODE_BLOCKING) != 0
        self.schema = schema
        self.state = state
        self.invoke = invoke
        self.cancel = cancel
    }

    /// Calls the plugin's invoke for `call`, serialized unless the type is thread-safe.
    @inline(__always)
    func callInvoke(_ handle: OpaquePointer) -> trellis_status {
        if isThreadSafe { return invoke(state, handle) }
        return serial.withLockHeld { invoke(state, handle) }
    }

    /// What `plugins inspect` shows.
    var info: PluginInfo.NodeTypeInfo {
        PluginInfo.NodeTypeInfo(qualifiedID: qualifiedID, summary: summary, isThreadSafe: isThreadSafe,
                                isAsynchronous: isAsynchronous, isBlocking: isBlocking, schema: schema)
    }
}
