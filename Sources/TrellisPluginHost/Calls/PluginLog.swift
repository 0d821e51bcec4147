import TrellisCore

/// Where plugin log lines and host-detected plugin misbehaviour (a second completion, a
/// reply to an abandoned call) end up.
///
/// Process-wide because the C host API table is process-wide: a line written by a plugin
/// through `host->log` reaches the same log whichever `PluginHost` loaded the plugin. The
/// last entries are kept for inspection (tests, `plugins` diagnostics); a sink may be
/// installed to forward every entry (to stderr, a session log, ...).
public enum PluginLog {
    /// How important a line is (mirrors `TRELLIS_LOG_*`).
    public enum Level: Int, Sendable, Comparable, CustomStringConvertible {
        /// Detail for debugging.
        case debug = 0
        /// Normal operation.
        case info = 1
        /// Something unexpected that did not stop the work.
        case warning = 2
        /// Something failed.
        case error = 3

        /// Orders levels by importance.
        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue < rhs.rawValue }

        /// The lowercase name.
        public var description: String {
            switch self {
            case .debug: return "debug"
            case .info: return "info"
            case .warning: return "warning"
            case .error: return "error"
            }
        }
    }

    /// One log line.
    public struct Entry: Sendable, CustomStringConvertible {
        /// Its level.
        public var level: Level
        /// The plugin id, or `host` for lines the host wrote about a plugin it could not attribute.
        public var pluginID: String
        /// The node id when the line concerns a node visit.
        public var nodeID: String?
        /// The text.
        public var message: String

        /// `level: [plugin] node: message`.
        public var description: String {
            "\(level): [\(pluginID)]" + (nodeID.map { " node \($0):" } ?? "") + " " + message
        }
    }

    private struct State {
        var recent: [Entry] = []
        var sink: (@Sendable (Entry) -> Void)?
    }

    private static let keep = 512
    // Plugin threads log here: a lock the thread sanitizer can see.
    private static let state = LockedValue(State())

    /// Records an entry and forwards it to the sink, if one is installed.
    public static func write(_ entry: Entry) {
        let sink = state.withLock { state -> (@Sendable (Entry) -> Void)? in
            state.recent.append(entry)
            if state.recent.count > keep { state.recent.removeFirst(state.recent.count - keep) }
            return state.sink
        }
        sink?(entry)
    }

    /// Records a line.
    public static func write(_ level: Level, plugin: String, node: String? = nil, _ message: String) {
        write(Entry(level: level, pluginID: plugin, nodeID: node, message: message))
    }

    /// The most recent entries, oldest first (at most 512).
    public static var recent: [Entry] { state.withLock { $0.recent } }

    /// Installs (or, with `nil`, removes) the sink every later entry is forwarded to.
    /// The sink runs on the thread that wrote the entry and must not block.
    public static func setSink(_ sink: (@Sendable (Entry) -> Void)?) {
        state.withLock { $0.sink = sink }
    }
}
