import Testing
import TrellisEngine
import TrellisSession

/// The built-in adapters answer at once when they have nothing to wait for, and those answers
/// are the ones `complete`, `recall` and `update` give (a plugin node's adapter call asks for
/// them first, outside any task).
@Suite(.timeLimit(.minutes(1)))
struct ImmediateAdapterTests {
    @Test func theSimulatedModelAnswersAtOnceWithoutLatencyAndCountsAlike() async throws {
        let model = SimulatedSessionLLM()
        let request = LLMRequest(prompt: "hi")
        #expect(try model.completeImmediately(request)?.content == "Response 1")
        #expect(try await model.complete(request).content == "Response 2")
        #expect(try model.completeImmediately(request)?.content == "Response 3")
        #expect(model.answered == 3)

        let slow = SimulatedSessionLLM(latency: .milliseconds(5))
        #expect(try slow.completeImmediately(request) == nil, "a latency to simulate needs waiting")
        #expect(slow.answered == 0, "declining to answer at once gives no answer away")
        let quickHeartbeats = SimulatedSessionLLM(latency: .milliseconds(5), latencyByRunKind: ["heartbeat": .zero])
        #expect(try quickHeartbeats.completeImmediately(LLMRequest(prompt: "hi", options: ["run_kind": .string("heartbeat")]))?.content == "Response 1")
    }

    @Test func theInMemoryMemoryRecallsAndKeepsAtOnceWithoutLatency() async throws {
        let memory = InMemoryMemory(recallLimit: 2)
        let entry: (Int) -> ContextValue = { .map(["input": .string("weather in town \($0)"), "response": .string("sunny"), "input_type": .string("query"), "turn": .integer($0)]) }
        #expect(try memory.updateImmediately(agentID: "a", entry: entry(1)))
        try await memory.update(agentID: "a", entry: entry(2))
        #expect(try memory.updateImmediately(agentID: "a", entry: entry(3)))
        let atOnce = try #require(try memory.recallImmediately(agentID: "a", query: "weather"))
        #expect(atOnce == [entry(3), entry(2)])
        #expect(try await memory.recall(agentID: "a", query: "weather") == atOnce)
        #expect(try memory.recallImmediately(agentID: "b", query: "weather") == [])

        let slow = InMemoryMemory(recallLatency: .milliseconds(5))
        #expect(try slow.recallImmediately(agentID: "a", query: "weather") == nil)
    }
}
