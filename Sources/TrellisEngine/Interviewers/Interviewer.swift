/// Asks a person to choose at a human gate. Implementations: console (a terminal),
/// auto-approve, and answers scripted from a file (tests and CI).
public protocol Interviewer: Sendable {
    /// Asks `question` and returns the choice. Throws when no answer can be had at all
    /// (a scripted file that ran out, a closed terminal); a timeout is an answer (`.timedOut`).
    func ask(_ question: HumanQuestion) async throws -> HumanAnswer
}

/// What a human gate asks.
public struct HumanQuestion: Sendable, Equatable {
    /// The gate's node id.
    public var nodeID: String
    /// The text shown (the node's prompt or label).
    public var prompt: String
    /// The choices, one per outgoing edge, in edge order.
    public var choices: [HumanChoice]
    /// The choice taken when nobody answers in time (`human.default_choice`).
    public var defaultChoice: String?
    /// How long to wait; `nil` waits forever.
    public var timeout: Duration?

    /// Creates a question.
    public init(nodeID: String, prompt: String, choices: [HumanChoice], defaultChoice: String? = nil, timeout: Duration? = nil) {
        self.nodeID = nodeID
        self.prompt = prompt
        self.choices = choices
        self.defaultChoice = defaultChoice
        self.timeout = timeout
    }
}

/// One choice of a human gate.
public struct HumanChoice: Sendable, Equatable {
    /// The edge label as written (`[A] Approve`).
    public var label: String
    /// The accelerator key (`A` from `[A] Approve`, `A) ...` or `A - ...`), if any.
    public var key: String?
    /// The node the choice leads to.
    public var target: String

    /// Creates a choice.
    public init(label: String, key: String?, target: String) {
        self.label = label
        self.key = key
        self.target = target
    }
}

/// A person's answer.
public enum HumanAnswer: Sendable, Equatable {
    /// The person chose this choice (matched by key, label or target).
    case chose(HumanChoice)
    /// Nobody answered within the timeout.
    case timedOut
}
