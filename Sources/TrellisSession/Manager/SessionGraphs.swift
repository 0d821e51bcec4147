import TrellisDOT
import TrellisEngine

/// The compiled turn and heartbeat graphs sessions run, swapped atomically on reload.
///
/// A session reads `current` once when a turn (or heartbeat) starts and runs that
/// generation to the end, so a reload never changes a run in flight. A generation pins
/// the registry (and so the plugin generation) its graphs were compiled against.
public final class SessionGraphs: Sendable {
    /// One published pair of graphs.
    public struct Generation: Sendable {
        /// Increases with every successful reload.
        public var number: UInt64
        /// The turn graph.
        public var turn: CompiledGraph
        /// The heartbeat graph (`nil`: sessions do not heartbeat).
        public var heartbeat: CompiledGraph?
        /// The file the turn graph came from (`nil`: embedded default).
        public var turnPath: String?
        /// The file the heartbeat graph came from (`nil`: embedded default or none).
        public var heartbeatPath: String?
        /// The registry both graphs were compiled against.
        public var registry: HandlerRegistry

        /// Creates a generation.
        public init(number: UInt64, turn: CompiledGraph, heartbeat: CompiledGraph?, turnPath: String?,
                    heartbeatPath: String?, registry: HandlerRegistry) {
            self.number = number
            self.turn = turn
            self.heartbeat = heartbeat
            self.turnPath = turnPath
            self.heartbeatPath = heartbeatPath
            self.registry = registry
        }
    }

    private let state: LockedValue<Generation>

    /// Publishes `generation` as the first one.
    public init(_ generation: Generation) { state = LockedValue(generation) }

    /// Compiled graphs given directly (tests, benchmarks, embedders).
    public convenience init(turn: CompiledGraph, heartbeat: CompiledGraph?) {
        self.init(Generation(number: 1, turn: turn, heartbeat: heartbeat, turnPath: nil, heartbeatPath: nil,
                             registry: turn.registry))
    }

    /// The generation new runs use.
    public var current: Generation { state.withLock { $0 } }

    /// Publishes a new generation (numbered one past the current) and returns its number.
    @discardableResult
    public func publish(turn: CompiledGraph, heartbeat: CompiledGraph?, turnPath: String?, heartbeatPath: String?,
                        registry: HandlerRegistry) -> UInt64 {
        state.withLock { generation in
            generation = Generation(number: generation.number + 1, turn: turn, heartbeat: heartbeat,
                                    turnPath: turnPath, heartbeatPath: heartbeatPath, registry: registry)
            return generation.number
        }
    }

    /// Compiles DOT `text` (labelled `file` in diagnostics) against `registry`.
    public static func compile(text: String, file: String, registry: HandlerRegistry) throws(GraphCompileError) -> CompiledGraph {
        let parsed = DOTParser.parse(text, file: file)
        guard let graph = parsed.graph else { throw GraphCompileError(diagnostics: parsed.diagnostics) }
        do {
            // Strict: a session graph with an unknown type is refused, never run as an LLM stage.
            return try GraphCompiler.compile(graph, registry: registry, sourcePath: nil, strictTypes: true)
        } catch {
            throw GraphCompileError(diagnostics: parsed.diagnostics + error.diagnostics)
        }
    }

    /// Every error diagnostic of `error`, rendered `file:line:column: error: message`, one per line.
    public static func describe(_ error: GraphCompileError) -> String {
        let errors = error.diagnostics.filter { $0.severity == .error }
        return (errors.isEmpty ? error.diagnostics : errors).map { $0.rendered(source: nil) }.joined(separator: "\n")
    }
}
