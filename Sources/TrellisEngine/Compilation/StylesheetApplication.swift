import Foundation
import TrellisDOT

/// Applies a model stylesheet to a graph's nodes (pipeline specification, model stylesheet).
///
/// For each attribute a rule declares, the matching rule with the highest specificity wins
/// (universal < shape < class < id); among equally specific rules the later one wins. A node
/// that sets the attribute itself (directly or through a `node [...]` default) keeps its value.
/// Only `ModelStylesheet.allowedProperties` are ever applied; other declarations are ignored.
public enum StylesheetApplication {
    /// `graph` with the stylesheet's declarations set on the nodes that match.
    public static func apply(_ stylesheet: ModelStylesheet, to graph: Graph) -> Graph {
        guard !stylesheet.rules.isEmpty else { return graph }
        var result = graph
        for node in graph.nodes {
            let classes = classNames(of: node)
            let shape = node.attributes.raw("shape") ?? "box"
            // key -> (specificity, value); iterating in source order lets a later equal rule replace an earlier one.
            var chosen: [String: (specificity: Int, value: String)] = [:]
            var order: [String] = []
            for rule in stylesheet.rules where matches(rule.selector, id: node.id, shape: shape, classes: classes) {
                let specificity = rule.selector.specificity
                // Checked here as well as in the parser: a `ModelStylesheet` can be built in code.
                for declaration in rule.declarations where ModelStylesheet.allowedProperties.contains(declaration.key) {
                    if let existing = chosen[declaration.key] {
                        guard specificity >= existing.specificity else { continue }
                    } else {
                        order.append(declaration.key)
                    }
                    chosen[declaration.key] = (specificity, declaration.value)
                }
            }
            guard !chosen.isEmpty else { continue }
            var attributes = node.attributes
            for key in order where attributes[key] == nil {
                attributes[key] = AttributeValue(chosen[key]!.value)
            }
            result.setAttributes(attributes, forNode: node.id)
        }
        return result
    }

    /// The node's classes: those the parser derived plus the comma-separated `class` attribute.
    static func classNames(of node: GraphNode) -> Set<String> {
        var names = Set(node.classes)
        if let list = node.attributes["class"]?.text {
            for name in list.split(separator: ",") {
                let trimmed = name.trimmingCharacters(in: .whitespaces)
                if !trimmed.isEmpty { names.insert(trimmed) }
            }
        }
        return names
    }

    private static func matches(_ selector: StylesheetSelector, id: String, shape: String, classes: Set<String>) -> Bool {
        switch selector {
        case .universal: return true
        case .shape(let name): return name == shape
        case .className(let name): return classes.contains(name)
        case .id(let name): return name == id
        }
    }
}
