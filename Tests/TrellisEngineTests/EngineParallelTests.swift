import Foundation
import Testing
import TrellisDOT
import TrellisEngine

/// Parallel fan-out and fan-in.
@Suite(.timeLimit(.minutes(1))) struct EngineParallelTests {
    /// Two branches that each wait for the other: they only finish when they really run at the same time.
    @Test func branchesRunConcurrentlyAndResultsAreKeptPerBranch() async throws {
        let rendezvous = EngineRendezvous(expected: 2)
        let meet = RegisteredHandler(typeID: "test.meet", handler: EngineMeetingHandler(rendezvous: rendezvous))
        let graph = try EnginePipelines.compile("""
            digraph Fan {
                start [shape=Mdiamond]
                fan [shape=component]
                left [type="test.meet", test_set="side=left;score=1"]
                right [type="test.meet", test_set="side=right;score=5"]
                right_more [type="test.step", test_set="extra=only-right"]
                join [shape=tripleoctagon]
                after [type="test.step", test_read="side"]
                exit [shape=Msquare]
                start -> fan
                fan -> left
                fan -> right
                left -> join
                right -> right_more -> join
                join -> after -> exit
            }
            """, extra: [meet])
        let sink = EngineEventRecorder()
        let result = await Engine().run(graph, services: RunServices(events: sink))
        #expect(result.status == .success, "\(result.failureReason ?? "")")
        #expect(result.completedNodes == ["start", "fan", "join", "after", "exit"])
        // Nothing a branch produced is lost: each branch's keys live under its namespace.
        #expect(result.context["parallel.fan.left.side"] == .string("left"))
        #expect(result.context["parallel.fan.right.side"] == .string("right"))
        #expect(result.context["parallel.fan.right.extra"] == .string("only-right"))
        #expect(result.context["parallel.fan.left.outcome"] == .string("success"))
        // The fan-in picks the higher score and merges that branch's changes.
        #expect(result.context["parallel.fan_in.best_id"] == .string("right"))
        #expect(result.context["seen.after"] == .string("right"))
        #expect(result.context["extra"] == .string("only-right"))
        #expect(sink.kinds.filter { $0 == "branch_started" }.count == 2)
        #expect(sink.kinds.filter { $0 == "branch_completed" }.count == 2)
    }

    @Test func waitAllReportsPartialSuccessAndFanInPicksTheSuccessfulBranch() async throws {
        let graph = try EnginePipelines.compile("""
            digraph Mixed {
                start [shape=Mdiamond]
                fan [shape=component, max_parallel=1]
                good [type="test.step", test_set="made=good"]
                bad [type="test.step", test_sequence="fail"]
                join [shape=tripleoctagon]
                exit [shape=Msquare]
                start -> fan
                fan -> good
                fan -> bad
                good -> join
                bad -> join
                join -> exit
            }
            """)
        let result = await Engine().run(graph)
        #expect(result.status == .success)
        #expect(result.nodeTimings.first { $0.nodeID == "fan" }?.status == .partialSuccess)
        #expect(result.context["parallel.fan.bad.outcome"] == .string("fail"))
        #expect(result.context["parallel.fan.bad.failure_reason"] == .string("scripted fail"))
        #expect(result.context["parallel.fan_in.best_id"] == .string("good"))
        #expect(result.context["made"] == .string("good"))
    }

    @Test func fanInFailsWhenEveryBranchFailed() async throws {
        let graph = try EnginePipelines.compile("""
            digraph AllFail {
                start [shape=Mdiamond]
                fan [shape=component]
                one [type="test.step", test_sequence="fail"]
                two [type="test.step", test_sequence="fail"]
                join [shape=tripleoctagon]
                exit [shape=Msquare]
                start -> fan
                fan -> one
                fan -> two
                one -> join
                two -> join
                join -> exit
            }
            """)
        let result = await Engine().run(graph)
        #expect(result.status == .fail)
        // The run continues at the fan-in, which fails (its outcome=fail edge would route it).
        #expect(result.completedNodes.last == "join")
        #expect(result.failureReason?.contains("no branch succeeded") == true)
    }

    @Test func firstSuccessCancelsTheOtherBranches() async throws {
        let probe = EngineCancellationProbe()
        let slow = RegisteredHandler(typeID: "test.slow", handler: EngineSlowHandler(probe: probe))
        let graph = try EnginePipelines.compile("""
            digraph First {
                start [shape=Mdiamond]
                fan [shape=component, join_policy="first_success"]
                quick [type="test.step", test_set="winner=quick"]
                sluggish [type="test.slow"]
                join [shape=tripleoctagon]
                exit [shape=Msquare]
                start -> fan
                fan -> quick
                fan -> sluggish
                quick -> join
                sluggish -> join
                join -> exit
            }
            """, extra: [slow])
        let result = await Engine().run(graph)
        #expect(result.status == .success)
        #expect(result.context["winner"] == .string("quick"))
        #expect(await probe.sawCancellation)
        #expect(result.context["parallel.fan.sluggish.outcome"] == .string("fail"))
    }

    @Test func parallelWhoseBranchesNeverMeetDoesNotCompile() throws {
        #expect(throws: GraphCompileError.self) {
            try EnginePipelines.compile("""
                digraph NoJoin {
                    start [shape=Mdiamond]
                    fan [shape=component]
                    a [type="test.step"]
                    b [type="test.step"]
                    exit [shape=Msquare]
                    start -> fan -> a -> exit
                    fan -> b
                }
                """)
        }
    }
}

/// Lets `expected` parties wait for each other, giving up after five seconds so a sequential
/// engine makes the test fail instead of hanging.
actor EngineRendezvous {
    private let expected: Int
    private var arrived = 0

    init(expected: Int) { self.expected = expected }

    func arriveAndWait() async -> Bool {
        arrived += 1
        for _ in 0..<500 {
            if arrived >= expected { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return arrived >= expected
    }
}

/// Succeeds only when every party of the rendezvous arrived; sets the node's `test_set` values.
struct EngineMeetingHandler: NodeHandler {
    let rendezvous: EngineRendezvous

    func execute(_ request: HandlerRequest) async throws -> Outcome {
        guard await rendezvous.arriveAndWait() else {
            return Outcome.failure("the other branch never arrived: branches did not run concurrently")
        }
        var updates: [String: ContextValue] = [:]
        for pair in (request.node.attributes["test_set"]?.text ?? "").split(separator: ";") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { updates[parts[0]] = parts[0] == "score" ? .integer(Int(parts[1]) ?? 0) : .string(parts[1]) }
        }
        return Outcome(status: .success, contextUpdates: updates)
    }
}
