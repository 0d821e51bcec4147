import Foundation
import Synchronization
import Testing
@testable import TrellisEngine

/// An adapter that answers with fixed text and remembers the requests it got.
private final class CannedLLM: LLMAdapter, Sendable {
    let answer: String
    let statusFile: String?
    private let requests = Mutex<[LLMRequest]>([])

    init(answer: String, statusFile: String? = nil) {
        self.answer = answer
        self.statusFile = statusFile
    }

    var received: [LLMRequest] { requests.withLock { $0 } }

    func complete(_ request: LLMRequest) async throws -> LLMResponse {
        requests.withLock { $0.append(request) }
        if let statusFile, case .string(let directory)? = request.options["stage_directory"] {
            try statusFile.write(toFile: directory + "/status.json", atomically: true, encoding: .utf8)
        }
        return LLMResponse(content: answer)
    }
}

/// An adapter that always fails.
private struct BrokenLLM: LLMAdapter {
    struct Outage: Error, CustomStringConvertible { var description: String { "HTTP 503 from the provider" } }
    func complete(_ request: LLMRequest) async throws -> LLMResponse { throw Outage() }
}

@Suite("LLMStageHandler", .timeLimit(.minutes(1)))
struct LLMStageHandlerTests {
    @Test("in simulate mode it writes prompt.md and response.md and sets last_response")
    func simulatedStageWritesArtifacts() async throws {
        let runDirectory = try LeafTestSupport.makeScratchDirectory()
        defer { LeafTestSupport.remove(runDirectory) }
        let request = LeafTestSupport.request(
            id: "plan",
            type: "codergen",
            attributes: [("prompt", #"Plan the work.\nBe brief."#)],
            services: RunServices(runDirectory: runDirectory, simulate: true)
        )
        let outcome = try await LLMStageHandler().execute(request)
        let expectedAnswer = SimulatedLLM.answer(for: "Plan the work.\nBe brief.")
        #expect(outcome.status == .success)
        #expect(LeafTestSupport.read(runDirectory + "/plan/prompt.md") == "Plan the work.\nBe brief.")
        #expect(LeafTestSupport.read(runDirectory + "/plan/response.md") == expectedAnswer)
        #expect(outcome.contextUpdates["last_response"] == .string(expectedAnswer))
        #expect(outcome.contextUpdates["last_stage"] == .string("plan"))
    }

    @Test("simulate mode wins over a configured adapter")
    func simulateOverridesAdapter() async throws {
        let canned = CannedLLM(answer: "real model")
        let request = LeafTestSupport.request(
            type: "codergen",
            attributes: [("prompt", "x")],
            adapters: AdapterSet(llm: canned),
            services: RunServices(simulate: true)
        )
        let outcome = try await LLMStageHandler().execute(request)
        #expect(canned.received.isEmpty)
        #expect(outcome.contextUpdates["last_response"] == .string(SimulatedLLM.answer(for: "x")))
    }

    @Test("without an LLM adapter and outside simulate mode it fails naming the missing adapter")
    func missingAdapterFails() async throws {
        let request = LeafTestSupport.request(id: "plan", type: "codergen", attributes: [("prompt", "x")])
        let outcome = try await LLMStageHandler().execute(request)
        #expect(outcome.status == .fail)
        #expect(outcome.failureReason?.contains("needs an LLM adapter") == true)
        #expect(outcome.failureReason?.contains("--simulate") == true)
    }

    @Test("the prompt falls back to the label; model, provider and options reach the adapter")
    func requestContents() async throws {
        let canned = CannedLLM(answer: "ok")
        let request = LeafTestSupport.request(
            id: "review",
            type: "codergen",
            attributes: [("label", "Review the code"), ("llm_model", "gpt-5.2"), ("llm_provider", "openai"), ("reasoning_effort", "low")],
            adapters: AdapterSet(llm: canned),
            attempt: 2
        )
        _ = try await LLMStageHandler().execute(request)
        let sent = try #require(canned.received.first)
        #expect(sent.prompt == "Review the code")
        #expect(sent.model == "gpt-5.2")
        #expect(sent.provider == "openai")
        #expect(sent.options["reasoning_effort"] == .string("low"))
        #expect(sent.options["node_id"] == .string("review"))
        #expect(sent.options["attempt"] == .integer(2))
    }

    @Test("a status block in the answer sets status, routing hints and context updates")
    func statusBlockRoutes() async throws {
        let answer = """
        Found two issues.
        ```json
        {"outcome": "fail", "preferred_next_label": "Fix", "suggested_next_ids": ["fix"],
         "context_updates": {"issues": 2, "last_stage": "overridden"}, "failure_reason": "two issues"}
        ```
        """
        let request = LeafTestSupport.request(id: "review", type: "codergen", attributes: [("prompt", "Review")], adapters: AdapterSet(llm: CannedLLM(answer: answer)))
        let outcome = try await LLMStageHandler().execute(request)
        #expect(outcome.status == .fail)
        #expect(outcome.preferredLabel == "Fix")
        #expect(outcome.suggestedNextIDs == ["fix"])
        #expect(outcome.failureReason == "two issues")
        #expect(outcome.contextUpdates["issues"] == .integer(2))
        #expect(outcome.contextUpdates["last_stage"] == .string("overridden"))
        #expect(outcome.contextUpdates["last_response"] == .string(answer))
    }

    @Test("a failing block without a reason gets one naming the stage")
    func failureReasonIsFilledIn() async throws {
        let request = LeafTestSupport.request(
            id: "check",
            type: "codergen",
            attributes: [("prompt", "Check. SIMULATE_OUTCOME: retry")],
            services: RunServices(simulate: true)
        )
        let outcome = try await LLMStageHandler().execute(request)
        #expect(outcome.status == .retry)
        #expect(outcome.failureReason == "LLM stage 'check' reported outcome retry")
    }

    @Test("an unreadable status block fails the stage unless auto_status=true")
    func malformedBlock() async throws {
        let answer = #"Done. {"outcome": "maybe"}"#
        let strict = LeafTestSupport.request(type: "codergen", attributes: [("prompt", "x")], adapters: AdapterSet(llm: CannedLLM(answer: answer)))
        let failed = try await LLMStageHandler().execute(strict)
        #expect(failed.status == .fail)
        #expect(failed.failureReason?.contains("unknown outcome \"maybe\"") == true)

        let lenient = LeafTestSupport.request(
            type: "codergen",
            attributes: [("prompt", "x"), ("auto_status", "true")],
            adapters: AdapterSet(llm: CannedLLM(answer: answer))
        )
        let succeeded = try await LLMStageHandler().execute(lenient)
        #expect(succeeded.status == .success)
        #expect(succeeded.notes?.hasPrefix("auto-status") == true)
    }

    @Test("a status.json written into the node's directory during the call decides the outcome")
    func statusFileContract() async throws {
        let runDirectory = try LeafTestSupport.makeScratchDirectory()
        defer { LeafTestSupport.remove(runDirectory) }
        let canned = CannedLLM(answer: #"{"outcome": "success"}"#, statusFile: #"{"outcome": "fail", "notes": "tests failed"}"#)
        let request = LeafTestSupport.request(
            id: "implement",
            type: "codergen",
            attributes: [("prompt", "Implement")],
            adapters: AdapterSet(llm: canned),
            services: RunServices(runDirectory: runDirectory)
        )
        let outcome = try await LLMStageHandler().execute(request)
        #expect(outcome.status == .fail)
        #expect(outcome.notes == "tests failed")
        #expect(canned.received.first?.options["stage_directory"] == .string(runDirectory + "/implement"))
    }

    @Test("an adapter error fails the stage with the adapter's message")
    func adapterErrorFails() async throws {
        let request = LeafTestSupport.request(id: "plan", type: "codergen", attributes: [("prompt", "x")], adapters: AdapterSet(llm: BrokenLLM()))
        let outcome = try await LLMStageHandler().execute(request)
        #expect(outcome.status == .fail)
        #expect(outcome.failureReason?.contains("HTTP 503 from the provider") == true)
    }

    @Test("cancellation while the model works propagates as CancellationError")
    func cancellation() async throws {
        let request = LeafTestSupport.request(type: "codergen", attributes: [("prompt", "x")], adapters: AdapterSet(llm: SimulatedLLM(latency: .seconds(3_600))))
        let task = Task { try await LLMStageHandler().execute(request) }
        task.cancel()
        await #expect(throws: CancellationError.self) { _ = try await task.value }
    }

    @Test("node ids are made safe as directory names")
    func stageDirectoryNames() {
        let services = RunServices(runDirectory: "/runs/1")
        #expect(services.stageDirectory(for: "plan") == "/runs/1/plan")
        #expect(services.stageDirectory(for: "a/b") == "/runs/1/a_b")
        #expect(services.stageDirectory(for: "..") == "/runs/1/__")
        #expect(RunServices().stageDirectory(for: "plan") == nil)
    }
}
