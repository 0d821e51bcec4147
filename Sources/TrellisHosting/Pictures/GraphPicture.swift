import Foundation
import TrellisDOT
import TrellisEngine

/// A picture of a pipeline, and optionally of one run of it, drawn by Graphviz's `dot`.
///
/// Every node gets the shape the pipeline specification maps its type to (an explicit
/// `type=` without a shape is drawn with its type's shape), its label, and its id as the
/// SVG element id; edges show their label and condition. With a `RunRecord`, each node is
/// filled by its outcome and labelled with its duration, visits and attempts, the edges the
/// run took are drawn heavy, nodes that never ran are dashed, and the node a stopped run
/// would continue with is marked.
public struct GraphPicture: Sendable {
    /// An image format `dot` writes.
    public enum Format: String, Sendable {
        /// Scalable vector graphics (`dot -Tsvg`).
        case svg
        /// A bitmap (`dot -Tpng`).
        case png
    }

    /// Why a picture could not be made.
    public struct RenderError: Error, Sendable, CustomStringConvertible {
        /// What went wrong and what to do.
        public var description: String
    }

    /// The graph drawn.
    public var graph: Graph
    /// The run drawn over it, if any.
    public var run: RunRecord?

    /// A picture of `graph`, with `run` drawn over it when given.
    public init(graph: Graph, run: RunRecord? = nil) {
        self.graph = graph
        self.run = run
    }

    /// Fill colours by outcome status.
    static let fills: [String: String] = [
        "success": "#c8e6c9", "partial_success": "#fff59d", "fail": "#ffcdd2", "retry": "#ffe0b2", "skipped": "#eeeeee",
    ]

    /// The DOT text handed to `dot`.
    public var dotText: String {
        var out = "digraph " + Self.quoted(graph.name ?? "pipeline") + " {\n"
        out += "  graph [rankdir=TB, fontname=\"Helvetica\"" + (graph.attributes.raw("goal").map { ", label=" + Self.quoted("goal: " + $0) } ?? "") + "];\n"
        out += "  node [fontname=\"Helvetica\", fontsize=11];\n  edge [fontname=\"Helvetica\", fontsize=9];\n"
        for node in graph.nodes {
            let type = NodeTypes.resolvedType(of: node)
            let shape = node.attributes.raw("shape") ?? NodeTypes.byShape.first { $0.value == type }?.key ?? "box"
            var label = node.attributes["label"]?.text ?? node.id
            if label.isEmpty { label = node.id }
            var attributes = ["id=" + Self.quoted(node.id), "shape=" + Self.quoted(shape)]
            if let run {
                if let record = run.nodes[node.id] {
                    label += "\n" + Self.summary(of: record)
                    attributes.append("style=filled")
                    attributes.append("fillcolor=" + Self.quoted(Self.fills[record.status] ?? "#e0e0e0"))
                    attributes.append("class=" + Self.quoted("outcome-" + record.status))
                } else {
                    attributes.append("style=dashed")
                    attributes.append("color=\"#9e9e9e\"")
                    attributes.append("fontcolor=\"#9e9e9e\"")
                    attributes.append("class=\"not-run\"")
                }
                if node.id == run.nextNode {
                    label += "\n(the run stopped before this node)"
                    attributes.append("penwidth=3")
                    attributes.append("color=\"#1565c0\"")
                    attributes.append("class=\"next\"")
                }
            }
            attributes.append("label=" + Self.quoted(label))
            out += "  " + Self.quoted(node.id) + " [" + attributes.joined(separator: ", ") + "];\n"
        }
        var taken: Set<String> = []
        if let run {
            for (from, to) in zip(run.path, run.path.dropFirst()) { taken.insert(from + "\u{0}" + to) }
        }
        for edge in graph.edges {
            var parts: [String] = []
            if let label = edge.attributes["label"]?.text, !label.isEmpty { parts.append(label) }
            if let condition = edge.attributes["condition"]?.text, !condition.isEmpty { parts.append("[" + condition + "]") }
            var attributes: [String] = []
            if !parts.isEmpty { attributes.append("label=" + Self.quoted(parts.joined(separator: "\n"))) }
            if run != nil {
                if taken.contains(edge.from + "\u{0}" + edge.to) {
                    attributes.append(contentsOf: ["penwidth=2.5", "color=\"#1b5e20\"", "class=\"taken\""])
                } else {
                    attributes.append("color=\"#9e9e9e\"")
                }
            }
            out += "  " + Self.quoted(edge.from) + " -> " + Self.quoted(edge.to)
                + (attributes.isEmpty ? "" : " [" + attributes.joined(separator: ", ") + "]") + ";\n"
        }
        return out + "}\n"
    }

    /// `success · 1.2 s · 2 attempts` for a node's run label.
    static func summary(of record: RunRecord.NodeRecord) -> String {
        var parts = [record.status, DurationText.describe(record.duration)]
        if record.visits > 1 { parts.append("\(record.visits) visits") }
        if let attempts = record.attempts { parts.append(attempts == 1 ? "1 attempt" : "\(attempts) attempts") }
        return parts.joined(separator: " · ")
    }

    /// Renders the picture with Graphviz's `dot` (found on `PATH`); the error says when `dot`
    /// is missing (Debian package `graphviz`) or what it complained about.
    public func render(_ format: Format, environment: [String: String] = ProcessInfo.processInfo.environment) async throws(RenderError) -> [UInt8] {
        guard let dot = Self.findDot(path: environment["PATH"] ?? "/usr/bin:/bin") else {
            throw RenderError(description: "Graphviz's 'dot' program was not found on PATH; install the Debian package 'graphviz' (apt-get install graphviz, or scripts/install-deps)")
        }
        let invocation = ProcessRunner.Invocation(
            executable: dot, arguments: ["-T" + format.rawValue], environment: ["PATH": environment["PATH"] ?? "/usr/bin:/bin"],
            workingDirectory: "/", timeout: .seconds(60), standardInput: Array(dotText.utf8))
        let result: ProcessRunner.Result
        do {
            result = try await ProcessRunner(captureLimit: 256 << 20).run(invocation)
        } catch {
            throw RenderError(description: "could not run \(dot): \(error)")
        }
        guard result.timedOut == false, case .exited(0) = result.termination else {
            throw RenderError(description: "\(dot) -T\(format.rawValue) failed (\(result.termination)): " + result.standardError.text)
        }
        return result.standardOutput.bytes
    }

    /// The first executable `dot` in the colon-separated `path`.
    static func findDot(path: String) -> String? {
        for directory in path.split(separator: ":") where !directory.isEmpty {
            let candidate = String(directory) + "/dot"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }

    /// `text` as a DOT double-quoted string (`"` and `\` escaped, newlines as `\n`).
    static func quoted(_ text: String) -> String {
        var out = "\""
        for character in text {
            switch character {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out + "\""
    }
}
