import TrellisDOT

/// Turns a parsed graph into a `CompiledGraph`: applies the transforms, validates, resolves
/// handlers and precomputes everything the run loop would otherwise recompute per node.
///
/// Order: `$goal` expansion in prompts, then the model stylesheet (both transforms run
/// before validation, as the specification orders them), then `Validator.standard` with the
/// registry's types, then handler resolution and routing tables.
public enum GraphCompiler {
    /// Compiles `graph` against the handlers of `registry`.
    public static func compile(_ graph: Graph, registry: HandlerRegistry) throws(GraphCompileError) -> CompiledGraph {
        try compile(graph, registry: registry, sourcePath: nil)
    }

    /// Compiles `graph`, remembering the file it came from (child pipelines resolve relative to it).
    public static func compile(_ graph: Graph, registry: HandlerRegistry, sourcePath: String?) throws(GraphCompileError) -> CompiledGraph {
        let transformed = transform(graph)
        var knownTypes: [String: AttributeSchema] = [:]
        for registration in registry.all { knownTypes[registration.typeID] = registration.schema }
        var diagnostics = Validator.standard.validate(transformed, in: ValidationContext(knownTypes: knownTypes, ambiguousTypes: registry.ambiguousNames))
        if Validator.hasErrors(diagnostics) { throw GraphCompileError(diagnostics: diagnostics) }

        var builder = Builder(graph: transformed, registry: registry)
        let nodes = builder.buildNodes()
        diagnostics += builder.problems
        if Validator.hasErrors(diagnostics) { throw GraphCompileError(diagnostics: diagnostics) }
        guard let start = builder.index.startNodes.first else {
            throw GraphCompileError(diagnostics: diagnostics + [
                Diagnostic(rule: "start_node", severity: .error, message: "the graph has no start node", location: graph.location,
                           fix: "add 'start [shape=Mdiamond]' and an edge from it to the first stage")
            ])
        }
        return CompiledGraph(
            graph: transformed, registry: registry, sourcePath: sourcePath, nodes: nodes, startIndex: start,
            warnings: diagnostics, settings: builder.settings())
    }

    /// The transforms that run before validation: `$goal` in prompts, then the model stylesheet.
    /// A stylesheet that does not parse is left for validation to report (`stylesheet_syntax`).
    public static func transform(_ graph: Graph) -> Graph {
        var result = graph
        let goal = graph.attributes["goal"]?.text ?? ""
        for node in graph.nodes {
            guard let prompt = node.attributes["prompt"], prompt.raw.contains("$goal") else { continue }
            var attributes = node.attributes
            attributes["prompt"] = AttributeValue(
                PromptExpansion.expandingGoal(in: prompt.raw, goal: goal), isHTML: prompt.isHTML, location: prompt.location)
            result.setAttributes(attributes, forNode: node.id)
        }
        if let sheetText = graph.attributes["model_stylesheet"]?.text,
           let stylesheet = try? ModelStylesheetParser.parse(sheetText) {
            result = StylesheetApplication.apply(stylesheet, to: result)
        }
        return result
    }
}

/// The node-by-node part of compilation, collecting problems as diagnostics.
private struct Builder {
    let graph: Graph
    let registry: HandlerRegistry
    let index: GraphIndex
    var problems: [Diagnostic] = []

    init(graph: Graph, registry: HandlerRegistry) {
        self.graph = graph
        self.registry = registry
        self.index = GraphIndex(graph)
    }

    private var defaultMaxRetries: Int {
        graph.attributes["default_max_retries"]?.integer ?? graph.attributes["default_max_retry"]?.integer ?? 0
    }

    mutating func buildNodes() -> [CompiledNode] {
        let exits = Set(index.exitNodes)
        var nodes: [CompiledNode] = []
        nodes.reserveCapacity(graph.nodes.count)
        for (number, node) in graph.nodes.enumerated() {
            let type = index.nodeTypes[number]
            guard let registration = registry.handler(for: type) else {
                problems.append(Diagnostic(
                    rule: "type_known", severity: .error,
                    message: "node '\(node.id)' has type '\(type)', which no built-in handler or loaded plugin provides",
                    location: node.location, node: node.id,
                    fix: "load the plugin that provides '\(type)', or correct the node's type/shape; known types: "
                        + registry.typeIDs.joined(separator: ", ")))
                continue
            }
            let edges = compileEdges(of: number)
            let outgoing = index.outgoingEdges(of: number).map { edgeNumber in
                let edge = graph.edges[edgeNumber]
                return OutgoingEdgeInfo(
                    label: edge.attributes["label"]?.text ?? "", target: edge.to, condition: edge.attributes["condition"]?.text ?? "")
            }
            let spec = NodeSpec(id: node.id, type: type, attributes: node.attributes, index: number, outgoing: outgoing)
            let role: NodeRole
            if exits.contains(number) {
                role = .exit
            } else if registration.handler is ParallelHandler {
                role = .parallel(join: findJoin(from: number))
            } else if registration.handler is ManagerLoopHandler {
                role = .managerLoop
            } else {
                role = .plain
            }
            nodes.append(CompiledNode(
                index: number,
                spec: spec,
                handler: registration.handler,
                edges: edges,
                retry: retrySettings(for: node),
                isGoalGate: node.attributes["goal_gate"]?.boolean ?? false,
                allowPartial: node.attributes["allow_partial"]?.boolean ?? false,
                timeout: timeout(of: node),
                role: role,
                retryTarget: target(node.attributes["retry_target"], of: node, attribute: "retry_target"),
                fallbackRetryTarget: target(node.attributes["fallback_retry_target"], of: node, attribute: "fallback_retry_target"),
                expandsContextInPrompt: PromptExpansion.hasContextReferences(node.attributes["prompt"]?.raw ?? "")))
        }
        return nodes
    }

    func settings() -> GraphSettings {
        var mirrored: [String: ContextValue] = [:]
        for (key, value) in graph.attributes where key != "model_stylesheet" {
            mirrored["graph." + key] = .string(value.text)
        }
        mirrored["graph.goal"] = .string(graph.attributes["goal"]?.text ?? "")
        return GraphSettings(
            goal: graph.attributes["goal"]?.text ?? "",
            retryTarget: graph.attributes["retry_target"].flatMap { graph.index(of: $0.text) },
            fallbackRetryTarget: graph.attributes["fallback_retry_target"].flatMap { graph.index(of: $0.text) },
            maxGoalGateRedirects: graph.attributes["max_goal_gate_redirects"]?.integer ?? GraphSettings.defaultMaxGoalGateRedirects,
            maxSteps: graph.attributes["max_steps"]?.integer,
            goalGates: graph.nodes.indices.filter { graph.nodes[$0].attributes["goal_gate"]?.boolean ?? false },
            mirroredAttributes: mirrored)
    }

    private mutating func compileEdges(of number: Int) -> [CompiledEdge] {
        var edges: [CompiledEdge] = []
        for edgeNumber in index.outgoingEdges(of: number) {
            let edge = graph.edges[edgeNumber]
            guard let head = index.edgeHeads[edgeNumber] else { continue }
            var condition: CompiledCondition?
            let text = edge.attributes["condition"]?.text ?? ""
            if !text.trimmingSpacesAndNewlines().isEmpty {
                do {
                    condition = CompiledCondition(try ConditionParser.parse(text))
                } catch {
                    problems.append(Diagnostic(
                        rule: "condition_syntax", severity: .error,
                        message: "the condition of edge \(edge.from) -> \(edge.to) does not parse: \(error)",
                        location: edge.attributes["condition"]?.location ?? edge.location,
                        edge: EdgeReference(from: edge.from, to: edge.to)))
                }
            }
            let label = edge.attributes["label"]?.text ?? ""
            edges.append(CompiledEdge(
                target: head,
                targetID: edge.to,
                label: label,
                normalizedLabel: EdgeLabel.normalized(label),
                condition: condition,
                conditionReadsOutcome: condition?.readsOutcome ?? false,
                weight: edge.attributes["weight"]?.integer ?? 0,
                loopRestart: edge.attributes["loop_restart"]?.boolean ?? false))
        }
        return edges
    }

    private func retrySettings(for node: GraphNode) -> RetrySettings {
        var backoff = BackoffPolicy.standard
        var attempts = defaultMaxRetries + 1
        if let name = node.attributes["retry_policy"]?.text, let preset = BackoffPolicy.presets[name] {
            backoff = preset
            attempts = preset.presetAttempts
        }
        if let retries = node.attributes["max_retries"]?.integer { attempts = max(retries, 0) + 1 }
        if let delay = node.attributes["retry_delay"]?.duration {
            backoff.initialDelayMilliseconds = Double(delay.components.seconds) * 1_000 + Double(delay.components.attoseconds) / 1e15
        }
        return RetrySettings(maxAttempts: attempts, backoff: backoff)
    }

    private mutating func timeout(of node: GraphNode) -> Duration? {
        guard let value = node.attributes["timeout"] else { return nil }
        guard let duration = value.duration, duration > .zero else {
            problems.append(Diagnostic(
                rule: "timeout_value", severity: .error,
                message: "node '\(node.id)' has timeout '\(value.raw)', which is not a positive duration",
                location: value.location ?? node.location, node: node.id, fix: "write a duration such as 30s, 15m or 250ms"))
            return nil
        }
        return duration
    }

    private mutating func target(_ value: AttributeValue?, of node: GraphNode, attribute: String) -> Int? {
        guard let value, !value.text.isEmpty else { return nil }
        return graph.index(of: value.text)
    }

    /// The fan-in node that joins the branches of parallel node `number`: the nearest node of
    /// type `parallel.fan_in` reachable from its outgoing edges (breadth first).
    private mutating func findJoin(from number: Int) -> Int {
        var seen = Set<Int>([number])
        var queue = index.outgoingEdges(of: number).compactMap { index.edgeHeads[$0] }
        var position = 0
        while position < queue.count {
            let current = queue[position]
            position += 1
            guard seen.insert(current).inserted else { continue }
            if index.nodeTypes[current] == NodeTypes.fanIn { return current }
            queue.append(contentsOf: index.outgoingEdges(of: current).compactMap { index.edgeHeads[$0] })
        }
        let node = graph.nodes[number]
        problems.append(Diagnostic(
            rule: "parallel_fan_in", severity: .error,
            message: "parallel node '\(node.id)' has no fan-in node (shape=tripleoctagon) where its branches meet",
            location: node.location, node: node.id,
            fix: "add a node with shape=tripleoctagon and lead every branch of '\(node.id)' to it"))
        return number
    }
}

extension String {
    /// The string without leading and trailing whitespace and line ends.
    func trimmingSpacesAndNewlines() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
