/// One check of a pipeline graph. Rules are values: `Validator.rules` is a plain list, so a
/// caller adds its own checks by appending a value of any type conforming to this protocol.
public protocol ValidationRule: Sendable {
    /// The rule id every diagnostic of the rule carries (`start_node`, `reachability`, ...).
    var id: String { get }
    /// Returns the rule's findings for `graph`; an empty list when the graph passes.
    /// `context.graphIndex(for:)` gives the adjacency shared by every rule of one validation.
    func check(_ graph: Graph, in context: ValidationContext) -> [Diagnostic]
}
