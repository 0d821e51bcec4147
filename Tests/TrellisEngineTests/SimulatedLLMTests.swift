import Testing
@testable import TrellisEngine

@Suite("SimulatedLLM", .timeLimit(.minutes(1)))
struct SimulatedLLMTests {
    @Test("the same prompt gets the same answer from any instance; another prompt another answer")
    func deterministicAnswers() async throws {
        let first = try await SimulatedLLM().complete(LLMRequest(prompt: "Plan the work"))
        let again = try await SimulatedLLM().complete(LLMRequest(prompt: "Plan the work"))
        let other = try await SimulatedLLM().complete(LLMRequest(prompt: "Review the work"))
        #expect(first == again)
        #expect(first.content != other.content)
        #expect(first.content == SimulatedLLM.answer(for: "Plan the work"))
        #expect(first.content.hasPrefix("[Simulated] Response "))
    }

    @Test("the fingerprint is 64-bit FNV-1a, stable across processes")
    func fingerprintIsFNV1a() {
        #expect(SimulatedLLM.fingerprint("") == 0xcbf2_9ce4_8422_2325)
        #expect(SimulatedLLM.fingerprint("a") == 0xaf63_dc4c_8601_ec8c)
        #expect(SimulatedLLM.fingerprint("foobar") == 0x8594_4171_f739_67e8)
    }

    @Test("the model name changes the answer")
    func modelChangesAnswer() async throws {
        let plain = try await SimulatedLLM().complete(LLMRequest(prompt: "x"))
        let named = try await SimulatedLLM().complete(LLMRequest(prompt: "x", model: "gpt-5.2"))
        #expect(plain.content != named.content)
        #expect(named.content.hasPrefix("[Simulated gpt-5.2]"))
    }

    @Test("chat requests are answered Response N, counted per instance and shared by copies")
    func chatCountsCalls() async throws {
        let model = SimulatedLLM()
        let copy = model
        let chat = LLMRequest(prompt: "", messages: [.map(["role": .string("user"), "content": .string("hi")])])
        #expect(try await model.complete(chat).content == "Response 1")
        #expect(try await copy.complete(chat).content == "Response 2")
        #expect(try await SimulatedLLM().complete(chat).content == "Response 1")
        #expect(model.callCount == 2)
    }

    @Test("SIMULATE_OUTCOME appends a status block chosen by the attempt option")
    func outcomeMarkerFollowsAttempt() async throws {
        let prompt = "Check the build. SIMULATE_OUTCOME: fail, retry, success\nMore text."
        func status(attempt: Int) async throws -> StatusBlock.SearchResult {
            let answer = try await SimulatedLLM().complete(LLMRequest(prompt: prompt, options: ["attempt": .integer(attempt)]))
            return StatusBlock.find(in: answer.content)
        }
        #expect(try await status(attempt: 0) == .found(StatusBlock(status: .fail)))
        #expect(try await status(attempt: 1) == .found(StatusBlock(status: .retry)))
        #expect(try await status(attempt: 2) == .found(StatusBlock(status: .success)))
        #expect(try await status(attempt: 7) == .found(StatusBlock(status: .success)))
    }

    @Test("SIMULATE_STATUS passes a whole status block through")
    func statusMarkerPassesBlock() async throws {
        let prompt = #"Decide. SIMULATE_STATUS: {"outcome": "success", "preferred_next_label": "Fix {it}", "context_updates": {"n": 2}} trailing"#
        let answer = try await SimulatedLLM().complete(LLMRequest(prompt: prompt))
        let expected = StatusBlock(status: .success, preferredLabel: "Fix {it}", contextUpdates: ["n": .integer(2)])
        #expect(StatusBlock.find(in: answer.content) == .found(expected))
    }

    @Test("a prompt without markers gets no status block")
    func noMarkerNoBlock() async throws {
        let answer = try await SimulatedLLM().complete(LLMRequest(prompt: #"Return {"outcome": "fail"} as JSON"#))
        #expect(StatusBlock.find(in: answer.content) == .none)
    }

    @Test("latency is a cancellable sleep")
    func latencyIsCancellable() async throws {
        let model = SimulatedLLM(latency: .seconds(3_600))
        let task = Task { try await model.complete(LLMRequest(prompt: "slow")) }
        task.cancel()
        await #expect(throws: CancellationError.self) { _ = try await task.value }
    }
}
