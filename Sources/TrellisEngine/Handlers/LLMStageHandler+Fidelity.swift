import Foundation
import TrellisDOT

extension LLMStageHandler {
    /// What one LLM stage sends, after its context fidelity is applied.
    struct Conversation {
        /// The resolved mode (after a resume's degradation of `full`); `nil` for a stage run
        /// outside an engine run (no transcript), whose prompt is sent as written.
        var fidelity: ContextFidelity?
        /// The thread key for `full`, else `nil`.
        var thread: String?
        /// The earlier messages of the thread (`full` only).
        var messages: [ContextValue]
        /// The user message: the preamble (modes other than `full`) and the node's prompt.
        var prompt: String

        /// The text of `prompt.md`: exactly what the request carries: the prompt, preceded
        /// (under `full`) by the thread's earlier messages, each under a `## role` heading.
        var rendered: String {
            guard !messages.isEmpty else { return prompt }
            var out = ""
            for message in messages {
                out += "## " + (message["role"]?.stringValue ?? "?") + "\n\n" + (message["content"]?.stringValue ?? "") + "\n\n"
            }
            return out + "## user\n\n" + prompt
        }
    }

    /// The most stages a `compact` preamble lists (the latest ones).
    static let compactStageLimit = 50

    /// The most characters each summary detail carries (about four per token).
    static let summaryBudget: [ContextFidelity.Detail: Int] = [.low: 2_400, .medium: 6_000, .high: 12_000]

    /// Resolves the stage's fidelity (incoming edge > node > graph `default_fidelity` >
    /// `compact`) and thread (node `thread_id` > edge `thread_id` > graph `thread_id` > the
    /// node's first class > the thread of the previous `full` stage > the previous node id),
    /// and builds what the request carries.
    static func conversation(for request: HandlerRequest, prompt: String) -> Conversation {
        let node = request.node
        guard let transcript = request.services.transcript else {
            return Conversation(fidelity: nil, thread: nil, messages: [], prompt: prompt)
        }
        let edge = transcript.incomingEdge
        var fidelity = ContextFidelity.resolve(
            edge: edge.fidelity, node: node.attributes["fidelity"]?.text,
            graph: request.context["graph.default_fidelity"]?.stringValue)
        if fidelity == .full {
            let nodeThread = node.attributes["thread_id"]?.text
            let graphThread = request.context["graph.thread_id"]?.stringValue
            let firstClass = node.attributes["class"]?.text.split(separator: ",").first.map { String($0).trimmingCharacters(in: .whitespaces) }
            let candidates: [String?] = [nodeThread, edge.threadID, graphThread, firstClass, transcript.lastThread, request.context["last_stage"]?.stringValue]
            let thread = candidates.compactMap { $0 }.first { !$0.isEmpty } ?? node.id
            let earlier = transcript.conversation(thread)
            if !earlier.lostOnResume {
                return Conversation(fidelity: .full, thread: thread, messages: earlier.messages, prompt: prompt)
            }
            fidelity = .summary(.high)
        }
        let preamble = Self.preamble(fidelity, request: request, stages: transcript.stages)
        return Conversation(fidelity: fidelity, thread: nil, messages: [], prompt: preamble + "\n\n---\n\n" + prompt)
    }

    /// The preamble of a fresh conversation in mode `fidelity` (not `full`).
    static func preamble(_ fidelity: ContextFidelity, request: HandlerRequest, stages: [RunTranscript.Stage]) -> String {
        let goal = request.context["graph.goal"]?.stringValue ?? ""
        let runID = request.services.runDirectory.map { String($0.split(separator: "/").last ?? "") } ?? "(no run directory)"
        var out = "Goal: " + (goal.isEmpty ? "(none given)" : goal) + "\nRun: " + runID + "\n"
        switch fidelity {
        case .full, .truncate:
            return out
        case .compact:
            out += "\nCompleted stages:\n"
            if stages.isEmpty { out += "- (none yet)\n" }
            // A moderate budget, as the specification's table says: the latest stages, and a count of the rest.
            if stages.count > compactStageLimit { out += "- … \(stages.count - compactStageLimit) earlier stage(s)\n" }
            for stage in stages.suffix(compactStageLimit) {
                out += "- \(stage.nodeID): \(stage.status)" + (stage.notes.map { " (" + Self.clipped($0, 160) + ")" } ?? "") + "\n"
            }
            out += Self.contextSection(request.context, limit: 40, valueLength: 200)
            return out
        case .summary(let detail):
            let succeeded = stages.filter { $0.status == "success" || $0.status == "partial_success" }.count
            let failed = stages.filter { $0.status == "fail" }.count
            out += "\nSo far \(stages.count) stage(s) ran: \(succeeded) succeeded, \(failed) failed"
            if let last = stages.last { out += "; the last was '\(last.nodeID)' (\(last.status))" }
            out += ".\n"
            let (recent, noteLength, responseLength, contextKeys) = switch detail {
            case .low: (3, 80, 0, 0)
            case .medium: (10, 200, 0, 20)
            case .high: (30, 400, 500, 60)
            }
            if recent > 0, !stages.isEmpty {
                out += "\nRecent stages:\n"
                for stage in stages.suffix(recent) {
                    out += "- \(stage.nodeID): \(stage.status)" + (stage.notes.map { " — " + Self.clipped($0, noteLength) } ?? "") + "\n"
                    if responseLength > 0, let response = stage.response, !response.isEmpty {
                        out += "  answer: " + Self.clipped(response, responseLength).replacingOccurrences(of: "\n", with: " ") + "\n"
                    }
                }
            }
            if contextKeys > 0 { out += Self.contextSection(request.context, limit: contextKeys, valueLength: detail == .high ? 500 : 200) }
            return Self.clipped(out, summaryBudget[detail] ?? 6_000)
        }
    }

    /// `Context:` and the run's own values (not `graph.*`, `internal.*` or `last_response`), sorted by key.
    private static func contextSection(_ context: Context, limit: Int, valueLength: Int) -> String {
        let keys = context.keys.filter { !$0.hasPrefix("graph.") && !$0.hasPrefix("internal.") && $0 != "last_response" }.sorted()
        guard !keys.isEmpty else { return "" }
        var out = "\nContext:\n"
        for key in keys.prefix(limit) { out += "- \(key): " + Self.clipped(context[key]?.stringValue ?? "", valueLength) + "\n" }
        if keys.count > limit { out += "- … \(keys.count - limit) more\n" }
        return out
    }

    /// `text` cut to `limit` characters, with `…` when cut.
    static func clipped(_ text: String, _ limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(max(limit - 1, 0))) + "…"
    }
}
