/// The node types of the pipeline specification and how a node's type is resolved:
/// an explicit `type=` wins, else the shape decides, else the node is an LLM stage.
public enum NodeTypes {
    /// The entry node (`Mdiamond`).
    public static let start = "start"
    /// The exit node (`Msquare`).
    public static let exit = "exit"
    /// An LLM stage (`box`, and any shape without a mapping).
    public static let llm = "codergen"
    /// A routing-only node (`diamond`).
    public static let conditional = "conditional"
    /// A human gate (`hexagon`).
    public static let human = "wait.human"
    /// A shell tool (`parallelogram`).
    public static let tool = "tool"
    /// A parallel fan-out (`component`).
    public static let parallel = "parallel"
    /// A fan-in join (`tripleoctagon`).
    public static let fanIn = "parallel.fan_in"
    /// A manager loop over a child pipeline (`house`).
    public static let managerLoop = "stack.manager_loop"

    /// Shape → type, as the specification lists it.
    public static let byShape: [String: String] = [
        "Mdiamond": start,
        "Msquare": exit,
        "box": llm,
        "diamond": conditional,
        "hexagon": human,
        "parallelogram": tool,
        "component": parallel,
        "tripleoctagon": fanIn,
        "house": managerLoop,
    ]

    /// The type of `node`: its `type` attribute when set and non-empty, else the type of its
    /// shape, else the LLM stage (Graphviz's default shape is an ellipse, which the specification
    /// treats as an LLM stage like any unmapped shape).
    public static func resolvedType(of node: GraphNode) -> String {
        resolvedType(attributes: node.attributes)
    }

    /// The type of a node with `attributes` (see `resolvedType(of:)`).
    static func resolvedType(attributes: Attributes) -> String {
        if let explicit = attributes.raw("type"), !explicit.isEmpty { return explicit }
        if let shape = attributes.raw("shape"), let type = byShape[shape] { return type }
        return llm
    }
}
