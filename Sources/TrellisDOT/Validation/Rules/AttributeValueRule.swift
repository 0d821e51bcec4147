/// `attribute_value` (error): the specification's typed attributes hold values of their type,
/// so the engine can rely on them instead of silently falling back to a default:
/// `max_retries` and `default_max_retry` are non-negative integers, `timeout` a duration
/// (`250ms`, `30s`, `15m`, `2h`, `1d`, or bare seconds), `weight` an integer, and
/// `goal_gate`, `auto_status`, `allow_partial` and `loop_restart` booleans.
public struct AttributeValueRule: ValidationRule {
    /// Creates the rule.
    public init() {}

    /// `attribute_value`.
    public var id: String { "attribute_value" }

    /// What a typed attribute must be.
    enum Expectation {
        case count, integer, duration, boolean

        /// Whether `value` reads as this kind; the common spellings are recognised directly,
        /// the rest through `AttributeValue`'s typed readings, which the engine uses too.
        func accepts(_ value: AttributeValue) -> Bool {
            switch self {
            case .count: return value.isPlainInteger ? value.raw.utf8.first != UInt8(ascii: "-") : (value.integer ?? -1) >= 0
            case .integer: return value.isPlainInteger || value.integer != nil
            case .duration: return Self.isPlainDuration(value.raw) || value.duration != nil
            case .boolean: return value.raw == "true" || value.raw == "false" || value.boolean != nil
            }
        }

        /// Digits followed by `ms`, `s`, `m`, `h`, `d` or nothing.
        private static func isPlainDuration(_ text: String) -> Bool {
            let bytes = Array(text.utf8.prefix(24))
            guard bytes.count < 24 else { return false }
            var end = bytes.count
            if bytes.last.map({ "smhd".utf8.contains($0) }) == true { end -= 1 }
            if end >= 1, bytes[end - 1] == UInt8(ascii: "m"), bytes.last == UInt8(ascii: "s") { end -= 1 }
            return end > 0 && bytes[..<end].allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
        }

        var wanted: String {
            switch self {
            case .count: return "a non-negative integer such as 3"
            case .integer: return "an integer such as 2"
            case .duration: return "a duration such as 30s, 15m or 2h"
            case .boolean: return "true or false"
            }
        }
    }

    static let graphKeys = ["default_max_retry"]
    static let graphExpectations: [Expectation] = [.count]
    static let nodeKeys = ["max_retries", "timeout", "goal_gate", "auto_status", "allow_partial"]
    static let nodeExpectations: [Expectation] = [.count, .duration, .boolean, .boolean, .boolean]
    static let edgeKeys = ["weight", "loop_restart"]
    static let edgeExpectations: [Expectation] = [.integer, .boolean]

    /// Reports each typed attribute whose value does not read as its type.
    public func check(_ graph: Graph, in context: ValidationContext) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        func inspect(_ attributes: Attributes, _ keys: [String], _ expectations: [Expectation], owner: () -> String,
                     node: String?, edge: () -> EdgeReference?, fallback: () -> SourceLocation?) {
            attributes.forEachPresent(keys) { position, value in
                let expectation = expectations[position]
                guard !expectation.accepts(value) else { return }
                diagnostics.append(Diagnostic(
                    rule: id, severity: .error,
                    message: "\(keys[position]) of \(owner()) is '\(value.raw)', which is not \(expectation.wanted)",
                    location: value.location ?? fallback(), node: node, edge: edge(),
                    fix: "set \(keys[position]) to \(expectation.wanted)"))
            }
        }
        inspect(graph.attributes, Self.graphKeys, Self.graphExpectations, owner: { "the graph" }, node: nil, edge: { nil },
                fallback: { graph.location })
        // Unsafe buffers let the loops read each element's attributes in place instead of copying
        // the element; the key lists are read once, since each read of a static retains it.
        let nodeKeys = Self.nodeKeys, nodeExpectations = Self.nodeExpectations
        let edgeKeys = Self.edgeKeys, edgeExpectations = Self.edgeExpectations
        graph.nodes.withUnsafeBufferPointer { nodes in
            for number in nodes.indices {
                inspect(nodes[number].attributes, nodeKeys, nodeExpectations,
                        owner: { "node '\(nodes[number].id)'" }, node: nodes[number].id, edge: { nil },
                        fallback: { nodes[number].location })
            }
        }
        graph.edges.withUnsafeBufferPointer { edges in
            for number in edges.indices {
                inspect(edges[number].attributes, edgeKeys, edgeExpectations,
                        owner: { "edge \(edges[number].from) -> \(edges[number].to)" }, node: nil,
                        edge: { EdgeReference(from: edges[number].from, to: edges[number].to) },
                        fallback: { edges[number].location })
            }
        }
        return diagnostics
    }
}
