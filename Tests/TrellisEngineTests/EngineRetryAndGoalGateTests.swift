import Foundation
import Testing
import TrellisDOT
import TrellisEngine

/// The parity matrix, reliability part: retries, allow_partial, goal gates, timeouts.
@Suite(.timeLimit(.minutes(1))) struct EngineRetryAndGoalGateTests {
    @Test func retryStatusRunsTheNodeAgainUntilItSucceeds() async throws {
        let graph = try EnginePipelines.compile("""
            digraph Retries {
                start [shape=Mdiamond]
                flaky [type="test.step", test_sequence="retry,retry,success", max_retries=2, retry_delay="1ms"]
                exit [shape=Msquare]
                start -> flaky -> exit
            }
            """)
        let sink = EngineEventRecorder()
        let result = await Engine().run(graph, services: RunServices(events: sink))
        #expect(result.status == .success)
        #expect(result.completedNodes == ["start", "flaky", "exit"])
        #expect(result.context.integer("internal.retry_count.flaky") == 2)
        #expect(sink.kinds.filter { $0 == "node_retrying" }.count == 2)
    }

    @Test func exhaustedRetriesFailUnlessPartialIsAllowed() async throws {
        let failing = try EnginePipelines.compile("""
            digraph Exhausted {
                start [shape=Mdiamond]
                flaky [type="test.step", test_sequence="retry", max_retries=1, retry_delay="1ms"]
                exit [shape=Msquare]
                start -> flaky -> exit
            }
            """)
        let failed = await Engine().run(failing)
        #expect(failed.status == .fail)
        #expect(failed.failureReason?.contains("2 attempt(s) are used up") == true)

        let partial = try EnginePipelines.compile("""
            digraph Partial {
                start [shape=Mdiamond]
                flaky [type="test.step", test_sequence="retry", max_retries=1, retry_delay="1ms", allow_partial=true]
                exit [shape=Msquare]
                start -> flaky -> exit
            }
            """)
        let accepted = await Engine().run(partial)
        #expect(accepted.status == .success)
        #expect(accepted.nodeTimings.first { $0.nodeID == "flaky" }?.status == .partialSuccess)
    }

    @Test func graphDefaultRetriesAcceptBothSpellingsAndThrownErrorsAreRetried() async throws {
        for key in ["default_max_retries", "default_max_retry"] {
            let graph = try EnginePipelines.compile("""
                digraph Defaults {
                    \(key)=2
                    start [shape=Mdiamond]
                    shaky [type="test.step", test_throws=2, retry_delay="1ms"]
                    exit [shape=Msquare]
                    start -> shaky -> exit
                }
                """)
            let result = await Engine().run(graph)
            #expect(result.status == .success, "with \(key)")
            #expect(result.context.integer("internal.retry_count.shaky") == 2, "with \(key)")
        }
        let noRetries = try EnginePipelines.compile("""
            digraph NoDefaults {
                start [shape=Mdiamond]
                shaky [type="test.step", test_throws=1]
                exit [shape=Msquare]
                start -> shaky -> exit
            }
            """)
        let result = await Engine().run(noRetries)
        #expect(result.status == .fail)
        #expect(result.failureReason == "node 'shaky' failed: scripted error")
    }

    @Test func explicitRetryEdgeRoutesInsteadOfRepeatingInPlace() async throws {
        let graph = try EnginePipelines.compile("""
            digraph RetryEdge {
                start [shape=Mdiamond]
                plan [type="test.step"]
                verdict [type="test.step", test_sequence="retry,success", max_retries=3]
                exit [shape=Msquare]
                start -> plan -> verdict
                verdict -> plan [condition="outcome=retry"]
                verdict -> exit [condition="outcome=success"]
            }
            """)
        let result = await Engine().run(graph)
        #expect(result.status == .success)
        #expect(result.completedNodes == ["start", "plan", "verdict", "plan", "verdict", "exit"])
    }

    @Test func goalGateBlocksExitAndRedirectsUntilSatisfied() async throws {
        let graph = try EnginePipelines.compile("""
            digraph GateBlocks {
                start [shape=Mdiamond]
                implement [type="test.step"]
                validate [type="test.step", goal_gate=true, retry_target="implement", test_sequence="skipped,success"]
                exit [shape=Msquare]
                start -> implement -> validate -> exit
            }
            """)
        let sink = EngineEventRecorder()
        let result = await Engine().run(graph, services: RunServices(events: sink))
        #expect(result.status == .success)
        #expect(result.completedNodes == ["start", "implement", "validate", "implement", "validate", "exit"])
        #expect(sink.kinds.contains("goal_gate_redirected"))
    }

    @Test func goalGateAllowsExitWhenSatisfied() async throws {
        let graph = try EnginePipelines.compile("""
            digraph GateAllows {
                start [shape=Mdiamond]
                validate [type="test.step", goal_gate=true, retry_target="validate"]
                exit [shape=Msquare]
                start -> validate -> exit
            }
            """)
        let result = await Engine().run(graph)
        #expect(result.status == .success)
        #expect(result.completedNodes == ["start", "validate", "exit"])
    }

    @Test func unvisitedGoalGateFailsClosed() async throws {
        let graph = try EnginePipelines.compile("""
            digraph Unvisited {
                start [shape=Mdiamond]
                choose [type="test.step", test_set="path=short"]
                gate [type="test.step", goal_gate=true]
                exit [shape=Msquare]
                start -> choose
                choose -> exit [condition="context.path=short"]
                choose -> gate [condition="context.path=long"]
                gate -> exit
            }
            """)
        let result = await Engine().run(graph)
        #expect(result.status == .fail)
        #expect(result.failureReason?.contains("goal gate 'gate' never ran") == true)
        #expect(!result.completedNodes.contains("exit"))
    }

    @Test func goalGateRedirectsAreBounded() async throws {
        let graph = try EnginePipelines.compile("""
            digraph Bounded {
                max_goal_gate_redirects=3
                start [shape=Mdiamond]
                gate [type="test.step", goal_gate=true, retry_target="gate", test_sequence="skipped"]
                exit [shape=Msquare]
                start -> gate -> exit
            }
            """)
        let result = await Engine().run(graph)
        #expect(result.status == .fail)
        #expect(result.completedNodes.filter { $0 == "gate" }.count == 4)
        #expect(result.failureReason?.contains("already sent back 3 time(s)") == true)
    }

    @Test func timeoutCancelsTheHandlerAndFailsTheNode() async throws {
        let probe = EngineCancellationProbe()
        let slow = RegisteredHandler(typeID: "test.slow", handler: EngineSlowHandler(probe: probe))
        let graph = try EnginePipelines.compile("""
            digraph Timeout {
                start [shape=Mdiamond]
                slow [type="test.slow", timeout="50ms"]
                exit [shape=Msquare]
                start -> slow -> exit
            }
            """, extra: [slow])
        let result = await Engine().run(graph)
        #expect(result.status == .fail)
        #expect(result.failureReason == "node 'slow' (type 'test.slow') timed out after 50ms")
        #expect(await probe.sawCancellation)
        #expect(await probe.finished == false)
    }
}

/// Records whether a handler saw its task cancelled.
actor EngineCancellationProbe {
    private(set) var sawCancellation = false
    private(set) var finished = false
    func cancelled() { sawCancellation = true }
    func completed() { finished = true }
}

/// Sleeps for a minute unless cancelled.
struct EngineSlowHandler: NodeHandler {
    let probe: EngineCancellationProbe

    func execute(_ request: HandlerRequest) async throws -> Outcome {
        do {
            try await Task.sleep(for: .seconds(60))
        } catch {
            await probe.cancelled()
            throw error
        }
        await probe.completed()
        return Outcome(status: .success)
    }
}
