import TrellisCore

/// The behaviour of each session node type, written once. TrellisSession's built-in handlers
/// and the standard session plugin (`Plugins/StandardSession`) are thin glue over these
/// functions (see `docs/architecture.md`, "Session node types: one implementation").
///
/// Each type is a function of a `SessionNodeCall`; the synchronous types need no adapter and
/// run without suspending, so the plugin registers them as synchronous node types.
///
/// Every type is `@inlinable`, so each side's call is specialized for its own
/// `SessionNodeCall` instead of going through generic witnesses (the built-in path had become
/// about 0.7 µs slower per call through this module before the synchronous ones were; making
/// the asynchronous ones so took ~0.6 µs off benchmark 8's plugin turn).
public enum SessionNodes {
    /// The message a node fails with when the run lacks the adapter it needs (both sides turn
    /// `SessionNodeError.missingAdapter` into it, naming the node).
    public static func missingAdapter(_ kind: String, nodeID: String, type: String) -> String {
        "node '\(nodeID)' (\(type)) needs a \(kind) adapter, but this session has none; "
            + "configure one (built in or from a plugin) for the session"
    }
}

extension String {
    /// The text without leading and trailing spaces and tabs.
    @inlinable
    var trimmedOfSpaces: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
