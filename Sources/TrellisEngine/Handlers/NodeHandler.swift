import TrellisDOT

/// The code behind a node type. Built-in handlers and plugin handlers (wrapped by the
/// plugin host around the C ABI) implement this one protocol, and the engine calls it
/// the same way for both.
///
/// A handler must not keep `request` beyond the call. It reports context changes in the
/// returned `Outcome`; the engine applies them after the node finishes. Throwing fails the
/// node with the error's description as the failure reason.
public protocol NodeHandler: Sendable {
    /// Runs one visit of a node, on the executor of its caller (`nonisolated(nonsending)`):
    /// the engine calls it from its run, which is never on an actor, so a handler runs where
    /// it always did, without the switch to the global executor that a plain `async`
    /// function makes on entry (a runtime call per node; a tenth of a no-op plugin node's
    /// cost). A handler declared plain `async` still conforms and still makes that switch.
    nonisolated(nonsending) func execute(_ request: HandlerRequest) async throws -> Outcome
}

/// Everything a handler gets for one visit of a node.
public struct HandlerRequest: Sendable {
    /// The node being run.
    public var node: NodeSpec
    /// The context as it was when the node started.
    public var context: Context
    /// The adapters of the run (LLM, memory, tools).
    public var adapters: AdapterSet
    /// Services of the run: run directory, events, interviewer, cancellation, settings.
    public var services: RunServices
    /// How many times this node has been tried in this run before this attempt (0 on the first).
    public var attempt: Int

    /// Creates a request.
    public init(node: NodeSpec, context: Context, adapters: AdapterSet, services: RunServices, attempt: Int = 0) {
        self.node = node
        self.context = context
        self.adapters = adapters
        self.services = services
        self.attempt = attempt
    }
}

/// A node as handlers see it: id, resolved type and attributes (stylesheet and
/// `$goal` expansion already applied).
///
/// Every node's request carries its spec, so the fields share one copy-on-write box: copying a
/// spec costs one reference count, not one per field.
public struct NodeSpec: Sendable {
    /// The node id.
    public var id: String {
        get { fields.value.id }
        set { fields.modify { $0.id = newValue } }
    }
    /// The resolved node type (`type=`, else from the shape).
    public var type: String {
        get { fields.value.type }
        set { fields.modify { $0.type = newValue } }
    }
    /// The node's attributes.
    public var attributes: Attributes {
        get { fields.value.attributes }
        set { fields.modify { $0.attributes = newValue } }
    }
    /// The node's position in the compiled graph.
    public var index: Int {
        get { fields.value.index }
        set { fields.modify { $0.index = newValue } }
    }
    /// The node's outgoing edges in source order (label, target, condition), filled by the
    /// graph compiler; empty for specs built without a graph.
    public var outgoing: [OutgoingEdgeInfo] {
        get { fields.value.outgoing }
        set { fields.modify { $0.outgoing = newValue } }
    }

    private struct Fields: Sendable {
        var id: String
        var type: String
        var attributes: Attributes
        var index: Int
        var outgoing: [OutgoingEdgeInfo]
    }

    private var fields: CopyOnWriteBox<Fields>

    /// Creates a spec.
    public init(id: String, type: String, attributes: Attributes, index: Int) {
        fields = CopyOnWriteBox(Fields(id: id, type: type, attributes: attributes, index: index, outgoing: []))
    }

    /// The raw text of attribute `key`, or `nil`.
    public func attribute(_ key: String) -> String? { attributes.raw(key) }

    /// The node label, falling back to its id.
    public var label: String { attributes["label"]?.text ?? id }
}
