import Testing
import TrellisEngine
@testable import TrellisSession

/// The six scenarios of the reference benchmarks, as functional tests: counts, phases,
/// message growth, heartbeats interleaved with turns, every session type.
@Suite(.timeLimit(.minutes(1))) struct ReferenceScenarioTests {
    @Test func turnOverheadScenarioAnswersEveryTurnInOrder() async throws {
        let session = try Support.session()
        for number in 1...101 {
            let reply = try await session.send("message \(number)")
            #expect(reply.reply == "Response \(number)")
            #expect(reply.turnCount == number)
            #expect(reply.nodeTimings.map(\.nodeID) == ["start", "classify", "recall", "call_llm", "format", "update_memory", "done"])
        }
        #expect(session.phase == .idle)
        let state = await session.state()
        #expect(state.turnCount == 101)
        #expect(state.messages.count == 202)
    }

    @Test func historyGrowthScenarioKeepsEveryMessageInOrder() async throws {
        let session = try Support.session()
        for number in 1...200 { _ = try await session.send("question \(number)") }
        let messages = await session.messages
        #expect(messages.count == 400)
        for number in 1...200 {
            #expect(messages[2 * (number - 1)] == .map(["role": .string("user"), "content": .string("question \(number)")]))
            #expect(messages[2 * number - 1] == .map(["role": .string("assistant"), "content": .string("Response \(number)")]))
        }
    }

    @Test(arguments: [1, 5, 10, 25, 50])
    func concurrentThroughputScenarioRunsEverySessionToTenTurns(sessions count: Int) async throws {
        let sessions = try (0..<count).map { _ in try Support.session() }
        try await withThrowingTaskGroup(of: [String].self) { group in
            for session in sessions {
                group.addTask {
                    var replies: [String] = []
                    for turn in 1...10 { replies.append(try await session.send("turn \(turn)").reply) }
                    return replies
                }
            }
            for try await replies in group {
                #expect(replies == (1...10).map { "Response \($0)" })
            }
        }
        for session in sessions {
            #expect(session.turnCount == 10)
            #expect(session.phase == .idle)
        }
    }

    @Test func concurrencyUnderLatencyScenarioOverlapsSessionsAndReportsAwaitingLLM() async throws {
        let sessions = try (0..<10).map { _ in try Support.session(latency: .milliseconds(50)) }
        let sawAwaitingLLM = try await withThrowingTaskGroup(of: Bool.self) { group in
            for session in sessions {
                group.addTask {
                    for turn in 1...5 { _ = try await session.send("turn \(turn)") }
                    return true
                }
            }
            // While turns wait on the model, several sessions are in awaiting_llm at once.
            var most = 0
            for _ in 0..<400 {
                let waiting = sessions.filter { $0.phase == .awaitingLLM }.count
                most = max(most, waiting)
                if most >= 2 { break }
                try await Task.sleep(for: .milliseconds(5))
            }
            for try await _ in group {}
            return most >= 2
        }
        #expect(sawAwaitingLLM)
        for session in sessions {
            #expect(session.turnCount == 5)
            #expect(session.phase == .idle)
        }
    }

    @Test func heartbeatInterleavingScenarioRunsOneHeartbeatAtATimeAndAllTurns() async throws {
        let session = try Support.session(latency: .milliseconds(10))
        var started = 0
        for _ in 0..<5 where session.triggerHeartbeat() { started += 1 }
        #expect(started == 1)
        #expect(session.status.snapshot.heartbeatInFlight)
        for turn in 1...20 {
            let reply = try await session.send("turn \(turn)")
            #expect(reply.turnCount == turn)
        }
        await session.waitForHeartbeat()
        #expect(session.turnCount == 20)
        #expect(session.phase == .idle)
        #expect(session.status.snapshot.heartbeatsRun == 1)
        let mode = await session.cognitiveMode
        #expect(mode == "reflection" || mode == "consolidation")
    }

    @Test(arguments: SessionType.allCases)
    func sessionTypesScenarioBehavesAlikeForEveryType(type: SessionType) async throws {
        let session = try Support.session(type: type)
        for turn in 1...50 { #expect(try await session.send("turn \(turn)").reply == "Response \(turn)") }
        let state = await session.state()
        #expect(state.sessionType == type)
        #expect(state.turnCount == 50)
        #expect(state.messages.count == 100)
        #expect(state.phase == .idle)
    }
}
