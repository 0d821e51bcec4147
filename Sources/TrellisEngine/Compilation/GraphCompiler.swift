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
    ///
    /// `strictTypes` makes an unknown node type an error instead of the specification's warning
    /// and fall-back to the shape's handler: session graphs use it, so that a reloaded turn graph
    /// with a misspelt type keeps the old graph serving instead of running the node as an LLM stage.
    public static func compile(
        _ graph: Graph, registry: HandlerRegistry, sourcePath: String?, strictTypes: Bool = false
    ) throws(GraphCompileError) -> CompiledGraph {
        let transformed = transform(graph)
        var knownTypes: [String: AttributeSchema] = [:]
        for registration in registry.all { knownTypes[registration.typeID] = registration.schema }
        var (diagnostics, checks) = validateTransformed(transformed, knownTypes: knownTypes, ambiguousTypes: registry.ambiguousNames, sourcePath: sourcePath)
        if strictTypes {
            for position in diagnostics.indices where diagnostics[position].rule == "type_known" { diagnostics[position].severity = .error }
        }
        if Validator.hasErrors(diagnostics) { throw GraphCompileError(diagnostics: diagnostics) }

        var builder = Builder(graph: transformed, registry: registry, checks: checks)
        let nodes = builder.buildNodes()
        let all = diagnostics + builder.problems
        if Validator.hasErrors(all) { throw GraphCompileError(diagnostics: all) }
        guard let start = builder.index.startNodes.first else {
            throw GraphCompileError(diagnostics: all + [
                Diagnostic(rule: "start_node", severity: .error, message: "the graph has no start node", location: graph.location,
                           fix: "add 'start [shape=Mdiamond]' and an edge from it to the first stage")
            ])
        }
        return CompiledGraph(
            graph: transformed, registry: registry, sourcePath: sourcePath, nodes: nodes, startIndex: start,
            warnings: all, settings: builder.settings())
    }

    /// Everything compilation would find wrong with `graph`, without compiling it: the
    /// transforms, `Validator.standard`, then `PipelineChecks`. `trellis validate` calls this,
    /// and `compile` refuses exactly the graphs for which it reports an error, so the two agree.
    /// `knownTypes` are the host's node types (`nil` skips the type checks), `ambiguousTypes` the
    /// unqualified names two plugins define (`HandlerRegistry.ambiguousNames`); `sourcePath` is
    /// the file the graph came from (child pipelines resolve relative to it).
    public static func validate(
        _ graph: Graph, knownTypes: [String: AttributeSchema]?, ambiguousTypes: [String: [String]] = [:], sourcePath: String?
    ) -> [Diagnostic] {
        validateTransformed(transform(graph), knownTypes: knownTypes, ambiguousTypes: ambiguousTypes, sourcePath: sourcePath).diagnostics
    }

    /// `validate`, for a manager loop's child reached through the pipelines in `visiting`.
    static func validate(_ graph: Graph, knownTypes: [String: AttributeSchema]?, sourcePath: String?, visiting: Set<String>) -> [Diagnostic] {
        validateTransformed(transform(graph), knownTypes: knownTypes, sourcePath: sourcePath, visiting: visiting).diagnostics
    }

    private static func validateTransformed(
        _ graph: Graph, knownTypes: [String: AttributeSchema]?, ambiguousTypes: [String: [String]] = [:], sourcePath: String?,
        visiting: Set<String> = []
    ) -> (diagnostics: [Diagnostic], checks: PipelineChecks.Result) {
        var diagnostics = Validator.standard.validate(graph, in: ValidationContext(knownTypes: knownTypes, ambiguousTypes: ambiguousTypes))
        let checks = PipelineChecks.check(graph, index: GraphIndex(graph), knownTypes: knownTypes, sourcePath: sourcePath, visiting: visiting)
        diagnostics += checks.diagnostics
        return (diagnostics, checks)
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
    let checks: PipelineChecks.Result
    var problems: [Diagnostic] = []

    init(graph: Graph, registry: HandlerRegistry, checks: PipelineChecks.Result) {
        self.graph = graph
        self.registry = registry
        self.index = GraphIndex(graph)
        self.checks = checks
    }

    private var defaultMaxRetries: Int {
        graph.attributes["default_max_retries"]?.integer ?? graph.attributes["default_max_retry"]?.integer ?? 0
    }

    mutating func buildNodes() -> [CompiledNode] {
        let exits = Set(index.exitNodes)
        var nodes: [CompiledNode] = []
        nodes.reserveCapacity(graph.nodes.count)
        for (number, node) in graph.nodes.enumerated() {
            // An unknown type runs on its shape's handler (PipelineChecks.effectiveTypes; validation warned).
            let type = checks.effectiveTypes[number]
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
                guard let join = checks.joins[number] else { continue }  // reported by PipelineChecks
                role = .parallel(join: join, joinsAtFanIn: checks.effectiveTypes[join] == NodeTypes.fanIn)
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
                loopRestart: edge.attributes["loop_restart"]?.boolean ?? false,
                fidelity: edge.attributes["fidelity"]?.text,
                threadID: edge.attributes["thread_id"]?.text))
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

    /// The node's timeout; a value that is not a positive duration was reported by `PipelineChecks`.
    private func timeout(of node: GraphNode) -> Duration? {
        guard let duration = node.attributes["timeout"]?.duration, duration > .zero else { return nil }
        return duration
    }

    private mutating func target(_ value: AttributeValue?, of node: GraphNode, attribute: String) -> Int? {
        guard let value, !value.text.isEmpty else { return nil }
        return graph.index(of: value.text)
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
