import Foundation
import Testing
import TrellisEngine
@testable import TrellisSession
import TrellisTestSupport

/// The `interrupt` policy decides when a message arrives, even before the running turn has
/// reached its run (the turn yields once on its way there).
@Suite(.timeLimit(.minutes(1))) struct InterruptArrivalTests {
    /// Answers only once the gate opens (or the request is cancelled).
    struct GatedModel: LLMAdapter {
        let gate: Gate
        func complete(_ request: LLMRequest) async throws -> LLMResponse {
            await gate.wait()
            try Task.checkCancellation()
            return LLMResponse(content: "answer to \(request.prompt)")
        }
    }

    @Test("a message admitted right behind a turn interrupts it, whenever it reaches the actor")
    func messageBehindATurnInterruptsIt() async throws {
        let gate = Gate()
        let session = try Support.session(
            policy: .interrupt, adapters: SessionAdapters(set: AdapterSet(llm: GatedModel(gate: gate), memory: InMemoryMemory())))
        // Tickets fix the arrival order, as the JSON-RPC server does for pipelined lines. The
        // second message waits for its ticket inside the actor, so it runs as soon as the first
        // turn yields: before that turn has registered its run.
        let first = session.admit()
        let second = session.admit()
        let later = Task { try await session.send("urgent", ticket: second) }
        let running = Task { try await session.send("slow", ticket: first) }
        // The first turn is interrupted while it waits on the model; the gate is still shut.
        do {
            _ = try await running.value
            Issue.record("the first turn should have been interrupted")
        } catch {
            guard case .interrupted? = error as? SessionError else { Issue.record("expected interrupted, got \(error)"); return }
        }
        #expect(!gate.isOpen)
        gate.open()
        #expect(try await later.value.reply == "answer to urgent")
        #expect(session.turnCount == 1)
    }
}
