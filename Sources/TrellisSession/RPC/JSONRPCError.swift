import TrellisEngine

/// A JSON-RPC 2.0 error object (`docs/protocol.md` lists the codes).
public struct JSONRPCError: Error, Sendable {
    /// The code.
    public var code: Int
    /// What was wrong and what to do.
    public var message: String
    /// Extra detail (`kind` of a session error, ...).
    public var data: ContextValue?

    /// The request was not JSON.
    public static let parseError = -32700
    /// The JSON was not a request object.
    public static let invalidRequest = -32600
    /// No such method.
    public static let methodNotFound = -32601
    /// Missing or wrongly typed parameters.
    public static let invalidParams = -32602
    /// An unexpected failure inside the server.
    public static let internalError = -32603
    /// A session operation failed (`data.kind` says how: not_found, busy, turn_failed, ...).
    public static let sessionError = -32000
    /// A graph or plugin reload failed; the previous generation keeps serving.
    public static let reloadFailed = -32001

    /// Creates an error.
    public init(code: Int, message: String, data: ContextValue? = nil) {
        self.code = code
        self.message = message
        self.data = data
    }

    /// A session error as a JSON-RPC error.
    public init(_ error: SessionError) {
        let kind: String
        switch error {
        case .turnFailed: kind = "turn_failed"
        case .busy: kind = "busy"
        case .interrupted: kind = "interrupted"
        case .stopped: kind = "stopped"
        case .notFound: kind = "not_found"
        case .alreadyExists: kind = "already_exists"
        case .configuration: kind = "configuration"
        case .graph: kind = "graph"
        case .invalidArgument:
            self.init(code: Self.invalidParams, message: error.description)
            return
        case .store: kind = "store"
        case .corrupt: kind = "corrupt"
        case .leaseLost: kind = "lease_lost"
        case .leased(_, let owner):
            self.init(code: Self.sessionError, message: error.description,
                      data: .map(["kind": .string("leased"), "owner": .string(owner)]))
            return
        }
        self.init(code: Self.sessionError, message: error.description, data: .map(["kind": .string(kind)]))
    }

    /// The error object.
    var contextValue: ContextValue {
        var fields: [String: ContextValue] = ["code": .integer(code), "message": .string(message)]
        if let data { fields["data"] = data }
        return .map(fields)
    }
}
