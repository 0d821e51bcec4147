import Foundation
import TrellisDOT

/// The LLM stage (`codergen`, shape `box`): sends the node's prompt to the run's LLM
/// adapter and lets the answer decide the outcome.
///
/// 1. The prompt is the node's `prompt` (else its label), placeholders already expanded
///    by the engine (`prompt(for:)`), with the node's context fidelity applied
///    (`conversation(for:prompt:)`): a `full` stage sends its thread's earlier messages, the
///    other modes put a preamble about the run before the prompt. `prompt.md` holds exactly
///    what was sent.
/// 2. The model is `request.adapters.llm`; with `services.simulate` it is always a
///    `SimulatedLLM`. A run with neither fails the node with a message saying so.
///    The request carries `llm_model`, `llm_provider`, and the options `node_id`,
///    `attempt`, `reasoning_effort` (when set) and `stage_directory` (when the run has one).
/// 3. A `steer.md` in the stage's directory (a supervising manager loop's instruction) is
///    appended to the prompt once and renamed `steer.md.used`.
///    With a run directory, `prompt.md` is written before the call and `response.md` after
///    it, in `<run>/<node>/`.
/// 4. The outcome comes from, in this order: a `status.json` that the model's side wrote
///    into the node's directory during the call (the specification's status-file
///    contract, for agent backends that work on files); a status block in the answer
///    (`StatusBlock.find(in:)`); otherwise success. A status block that cannot be read
///    fails the node with the reason, unless the node sets `auto_status=true`, in which
///    case it succeeds with a note — the specification's "no status written" default,
///    and never a guess at what a broken block meant.
/// 5. The context receives `last_stage` (the node id) and `last_response` (the whole
///    answer; the specification truncates it to 200 characters, but the engine never
///    serializes the context per call and later prompts often quote it), then the status
///    block's `context_updates`, which win on conflicts.
///
/// Cancellation (node timeout, run cancelled) propagates as `CancellationError`.
public struct LLMStageHandler: NodeHandler {
    /// Creates the handler.
    public init() {}

    /// The registration for the `codergen` node type.
    public static let registration = RegisteredHandler(
        typeID: "codergen",
        handler: LLMStageHandler(),
        schema: AttributeSchema(attributes: [
            AttributeSpec(name: "prompt", type: .string, summary: "Instruction sent to the model; the label is used when empty. ${context.key} placeholders are expanded."),
            AttributeSpec(name: "label", type: .string, summary: "Display name; the prompt when no prompt is set."),
            AttributeSpec(name: "llm_model", type: .string, summary: "Model name passed to the LLM adapter."),
            AttributeSpec(name: "llm_provider", type: .string, summary: "Provider name passed to the LLM adapter."),
            AttributeSpec(name: "reasoning_effort", type: .string, summary: "low, medium or high; passed to the adapter as an option."),
            AttributeSpec(name: "auto_status", type: .boolean, summary: "Succeed with a note when the answer's status block cannot be read."),
        ]),
        summary: "LLM stage: sends the prompt to the LLM adapter, writes prompt.md and response.md, and routes by the answer's status block."
    )

    /// The model a request's LLM calls go to: the built-in simulation when the run is simulated,
    /// else the run's LLM adapter; `nil` when there is neither (never a silent simulation).
    static func model(for request: HandlerRequest) -> (any LLMAdapter)? {
        request.services.simulate ? SimulatedLLM() : request.adapters.llm
    }

    /// Runs one visit of an LLM stage (see the type's summary).
    public nonisolated(nonsending) func execute(_ request: HandlerRequest) async throws -> Outcome {
        let node = request.node
        var prompt = Self.prompt(for: node)
        guard let model = Self.model(for: request) else {
            return .failure(
                "LLM stage '\(node.id)' needs an LLM adapter, but this run has none: configure an LLM adapter, or run with --simulate to use the built-in simulation"
            )
        }

        let conversation = Self.conversation(for: request, prompt: prompt)
        let stageDirectory = request.services.stageDirectory(for: node.id)
        var statusFileBefore: Date?
        if let stageDirectory, let steering = StageArtifacts.take("steer.md", in: stageDirectory) {
            // A supervising manager loop left instructions for this stage (its `steer` action).
            prompt += "\n\nInstructions from the supervising manager:\n" + steering
        }
        if let stageDirectory {
            do {
                try StageArtifacts.write(conversation.rendered, named: "prompt.md", in: stageDirectory)
            } catch {
                return .failure("LLM stage '\(node.id)': \(error)")
            }
            statusFileBefore = StageArtifacts.modificationDate(of: "status.json", in: stageDirectory)
        }

        try Task.checkCancellation()
        let response: LLMResponse
        do {
            response = try await model.complete(Self.llmRequest(conversation, request: request, stageDirectory: stageDirectory))
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            try Task.checkCancellation()
            return .failure("LLM stage '\(node.id)': the LLM adapter failed: \(error)")
        }
        try Task.checkCancellation()
        if let thread = conversation.thread { request.services.transcript?.append(to: thread, prompt: prompt, answer: response.content) }

        var status = StatusBlock.find(in: response.content)
        if let stageDirectory {
            do {
                try StageArtifacts.write(response.content, named: "response.md", in: stageDirectory)
            } catch {
                return .failure("LLM stage '\(node.id)': \(error)")
            }
            if let written = Self.statusFileWrittenDuringCall(in: stageDirectory, before: statusFileBefore) {
                status = written
            }
        }
        return Self.outcome(for: node, response: response.content, status: status)
    }

    /// The adapter request for a node's conversation (its prompt, and a `full` thread's earlier messages).
    static func llmRequest(_ conversation: Conversation, request: HandlerRequest, stageDirectory: String?) -> LLMRequest {
        let attributes = request.node.attributes
        var options: [String: ContextValue] = [
            "node_id": .string(request.node.id),
            "attempt": .integer(request.attempt),
        ]
        if let effort = attributes["reasoning_effort"]?.text, !effort.isEmpty { options["reasoning_effort"] = .string(effort) }
        if let stageDirectory { options["stage_directory"] = .string(stageDirectory) }
        if let fidelity = conversation.fidelity { options["fidelity"] = .string(fidelity.description) }
        if let thread = conversation.thread { options["thread_id"] = .string(thread) }
        return LLMRequest(
            prompt: conversation.prompt,
            messages: conversation.messages,
            model: attributes["llm_model"]?.text ?? "",
            provider: attributes["llm_provider"]?.text ?? "",
            options: options
        )
    }

    /// The status in a `status.json` that appeared or changed in the node's directory while
    /// the model was called, or `nil` when none did.
    private static func statusFileWrittenDuringCall(in directory: String, before: Date?) -> StatusBlock.SearchResult? {
        guard let after = StageArtifacts.modificationDate(of: "status.json", in: directory), after != before else { return nil }
        let path = (directory as NSString).appendingPathComponent("status.json")
        guard let data = FileManager.default.contents(atPath: path) else {
            return .malformed(StatusBlockError(reason: "\(path) exists but cannot be read"))
        }
        do {
            return .found(try StatusBlock(jsonText: String(decoding: data, as: UTF8.self)))
        } catch {
            return .malformed(StatusBlockError(reason: "\(path): \(error.reason)"))
        }
    }

    /// The outcome of a node given the model's answer and the status found for it.
    static func outcome(for node: NodeSpec, response: String, status: StatusBlock.SearchResult) -> Outcome {
        var updates: [String: ContextValue] = [
            "last_stage": .string(node.id),
            "last_response": .string(response),
        ]
        switch status {
        case .none:
            return Outcome(status: .success, contextUpdates: updates, notes: "Stage completed: \(node.id)")
        case .malformed(let error):
            if node.attributes["auto_status"]?.boolean == true {
                return Outcome(
                    status: .success,
                    contextUpdates: updates,
                    notes: "auto-status: the answer's status block was ignored (\(error.reason))"
                )
            }
            return .failure(
                "LLM stage '\(node.id)' answered with a status block that cannot be read: \(error.reason). Fix the block, or set auto_status=true to succeed without it",
                updates: updates
            )
        case .found(let block):
            updates.merge(block.contextUpdates) { _, fromBlock in fromBlock }
            var outcome = block.outcome
            outcome.contextUpdates = updates
            if outcome.notes == nil { outcome.notes = "Stage completed: \(node.id)" }
            if (outcome.status == .fail || outcome.status == .retry), outcome.failureReason == nil {
                outcome.failureReason = "LLM stage '\(node.id)' reported outcome \(outcome.status.rawValue)"
                    + (block.notes.map { ": \($0)" } ?? "")
            }
            return outcome
        }
    }
}
