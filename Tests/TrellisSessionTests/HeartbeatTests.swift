import Testing
import TrellisEngine
@testable import TrellisSession
import TrellisTestSupport

@Suite(.timeLimit(.minutes(1))) struct HeartbeatTests {
    @Test func aSlowHeartbeatDoesNotDelayTurns() async throws {
        // The heartbeat's LLM call does not return until the gate opens, which happens only
        // after every turn has completed: turns that waited on the heartbeat would deadlock.
        let gate = Gate()
        let heartbeat = try Support.graph("""
            digraph h { start [shape=Mdiamond]; mode [type="session.mode_select"]; think [type="session.llm_call", prompt="reflect"]
                        done [shape=Msquare]; start -> mode -> think -> done }
            """)
        let session = try Support.session(
            graphs: SessionGraphs(turn: try Support.graph(DefaultSessionGraphs.turn), heartbeat: heartbeat),
            adapters: SessionAdapters(set: AdapterSet(llm: GatedHeartbeatLLM(gate: gate), memory: InMemoryMemory())))
        #expect(session.triggerHeartbeat())
        for turn in 1...10 {
            #expect(try await session.send("turn \(turn)").turnCount == turn)
            #expect(session.status.snapshot.heartbeatInFlight)
        }
        #expect(!gate.isOpen)
        gate.open()
        await session.waitForHeartbeat()
        #expect(session.status.snapshot.heartbeatsRun == 1)
    }

    @Test func aHeartbeatWhoseLLMCallTakes500msOverlapsTurns() async throws {
        let heartbeat = try Support.graph("""
            digraph h { start [shape=Mdiamond]; think [type="session.llm_call", prompt="reflect"]; done [shape=Msquare]
                        start -> think -> done }
            """)
        let events = SessionEventBus()
        let log = EventLog(events)
        let session = try Support.session(
            graphs: SessionGraphs(turn: try Support.graph(DefaultSessionGraphs.turn), heartbeat: heartbeat),
            adapters: .builtIn(heartbeatLLMLatency: .milliseconds(500)), events: events)
        #expect(session.triggerHeartbeat())
        for turn in 1...5 { _ = try await session.send("turn \(turn)") }
        await session.waitForHeartbeat()
        let order = log.kinds(["heartbeat_started", "turn_completed", "heartbeat_completed"])
        // Turns completed between the heartbeat's start and its completion.
        let start = try #require(order.firstIndex(of: "heartbeat_started"))
        let end = try #require(order.firstIndex(of: "heartbeat_completed"))
        #expect(order[start..<end].filter { $0 == "turn_completed" }.count >= 1)
    }

    @Test func heartbeatResultsUpdateGoalsByIDAndAppendNewOnes() async throws {
        let heartbeat = try Support.graph("""
            digraph h { start [shape=Mdiamond]; goals [type="test.goals"]; mode [type="session.mode_select"]; done [shape=Msquare]
                        start -> goals -> mode -> done }
            """, extra: [GoalWritingHandler.registration])
        let session = try Support.session(graphs: SessionGraphs(turn: try Support.graph(DefaultSessionGraphs.turn), heartbeat: heartbeat))
        await session.setGoals([.map(["id": .string("g1"), "title": .string("ship"), "status": .string("new")])])
        #expect(session.triggerHeartbeat())
        await session.waitForHeartbeat()
        let goals = await session.goals
        #expect(goals == [
            .map(["id": .string("g1"), "title": .string("ship"), "status": .string("active")]),
            .map(["id": .string("g-new"), "title": .string("added by heartbeat")]),
        ])
        #expect(await session.cognitiveMode == "goal_pursuit")
    }

    @Test func aFailingHeartbeatIsReportedAndTheNextRunsAsUsual() async throws {
        let heartbeat = try Support.graph("""
            digraph h { start [shape=Mdiamond]; crash [type="test.crash"]; done [shape=Msquare]; start -> crash -> done }
            """, extra: [CrashingHandler.registration])
        let events = SessionEventBus()
        let log = EventLog(events)
        let session = try Support.session(
            graphs: SessionGraphs(turn: try Support.graph(DefaultSessionGraphs.turn), heartbeat: heartbeat), events: events)
        #expect(session.triggerHeartbeat())
        await session.waitForHeartbeat()
        #expect(session.triggerHeartbeat())
        await session.waitForHeartbeat()
        #expect(log.kinds(["heartbeat_failed"]).count == 2)
        let failure = try #require(log.all.first { $0.kind == "heartbeat_failed" })
        #expect(failure.fields["error"]?.stringValue.contains("crashed") == true)
        #expect(failure.traceID == session.traceID)
        #expect(try await session.send("still fine").turnCount == 1)
    }

    @Test func theSharedSchedulerFiresEverySessionOnItsInterval() async throws {
        let scheduler = HeartbeatScheduler()
        let graphs = try Support.defaultGraphs()
        let sessions = try (0..<200).map { _ in
            try Session(configuration: SessionConfiguration(), graphs: graphs, adapters: .builtIn(),
                        heartbeat: HeartbeatSettings(enabled: true, interval: .milliseconds(20)))
        }
        for session in sessions { scheduler.schedule(session, every: session.heartbeat.interval) }
        #expect(scheduler.scheduledCount == 200)
        for session in sessions {
            try await waitUntil(timeout: .seconds(30), "every session to run two heartbeats", interval: .milliseconds(5)) {
                session.status.snapshot.heartbeatsRun >= 2
            }
        }
        // A stopped session is dropped from the schedule when it next comes due.
        await sessions[0].stop()
        try await waitUntil("the stopped session to leave the schedule") { scheduler.scheduledCount <= 199 }
        #expect(scheduler.scheduledCount == 199)
        scheduler.shutdown()
    }

    @Test func defaultsPerSessionTypeAreDocumentedValues() {
        #expect(HeartbeatSettings.defaults(for: .primary) == HeartbeatSettings(enabled: true, interval: .seconds(30)))
        #expect(HeartbeatSettings.defaults(for: .background) == HeartbeatSettings(enabled: true, interval: .seconds(10)))
        #expect(!HeartbeatSettings.defaults(for: .delegation).enabled)
        #expect(!HeartbeatSettings.defaults(for: .consultation).enabled)
    }
}
