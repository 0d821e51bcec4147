import CTrellisPlugin

/// One visit of a node, as a handler sees it: the node's id and attributes, the context as it
/// was when the node started, writes to the context, logging, events and the run's adapters.
///
/// Valid only while the handler runs: do not keep it (or copies of it) after `handle`
/// returns, and use it from one task at a time (the host does not serialize uses of one
/// call). Reads copy what the host lends, so returned values are yours to keep.
public struct NodeCall: Sendable {
    let runtime: PluginRuntime
    let handle: HostHandle

    init(runtime: PluginRuntime, handle: HostHandle) {
        self.runtime = runtime
        self.handle = handle
    }

    /// The host API table; `host.pointee.f` loads just that function pointer.
    var host: UnsafePointer<trellis_host_api> { runtime.host.table }
    var pointer: OpaquePointer { handle.pointer }

    /// The node's id in the graph.
    public var nodeID: String {
        String(borrowing: host.pointee.node_id!(pointer))
    }

    /// How many times this node ran before in this run (0 on the first attempt).
    public var attempt: Int {
        Int(host.pointee.node_attempt!(pointer))
    }

    /// The raw text of node attribute `name`, or `nil` when the node does not set it.
    public func attribute(_ name: String) -> String? {
        var out = trellis_string(data: nil, length: 0)
        let status = withTrellisString(name) { host.pointee.node_attribute!(pointer, $0, &out) }
        return status == TRELLIS_OK ? String(borrowing: out) : nil
    }

    /// An attribute read as an integer (`count=42`); `nil` when unset or not an integer.
    /// A type declaring the attribute as `.integer` never sees the latter: `validate` and
    /// `run` refuse such a graph before it starts.
    public func integerAttribute(_ name: String) -> Int? {
        var out: Int64 = 0
        let status = withTrellisString(name) { host.pointee.node_attribute_integer!(pointer, $0, &out) }
        return status == TRELLIS_OK ? Int(out) : nil
    }

    /// An attribute read as a double (`ratio=0.25`; an integer reads too); `nil` when unset or not a number.
    public func doubleAttribute(_ name: String) -> Double? {
        var out = 0.0
        let status = withTrellisString(name) { host.pointee.node_attribute_double!(pointer, $0, &out) }
        return status == TRELLIS_OK ? out : nil
    }

    /// An attribute read as a boolean (`true`/`false`); `nil` when unset or not a boolean.
    public func booleanAttribute(_ name: String) -> Bool? {
        var out = false
        let status = withTrellisString(name) { host.pointee.node_attribute_boolean!(pointer, $0, &out) }
        return status == TRELLIS_OK ? out : nil
    }

    /// An attribute read as a duration (`250ms`, `30s`, `15m`, `2h`, `1d`), to the millisecond;
    /// `nil` when unset or not a duration.
    public func durationAttribute(_ name: String) -> Duration? {
        var out: Int64 = 0
        let status = withTrellisString(name) { host.pointee.node_attribute_duration_ms!(pointer, $0, &out) }
        return status == TRELLIS_OK ? .milliseconds(out) : nil
    }

    /// Whether the host has given up on this call (node timeout, run cancelled). An
    /// asynchronous handler also sees this as task cancellation.
    public var isCancelled: Bool {
        host.pointee.is_cancelled!(pointer)
    }

    /// Writes a log line that names this node.
    public func log(_ level: LogLevel, _ message: String) {
        runtime.host.log(pointer, level, message)
    }

    /// Emits a run event of `kind` (a snake_case name of your choosing) for this node.
    public func emit(_ kind: String, fields: [String: PluginValue] = [:]) {
        let json = fields.isEmpty ? "" : PluginValue.map(fields).jsonText
        withTrellisString(kind) { kindText in
            withTrellisString(json) { fieldsText in
                _ = host.pointee.emit_event!(pointer, kindText, fieldsText)
            }
        }
    }
}
