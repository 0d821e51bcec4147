public import TrellisDOT

/// What a loaded plugin declares: identity, ABI, toolchain, node types and adapters.
/// Shown by `trellis plugins list` and `trellis plugins inspect`.
public struct PluginInfo: Sendable {
    /// The plugin id (the namespace of its types).
    public var id: String
    /// The plugin's own version.
    public var version: String
    /// One line.
    public var summary: String
    /// The toolchain identity it was built with (empty for C plugins).
    public var toolchain: String
    /// The ABI version it was built against.
    public var abiMajor: Int
    /// The ABI minor version it was built against.
    public var abiMinor: Int
    /// The file it was loaded from.
    public var file: String
    /// The content-addressed copy that was actually `dlopen`ed.
    public var stagedPath: String
    /// Its node types, in registration order.
    public var nodeTypes: [NodeTypeInfo]
    /// Its adapters, in registration order.
    public var adapters: [AdapterInfo]

    /// A node type as registered.
    public struct NodeTypeInfo: Sendable {
        /// The qualified id (`acme.summarize`).
        public var qualifiedID: String
        /// One line.
        public var summary: String
        /// Whether invocations may run concurrently.
        public var isThreadSafe: Bool
        /// Whether invocations may complete later (PENDING).
        public var isAsynchronous: Bool
        /// Whether invocations may block and run on the host's blocking pool (`TRELLIS_NODE_BLOCKING`).
        public var isBlocking: Bool = false
        /// The accepted attributes.
        public var schema: AttributeSchema
    }

    /// An adapter as registered.
    public struct AdapterInfo: Sendable {
        /// The qualified name (`mock.llm`).
        public var qualifiedName: String
        /// Its kind.
        public var kind: PluginAdapter.Kind
        /// One line.
        public var summary: String
    }
}
