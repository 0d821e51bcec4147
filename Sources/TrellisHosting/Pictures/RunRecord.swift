import Foundation
import TrellisEngine

/// What a run directory says happened, read back for a picture of the run: the nodes in the
/// order they ran, each node's last status, total time and executions, and where the run
/// stands (`running` with the node it stopped before, or its final status).
public struct RunRecord: Sendable {
    /// One node's part in the run.
    public struct NodeRecord: Sendable, Equatable {
        /// The last status the node finished with.
        public var status: String
        /// The time all its visits took together.
        public var duration: Duration
        /// How many times it was visited.
        public var visits: Int
        /// Handler executions in its last visit (retries included), from its `status.json`; `nil` when unknown.
        public var attempts: Int?
    }

    /// A run directory could not be read.
    public struct ReadError: Error, Sendable, CustomStringConvertible {
        /// The file concerned.
        public var path: String
        /// What is wrong.
        public var reason: String
        /// `cannot read run PATH: REASON`.
        public var description: String { "cannot read run \(path): \(reason)" }
    }

    /// The graph the run belongs to.
    public var graphName: String
    /// `running`, `success`, `fail`, ... as the checkpoint says.
    public var status: String
    /// The node the run would continue with (a stopped or interrupted run), else `nil`.
    public var nextNode: String?
    /// The completed nodes in execution order.
    public var path: [String]
    /// Each node that ran, by id.
    public var nodes: [String: NodeRecord]

    /// Reads `directory/checkpoint.json` and the nodes' `status.json` files.
    public init(directory: String) throws(ReadError) {
        let checkpointPath = directory + "/checkpoint.json"
        guard let text = RunFiles.read(checkpointPath) else {
            throw ReadError(path: checkpointPath, reason: "there is no readable checkpoint.json; give the directory of a run started with 'trellis run'")
        }
        guard case .map(let root)? = try? ContextValue(jsonText: text),
              let graph = root["graph"]?.string, let status = root["status"]?.string,
              let completed = root["completed_nodes"]?.list else {
            throw ReadError(path: checkpointPath, reason: "it is not a trellis checkpoint (graph, status or completed_nodes missing)")
        }
        graphName = graph
        self.status = status
        nextNode = status == "running" ? root["next_node"]?.string : nil
        path = completed.map(\.stringValue)
        let attemptDirectory = root["attempt_directory"]?.string ?? "."
        var nodes: [String: NodeRecord] = [:]
        for item in root["node_timings"]?.list ?? [] {
            guard let id = item["node"]?.string else { continue }
            let milliseconds: Double
            switch item["duration_ms"] {
            case .double(let value)?: milliseconds = value
            case .integer(let value)?: milliseconds = Double(value)
            default: milliseconds = 0
            }
            var record = nodes[id] ?? NodeRecord(status: "", duration: .zero, visits: 0, attempts: nil)
            record.status = item["status"]?.string ?? "unknown"
            record.duration += .microseconds(Int64((milliseconds * 1_000).rounded()))
            record.visits += 1
            nodes[id] = record
        }
        for (id, var record) in nodes {
            for base in [directory + "/" + attemptDirectory, directory] {
                guard let statusText = RunFiles.read(base + "/" + id + "/status.json"),
                      case .map(let fields)? = try? ContextValue(jsonText: statusText) else { continue }
                record.attempts = fields["executions"]?.integer
                break
            }
            nodes[id] = record
        }
        self.nodes = nodes
    }
}
