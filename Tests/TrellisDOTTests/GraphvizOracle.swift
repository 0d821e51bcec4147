import Foundation
import TrellisTestSupport

/// Runs Graphviz's `dot -Tjson` on a DOT text and reads back what Graphviz understood:
/// node names in order, edges by node name, attributes, and named subgraph membership.
struct GraphvizOracle {
    /// What `dot -Tjson` reported for one graph, layout attributes removed.
    struct Reading {
        var name: String?
        var isStrict: Bool
        var isDirected: Bool
        var attributes: [String: String]
        var nodeNames: [String]
        var nodeAttributes: [String: [String: String]]
        var edges: [Edge]
        /// Named subgraphs (anonymous ones are `%N` in Graphviz and have no stable name) → member names.
        var subgraphMembers: [String: Set<String>]
    }

    /// One edge as Graphviz reports it.
    struct Edge: Hashable, CustomStringConvertible {
        var tail: String
        var head: String
        var tailPort: String
        var headPort: String
        var attributes: [String: String]

        var description: String {
            let ports = (tailPort.isEmpty ? "" : ":" + tailPort) + " -> " + head + (headPort.isEmpty ? "" : ":" + headPort)
            return tail + ports + " " + attributes.sorted { $0.key < $1.key }.description
        }
    }

    /// Why the oracle could not answer.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Attributes Graphviz adds while laying out or rendering; they say nothing about parsing.
    static let layoutAttributes: Set<String> = [
        "pos", "width", "height", "bb", "lp", "xlp", "lwidth", "lheight", "head_lp", "tail_lp",
        "xdotversion", "rects", "_subgraph_cnt", "_gvid", "_draw_", "_ldraw_", "_hdraw_", "_tdraw_",
        "_hldraw_", "_tldraw_",
    ]

    /// Where `dot` is expected (scripts/install-deps installs it from Debian's graphviz package).
    static let dotPath = "/usr/bin/dot"

    /// Whether `dot` is installed.
    static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: dotPath) }

    /// Runs `dot -Tjson` on `source` (written to a temporary file, a byte order mark removed
    /// because Graphviz 2.43 rejects it) and reads the result.
    static func read(_ source: [UInt8]) throws -> Reading {
        var input = source
        if input.starts(with: [0xEF, 0xBB, 0xBF]) { input.removeFirst(3) }
        let file = FileManager.default.temporaryDirectory
            .appendingPathComponent("trellis-oracle-\(UUID().uuidString).dot")
        try Data(input).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: dotPath)
        process.arguments = ["-Tjson", file.path]
        let stdout = Pipe.closingOnExec(), stderr = Pipe.closingOnExec()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        // dot's warnings are short, so reading standard output first cannot block on a full stderr pipe.
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "dot failed (\(process.terminationStatus)): \(String(decoding: errors, as: UTF8.self))")
        }
        return try parse(output)
    }

    private static func parse(_ json: Data) throws -> Reading {
        guard let root = try JSONSerialization.jsonObject(with: json) as? [String: Any] else {
            throw Failure(description: "dot -Tjson did not print a JSON object")
        }
        let subgraphCount = root["_subgraph_cnt"] as? Int ?? 0
        let objects = root["objects"] as? [[String: Any]] ?? []
        let nodeObjects = Array(objects.dropFirst(subgraphCount))
        var nameByID: [Int: String] = [:]
        var nodeNames: [String] = []
        var nodeAttributes: [String: [String: String]] = [:]
        for node in nodeObjects {
            guard let name = node["name"] as? String, let id = node["_gvid"] as? Int else { continue }
            nameByID[id] = name
            nodeNames.append(name)
            nodeAttributes[name] = attributes(of: node, excluding: ["name"])
        }
        var subgraphMembers: [String: Set<String>] = [:]
        for subgraph in objects.prefix(subgraphCount) {
            guard let name = subgraph["name"] as? String, !name.hasPrefix("%") else { continue }
            let members = (subgraph["nodes"] as? [Int] ?? []).compactMap { nameByID[$0] }
            subgraphMembers[name] = Set(members)
        }
        var edges: [Edge] = []
        for edge in root["edges"] as? [[String: Any]] ?? [] {
            guard let tail = (edge["tail"] as? Int).flatMap({ nameByID[$0] }),
                let head = (edge["head"] as? Int).flatMap({ nameByID[$0] })
            else { throw Failure(description: "an edge in dot's JSON names an unknown node") }
            edges.append(Edge(
                tail: tail, head: head,
                tailPort: edge["tailport"] as? String ?? "", headPort: edge["headport"] as? String ?? "",
                attributes: attributes(of: edge, excluding: ["tail", "head", "tailport", "headport"])))
        }
        let name = root["name"] as? String
        return Reading(
            name: name.flatMap { $0.hasPrefix("%") ? nil : $0 },
            isStrict: root["strict"] as? Bool ?? false,
            isDirected: root["directed"] as? Bool ?? false,
            attributes: attributes(of: root, excluding: ["name", "directed", "strict", "objects", "edges"]),
            nodeNames: nodeNames, nodeAttributes: nodeAttributes, edges: edges, subgraphMembers: subgraphMembers)
    }

    private static func attributes(of object: [String: Any], excluding: Set<String>) -> [String: String] {
        var result: [String: String] = [:]
        for (key, value) in object where !excluding.contains(key) && !layoutAttributes.contains(key) && !key.hasPrefix("_") {
            if let text = value as? String { result[key] = text }
        }
        return result
    }
}
