import CTrellisPlugin
import Synchronization

/// What the host handed this plugin image in `init`: its API table and the extensions the
/// SDK uses. Immutable; created once per image and kept for the life of the process.
final class PluginRuntime: Sendable {
    /// The host API table.
    let host: HostTable
    /// `trellis.timer/1`, when the host offers it.
    let timer: ExtensionTable<trellis_timer_ext>?
    /// `trellis.llm/1`, when the host offers it.
    let llm: ExtensionTable<trellis_llm_ext>?
    /// `trellis.memory/1`, when the host offers it.
    let memory: ExtensionTable<trellis_memory_ext>?
    /// `trellis.tools/1`, when the host offers it.
    let tools: ExtensionTable<trellis_tools_ext>?

    init(host: HostTable) {
        self.host = host
        timer = host.lookUpExtension(TRELLIS_EXT_TIMER, as: trellis_timer_ext.self)
        llm = host.lookUpExtension(TRELLIS_EXT_LLM, as: trellis_llm_ext.self)
        memory = host.lookUpExtension(TRELLIS_EXT_MEMORY, as: trellis_memory_ext.self)
        tools = host.lookUpExtension(TRELLIS_EXT_TOOLS, as: trellis_tools_ext.self)
    }

    /// The runtime of this image, set by `init`; `nil` before the host initialised the plugin.
    static var current: PluginRuntime? { installed.withLock { $0 } }

    /// Records the runtime `init` built.
    static func install(_ runtime: PluginRuntime) { installed.withLock { $0 = runtime } }

    private static let installed = Mutex<PluginRuntime?>(nil)
}

/// The host API table. The header guarantees it is immutable and valid for the life of the
/// process, and its functions may be called from any thread, hence `@unchecked Sendable`.
struct HostTable: @unchecked Sendable {
    /// The table.
    let table: UnsafePointer<trellis_host_api>

    /// Looks up extension `id`, accepting it only when it was built for our ABI major and
    /// carries every field this SDK uses.
    func lookUpExtension<Table>(_ id: String, as type: Table.Type) -> ExtensionTable<Table>? {
        guard let lookup = table.pointee.get_extension,
              let raw = id.withCString({ lookup($0) }) else { return nil }
        // Every extension starts with TRELLIS_STRUCT_HEADER: uint32 size, uint16 major, uint16 minor.
        let size = raw.load(as: UInt32.self)
        let major = raw.load(fromByteOffset: 4, as: UInt16.self)
        guard major == UInt16(TRELLIS_ABI_MAJOR), Int(size) >= MemoryLayout<Table>.size else { return nil }
        return ExtensionTable(table: raw.assumingMemoryBound(to: Table.self))
    }

    /// Writes a log line attributed to `call` (or to the plugin only when `call` is nil).
    func log(_ call: OpaquePointer?, _ level: LogLevel, _ message: String) {
        guard let write = table.pointee.log else { return }
        withTrellisString(message) { write(call, level.code, $0) }
    }
}

/// A host-owned extension table (immutable, valid for the life of the process, callable from any thread).
struct ExtensionTable<Table>: @unchecked Sendable {
    /// The table.
    let table: UnsafePointer<Table>
}

/// An opaque host handle (`trellis_call *` or `trellis_reply *`) carried into the task that
/// answers it. The header allows using a handle from any thread as long as its uses are not
/// concurrent; the SDK uses each handle from one task at a time.
struct HostHandle: @unchecked Sendable {
    /// The handle.
    let pointer: OpaquePointer

    /// A key for tables of pending work; handles are unique while live.
    var key: UInt { UInt(bitPattern: UnsafeRawPointer(pointer)) }
}
