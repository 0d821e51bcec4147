import Foundation

/// Something that happened during a run, for progress display, logs and session signals.
public struct RunEvent: Sendable {
    /// What happened (`run_started`, `node_completed`, `checkpoint_saved`, ...). See `RunEvent.Kind`.
    public var kind: Kind
    /// When it happened (wall clock, for display and logs).
    public var timestamp: Date
    /// The node concerned, if any.
    public var nodeID: String?
    /// How long the thing took, for events that end something.
    public var duration: Duration?
    /// Further fields (status, attempt, branch, question, reason, ...).
    public var fields: [String: ContextValue]

    /// Creates an event stamped now.
    public init(_ kind: Kind, nodeID: String? = nil, duration: Duration? = nil, fields: [String: ContextValue] = [:]) {
        self.kind = kind
        self.timestamp = Date()
        self.nodeID = nodeID
        self.duration = duration
        self.fields = fields
    }

    /// Event kinds. Plugins may emit their own kinds with any name.
    public struct Kind: RawRepresentable, Sendable, Hashable, ExpressibleByStringLiteral {
        /// The snake_case name written to event logs.
        public var rawValue: String
        /// Creates a kind.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// Creates a kind from a literal.
        public init(stringLiteral value: String) { self.rawValue = value }
    }
}

/// Receives run events. Must be cheap and must not block: it is called on the run's task.
public protocol EventSink: Sendable {
    /// Delivers one event.
    func emit(_ event: RunEvent)
}

/// Drops every event; the default when nobody listens.
public struct DiscardingEventSink: EventSink {
    /// Creates a sink.
    public init() {}
    /// Ignores the event.
    public func emit(_ event: RunEvent) {}
}

/// Where a run puts its files and how it behaves; shared by every node of the run.
///
/// Every node's request carries the services, so the fields share one copy-on-write box:
/// copying the services costs one reference count, not one per field.
public struct RunServices: Sendable {
    /// The run directory (`manifest.json`, `checkpoint.json`, per-node artifacts), or `nil` for
    /// runs that keep nothing on disk (session turns, benchmarks).
    public var runDirectory: String? {
        get { fields.value.runDirectory }
        set { fields.modify { $0.runDirectory = newValue } }
    }
    /// The directory tool commands run in.
    public var workingDirectory: String {
        get { fields.value.workingDirectory }
        set { fields.modify { $0.workingDirectory = newValue } }
    }
    /// Where events go.
    public var events: any EventSink {
        get { fields.value.events }
        set { fields.modify { $0.events = newValue } }
    }
    /// When true, LLM stages answer from the simulation and tool nodes record the command instead of running it.
    public var simulate: Bool {
        get { fields.value.simulate }
        set { fields.modify { $0.simulate = newValue } }
    }
    /// Who answers human gates; `nil` makes a human gate fail with a message saying none is configured.
    public var interviewer: (any Interviewer)? {
        get { fields.value.interviewer }
        set { fields.modify { $0.interviewer = newValue } }
    }
    /// Which of this process's environment variables tool commands must not inherit.
    public var secrets: SecretVariables {
        get { fields.value.secrets }
        set { fields.modify { $0.secrets = newValue } }
    }
    /// The run's stages and LLM conversations, for context fidelity; the engine makes one
    /// per run when it is `nil` and the graph has LLM stages (the only readers).
    public var transcript: RunTranscript? {
        get { fields.value.transcript }
        set { fields.modify { $0.transcript = newValue } }
    }

    private struct Fields: Sendable {
        var runDirectory: String?
        var workingDirectory: String
        var events: any EventSink
        var simulate: Bool
        var interviewer: (any Interviewer)?
        var secrets: SecretVariables
        var transcript: RunTranscript?
    }

    private var fields: CopyOnWriteBox<Fields>

    /// Creates services.
    public init(
        runDirectory: String? = nil,
        workingDirectory: String = FileManager.default.currentDirectoryPath,
        events: any EventSink = DiscardingEventSink(),
        simulate: Bool = false,
        interviewer: (any Interviewer)? = nil,
        secrets: SecretVariables = SecretVariables(),
        transcript: RunTranscript? = nil
    ) {
        fields = CopyOnWriteBox(Fields(runDirectory: runDirectory, workingDirectory: workingDirectory, events: events,
                                       simulate: simulate, interviewer: interviewer, secrets: secrets, transcript: transcript))
    }
}
