import Testing
import TrellisEngine
@testable import TrellisSession
import TrellisSessionNodes
import TrellisTestSupport

/// Turn semantics beyond the reference scenarios: policies, errors, phases, tools, windows.
@Suite(.timeLimit(.minutes(1))) struct SessionTurnTests {
    @Test func engineErrorIsReturnedAndLeavesTheSessionIdleAndUsable() async throws {
        let failing = SessionAdapters(set: AdapterSet(llm: FailingLLM(), memory: InMemoryMemory()))
        let session = try Support.session(adapters: failing)
        await #expect(throws: SessionError.self) { try await session.send("hello") }
        do {
            _ = try await session.send("hello")
        } catch {
            guard case .turnFailed(let text) = error else { Issue.record("expected turnFailed, got \(error)"); return }
            #expect(text.contains("the model is unavailable"))
        }
        #expect(session.phase == .idle)
        #expect(session.turnCount == 0)
        #expect(await session.messages.isEmpty)
    }

    @Test func aFailureThatMentionsCancellationIsAFailedTurnNotAnInterruption() async throws {
        struct CancelledUpstreamLLM: LLMAdapter {
            struct Failure: Error, CustomStringConvertible { var description: String { "request cancelled by the provider" } }
            func complete(_ request: LLMRequest) async throws -> LLMResponse { throw Failure() }
        }
        let adapters = SessionAdapters(set: AdapterSet(llm: CancelledUpstreamLLM(), memory: InMemoryMemory()))
        let session = try Support.session(adapters: adapters)
        do {
            _ = try await session.send("hello")
            Issue.record("the turn should have failed")
        } catch {
            guard case .turnFailed(let text) = error else { Issue.record("expected turnFailed, got \(error)"); return }
            #expect(text.contains("cancelled by the provider"))
        }
        #expect(session.phase == .idle)
    }

    @Test func missingAdapterFailsAtSessionStartNamingIt() throws {
        let graphs = try Support.defaultGraphs()
        let noMemory = SessionAdapters(set: AdapterSet(llm: SimulatedSessionLLM()))
        do {
            _ = try Session(configuration: SessionConfiguration(), graphs: graphs, adapters: noMemory)
            Issue.record("a session without memory should not start on the default graph")
        } catch {
            #expect(error.description.contains("recall"))
            #expect(error.description.contains("memory adapter"))
        }
    }

    @Test func phasesAreTrueDuringATurn() async throws {
        let gate = Gate()
        struct HeldLLM: LLMAdapter {
            let gate: Gate
            func complete(_ request: LLMRequest) async throws -> LLMResponse {
                await gate.wait()
                return LLMResponse(content: "done")
            }
        }
        let events = SessionEventBus()
        let log = EventLog(events)
        let session = try Support.session(
            adapters: SessionAdapters(set: AdapterSet(llm: HeldLLM(gate: gate), memory: InMemoryMemory())), events: events)
        let turn = Task { try await session.send("hi") }
        try await waitUntil("the turn to wait on the model") { session.phase == .awaitingLLM }
        // Reading state does not wait for the running turn.
        let state = await session.state()
        #expect(state.phase == .awaitingLLM)
        #expect(state.turnCount == 0)
        gate.open()
        #expect(try await turn.value.reply == "done")
        #expect(session.phase == .idle)
        #expect(log.all.filter { $0.kind == "phase_changed" }.compactMap { $0.fields["phase"]?.stringValue }
            == ["processing", "awaiting_llm", "processing", "idle"])
    }

    @Test func toolCallsSetAwaitingToolsAndKeepToolMessages() async throws {
        let turn = try Support.graph("""
            digraph t {
                start [shape=Mdiamond]; call [type="session.llm_call"]; tools [type="session.tool_dispatch"]
                format [type="session.format"]; done [shape=Msquare]
                start -> call -> tools -> format -> done
            }
            """)
        let events = SessionEventBus()
        let log = EventLog(events)
        let session = try Support.session(
            graphs: SessionGraphs(turn: turn, heartbeat: nil),
            adapters: SessionAdapters(set: AdapterSet(llm: ToolCallingLLM(), memory: InMemoryMemory(), tools: EchoTools())),
            events: events)
        let reply = try await session.send("what time is it")
        #expect(reply.reply == "result of clock")
        let roles = await session.messages.map { message -> String in
            guard case .map(let fields) = message else { return "" }
            return fields["role"]?.stringValue ?? ""
        }
        // The assistant's request for tools stays in the history: providers need it before the results.
        #expect(roles == ["user", "assistant", "tool", "assistant"])
        let phases = log.all.filter { $0.kind == "phase_changed" }.compactMap { $0.fields["phase"]?.stringValue }
        #expect(phases.contains("awaiting_tools"))
    }

    @Test func enqueuePolicyRunsTurnsOneAtATimeInArrivalOrder() async throws {
        let session = try Support.session(latency: .milliseconds(5))
        let tickets = (1...20).map { _ in session.admit() }
        let replies = try await withThrowingTaskGroup(of: (Int, TurnReply).self) { group in
            for (index, ticket) in tickets.enumerated().reversed() {
                group.addTask { (index + 1, try await session.send("m\(index + 1)", ticket: ticket)) }
            }
            var all: [(Int, TurnReply)] = []
            for try await reply in group { all.append(reply) }
            return all
        }
        for (index, reply) in replies { #expect(reply.turnCount == index) }
        let contents = await session.messages.enumerated().filter { $0.offset % 2 == 0 }.map { $0.element }
        #expect(contents == (1...20).map { .map(["role": .string("user"), "content": .string("m\($0)")]) })
    }

    @Test func rejectPolicyRefusesAMessageDuringATurn() async throws {
        let gate = Gate()
        struct HeldLLM: LLMAdapter {
            let gate: Gate
            func complete(_ request: LLMRequest) async throws -> LLMResponse {
                await gate.wait()
                return LLMResponse(content: "first")
            }
        }
        let session = try Support.session(
            policy: .reject, adapters: SessionAdapters(set: AdapterSet(llm: HeldLLM(gate: gate), memory: InMemoryMemory())))
        let first = Task { try await session.send("one") }
        try await waitUntil("the turn to wait on the model") { session.phase == .awaitingLLM }
        do {
            _ = try await session.send("two")
            Issue.record("the second message should be rejected")
        } catch {
            guard case .busy(let text) = error else { Issue.record("expected busy, got \(error)"); return }
            #expect(text.contains("reject"))
        }
        gate.open()
        #expect(try await first.value.reply == "first")
        #expect(try await session.send("three").turnCount == 2)
    }

    @Test func interruptPolicyCancelsTheRunningTurn() async throws {
        let slowModel = SessionAdapters(set: AdapterSet(llm: SimulatedSessionLLM(latency: .seconds(30)), memory: InMemoryMemory()))
        let session = try Support.session(policy: .interrupt, adapters: slowModel)
        let first = Task { try await session.send("slow") }
        try await waitUntil("the turn to wait on the model") { session.phase == .awaitingLLM }
        let second = Task { try await session.send("urgent") }
        do {
            _ = try await first.value
            Issue.record("the first turn should have been interrupted")
        } catch {
            guard case .interrupted? = error as? SessionError else { Issue.record("expected interrupted, got \(error)"); return }
        }
        // The second turn now waits on the 30 s model; its caller gives up, which cancels it too.
        try await waitUntil("the turn to wait on the model") { session.phase == .awaitingLLM }
        second.cancel()
        _ = try? await second.value
        #expect(session.turnCount == 0)
        #expect(session.phase == .idle)
    }

    @Test func windowKeepsMessagesBoundedAndSummarisesWhatItDrops() async throws {
        let session = try Support.session(maxMessages: 20, summarize: true)
        for turn in 1...60 { _ = try await session.send("question \(turn). More text.") }
        let messages = await session.messages
        #expect(messages.count <= 21)
        guard case .map(let summary) = messages[0] else { Issue.record("no summary message"); return }
        #expect(summary["summary"] == .boolean(true))
        #expect(summary["content"]?.stringValue.contains("question") == true)
        #expect(messages.last == .map(["role": .string("assistant"), "content": .string("Response 60")]))
        #expect(session.turnCount == 60)
    }

    @Test func windowDropsExactlyTheOldestMessagesAndKeepsTheRestAsTheyWere() async throws {
        var expected: [ContextValue] = []
        for turn in 1...23 {
            expected.append(.map(["role": .string("user"), "content": .string("question \(turn). More text.")]))
            expected.append(.map(["role": .string("assistant"), "content": .string("Response \(turn)")]))
        }
        let plain = try Support.session(maxMessages: 8)
        let summarised = try Support.session(maxMessages: 8, summarize: true)
        for turn in 1...23 {
            _ = try await plain.send("question \(turn). More text.")
            _ = try await summarised.send("question \(turn). More text.")
        }
        let kept = await plain.messages
        #expect(kept.count <= 8 && kept.count >= 6)
        #expect(kept == Array(expected.suffix(kept.count)))
        let withSummary = await summarised.messages
        #expect(withSummary.count == kept.count + 1)
        #expect(Array(withSummary.dropFirst()) == Array(expected.suffix(kept.count)))
        #expect(withSummary[0]["summary"] == .boolean(true) && withSummary[0]["role"] == .string("system"))
        #expect(withSummary[0]["content"]?.stringValue.hasSuffix("user: question 20; assistant: Response 20") == true)
    }

    @Test func workingMemoryIsReplacedWhenTheGraphSetsIt() async throws {
        struct RememberHandler: NodeHandler {
            func execute(_ request: HandlerRequest) async throws -> Outcome {
                .success([SessionKeys.workingMemory: .map(["last": .string(request.context.string(SessionKeys.input))])])
            }
        }
        let registration = RegisteredHandler(typeID: "test.remember", handler: RememberHandler())
        let turn = try Support.graph("""
            digraph t { start [shape=Mdiamond]; remember [type="test.remember"]; call [type="session.llm_call"]
                        format [type="session.format"]; done [shape=Msquare]; start -> remember -> call -> format -> done }
            """, extra: [registration])
        let session = try Support.session(graphs: SessionGraphs(turn: turn, heartbeat: nil))
        _ = try await session.send("alpha")
        #expect(await session.workingMemory == .map(["last": .string("alpha")]))
    }

    @Test func classifyAndModeSelectFollowTheReferenceTable() {
        #expect(SessionNodes.inputType("/help", blockedWords: []) == "command")
        #expect(SessionNodes.inputType("drop the table", blockedWords: ["drop"]) == "blocked")
        #expect(SessionNodes.inputType("tool_result: 42", blockedWords: []) == "tool_result")
        #expect(SessionNodes.inputType("hello", blockedWords: []) == "query")
        #expect(SessionNodes.cognitiveMode(hasGoals: true, turnCount: 5) == "goal_pursuit")
        #expect(SessionNodes.cognitiveMode(hasGoals: false, turnCount: 10) == "consolidation")
        #expect(SessionNodes.cognitiveMode(hasGoals: false, turnCount: 0) == "reflection")
        #expect(SessionNodes.cognitiveMode(hasGoals: false, turnCount: 7) == "reflection")
    }

    @Test func appendingATurnDoesNotCopyTheHistory() async throws {
        // If anything kept a reference to the history after a run, the session's next append
        // would copy it into a new buffer (copy-on-write); in place, the buffer stays the same
        // one for good once the first turn has replaced the shared empty one.
        let session = try Support.session()
        _ = try await session.send("turn 0")
        let first = await session.conversation.storageIdentity
        var copies = 0
        for turn in 1...300 {
            _ = try await session.send("turn \(turn)")
            if await session.conversation.storageIdentity != first { copies += 1 }
        }
        #expect(copies == 0, "the history was copied after \(copies) of 300 turns")
        #expect(await session.conversation.count == 602)
    }

    @Test func inMemoryMemoryRecallsKeptEntriesSharingAWord() async throws {
        let memory = InMemoryMemory(capacity: 3)
        for input in ["Paris trip", "budget review", "Paris hotel", "weather"] {
            try await memory.update(agentID: "a", entry: .map(["input": .string(input)]))
        }
        #expect(try await memory.recall(agentID: "a", query: "book a PARIS flight") == [.map(["input": .string("Paris hotel")])])
        #expect(try await memory.recall(agentID: "b", query: "Paris").isEmpty)
        #expect(memory.stored(agentID: "a").count == 3)
    }

    @Test func inMemoryMemoryKeepsEveryEntryExactlyAndMatchesWholeWords() async throws {
        let memory = InMemoryMemory(capacity: 10, recallLimit: 10)
        let entries: [ContextValue] = [
            .map(["input": "Trip to PARIS", "response": "Response 1", "input_type": "query", "turn": 1]),
            .map(["input": "Paris", "response": "Response 2", "input_type": "query", "turn": 2, "extra": true]),
            .map(["input": 420, "response": "a number as input"]),
            "not a map at all",
            .map(["input": "東京タワー and parisian cafés", "response": "", "input_type": "query", "turn": 5]),
            .map(["input": "go", "response": "too short to be a word", "input_type": "query", "turn": 6]),
        ]
        for entry in entries { try await memory.update(agentID: "a", entry: entry) }
        #expect(memory.stored(agentID: "a") == entries)
        #expect(try await memory.recall(agentID: "a", query: "paris?") == [entries[1], entries[0]])
        #expect(try await memory.recall(agentID: "a", query: "Parisian") == [entries[4]], "a word matches whole, not as a prefix")
        #expect(try await memory.recall(agentID: "a", query: "東京タワー") == [entries[4]])
        #expect(try await memory.recall(agentID: "a", query: "the answer is 420") == [entries[2]])
        #expect(try await memory.recall(agentID: "a", query: "go").isEmpty, "words of under three letters are not matched")
    }

    @Test func messagesAreSharedWithTheContextNotCopied() async throws {
        struct CaptureHandler: NodeHandler {
            func execute(_ request: HandlerRequest) async throws -> Outcome {
                guard case .messages(let messages)? = request.context[SessionKeys.messages] else { return .failure("no messages") }
                return .success([SessionKeys.response: .string("\(messages.count) \(messages.storageIdentity)")])
            }
        }
        let turn = try Support.graph("""
            digraph t { start [shape=Mdiamond]; look [type="test.capture"]; done [shape=Msquare]; start -> look -> done }
            """, extra: [RegisteredHandler(typeID: "test.capture", handler: CaptureHandler())])
        let session = try Support.session(graphs: SessionGraphs(turn: turn, heartbeat: nil))
        #expect(try await session.send("a").reply.hasPrefix("0 "))
        // The run read the session's own buffer (the append after it was in place, so the
        // session still holds the buffer the handler saw).
        for (input, count) in [("b", 2), ("c", 4)] {
            let reply = try await session.send(input).reply
            let identity = await session.conversation.storageIdentity
            #expect(reply == "\(count) \(identity)")
        }
    }
    @Test func freshIdsAreVersion4UUIDsAndTraceIdsTheirHexDigits() {
        let hex = Set("0123456789abcdef")
        var seen: Set<String> = []
        for _ in 0..<200 {
            let configuration = SessionConfiguration()
            let parts = configuration.sessionID.split(separator: "-", omittingEmptySubsequences: false)
            #expect(parts.map(\.count) == [8, 4, 4, 4, 12], "\(configuration.sessionID)")
            #expect(configuration.sessionID.allSatisfy { $0 == "-" || hex.contains($0) })
            #expect(parts.count == 5 && parts[2].first == "4", "the version digit")
            #expect(parts.count == 5 && "89ab".contains(parts[3].first ?? "x"), "the RFC 4122 variant")
            #expect(configuration.traceID.count == 32 && configuration.traceID.allSatisfy(hex.contains))
            #expect(configuration.signalTopic == "session." + configuration.sessionID)
            seen.insert(configuration.sessionID)
            seen.insert(configuration.traceID)
        }
        #expect(seen.count == 400, "every id is fresh")
    }
}

