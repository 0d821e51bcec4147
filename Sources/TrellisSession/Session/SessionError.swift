/// Why a session operation failed. Every case carries a sentence saying what and what to do.
public enum SessionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The turn graph run failed; the session stays idle and usable.
    case turnFailed(String)
    /// A message arrived during a turn and the session's policy is `reject`.
    case busy(String)
    /// The turn was cancelled by a newer message (policy `interrupt`) or by its caller.
    case interrupted(String)
    /// The session was stopped.
    case stopped(String)
    /// No session has this id.
    case notFound(String)
    /// A session with this id already exists.
    case alreadyExists(String)
    /// The graph needs an adapter the session lacks, or another configuration problem.
    case configuration(String)
    /// A graph file could not be loaded.
    case graph(String)
    /// A bad argument (unknown type, policy, ...).
    case invalidArgument(String)
    /// The session store failed.
    case store(String)
    /// The session's rows in the store are damaged; the session is refused (the others serve).
    case corrupt(String)
    /// Another host holds the session's lease (a shared store); `owner` is its host id.
    case leased(String, owner: String)
    /// This host lost the session's lease (expired, or taken over); its write was refused.
    case leaseLost(String)

    /// The message, for printing.
    public var description: String {
        switch self {
        case .turnFailed(let text), .busy(let text), .interrupted(let text), .stopped(let text),
            .notFound(let text), .alreadyExists(let text), .configuration(let text), .graph(let text),
            .invalidArgument(let text), .store(let text), .corrupt(let text), .leased(let text, _), .leaseLost(let text):
            return text
        }
    }
}
