import Foundation
import TrellisEngine

/// `session.classify`: sorts the input into `command` (starts with "/"), `blocked` (contains a
/// word listed in the node's `blocked` attribute or the session config's `blocked_words`, comma
/// separated, case-insensitive), `tool_result` (starts with "tool_result:"), else `query`.
/// Writes `session.input_type` and prefers the edge labelled with that type.
public struct ClassifyHandler: NodeHandler {
    /// Creates the handler.
    public init() {}

    /// The registration of type `session.classify`.
    public static let registration = RegisteredHandler(
        typeID: "session.classify", handler: ClassifyHandler(),
        summary: "classify the input as command, blocked, tool_result or query")

    /// Classifies `session.input`.
    public func execute(_ request: HandlerRequest) async throws -> Outcome {
        let input = request.context.string(SessionKeys.input)
        let type = Self.classify(input, blockedWords: blockedWords(request))
        var outcome = Outcome.success([SessionKeys.inputType: .string(type)])
        outcome.preferredLabel = type
        return outcome
    }

    private func blockedWords(_ request: HandlerRequest) -> [String] {
        var lists: [String] = []
        if let attribute = request.node.attribute("blocked") { lists.append(attribute) }
        if case .map(let config) = request.context[SessionKeys.config], let words = config["blocked_words"] {
            lists.append(words.stringValue)
        }
        return lists.flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            .filter { !$0.isEmpty }
    }

    /// The input type of `input`.
    static func classify(_ input: String, blockedWords: [String]) -> String {
        if input.hasPrefix("/") { return "command" }
        if !blockedWords.isEmpty {
            let lowered = input.lowercased()
            if blockedWords.contains(where: { lowered.contains($0) }) { return "blocked" }
        }
        if input.hasPrefix("tool_result:") { return "tool_result" }
        return "query"
    }
}
