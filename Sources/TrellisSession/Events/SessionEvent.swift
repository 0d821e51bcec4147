import Foundation
import TrellisEngine

/// Something a session (or the session manager) did, published on a signal topic.
public struct SessionEvent: Sendable {
    /// What happened (`turn_completed`, `phase_changed`, `graph_reloaded`, ...). Every kind
    /// the session publishes, with its fields, is a static member of `SessionEvent.Kind`.
    public var kind: Kind
    /// The signal topic (a session's `signal_topic`, or `trellis.manager` for manager events).
    public var topic: String
    /// The session concerned, if any.
    public var sessionID: String?
    /// The trace id of the session (or of the manager operation).
    public var traceID: String
    /// When it happened.
    public var timestamp: Date
    /// Further fields (turn, latency_us, node_timings, phase, error, file, ...).
    public var fields: [String: ContextValue]

    /// Creates an event stamped now.
    public init(kind: Kind, topic: String, sessionID: String?, traceID: String, fields: [String: ContextValue] = [:]) {
        self.kind = kind
        self.topic = topic
        self.sessionID = sessionID
        self.traceID = traceID
        self.timestamp = Date()
        self.fields = fields
    }

    /// The event as a map (the JSON-lines and JSON-RPC notification form).
    public var contextValue: ContextValue {
        var map: [String: ContextValue] = [
            "kind": .string(kind.rawValue), "topic": .string(topic), "trace_id": .string(traceID),
            "timestamp": .double((timestamp.timeIntervalSince1970 * 1000).rounded() / 1000),
            "fields": .map(fields),
        ]
        if let sessionID { map["session_id"] = .string(sessionID) }
        return .map(map)
    }

    /// The event as one line of compact JSON (no trailing newline).
    public var jsonLine: String { contextValue.jsonText }

    /// The kind of a session event: its snake_case name. The kinds sessions publish are the
    /// static members in `SessionEvent+Kinds.swift`; a literal is accepted where one is expected.
    public struct Kind: RawRepresentable, Sendable, Hashable, ExpressibleByStringLiteral, CustomStringConvertible {
        /// The snake_case name written to event logs and notifications.
        public var rawValue: String
        /// Creates a kind.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// Creates a kind from a literal.
        public init(stringLiteral value: String) { self.rawValue = value }
        /// The snake_case name.
        public var description: String { rawValue }
    }
}
