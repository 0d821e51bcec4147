import Foundation
import Testing
import TrellisDOT
import TrellisEngine
import TrellisTestSupport

/// Probes of the current Attractor specification's behaviours (docs/semantics.md).
@Suite(.timeLimit(.minutes(1))) struct EngineSpecTests {
    @Test func branchesWithoutAFanInJoinWhereTheyMeet() async throws {
        let graph = try EnginePipelines.compile("""
            digraph Meet {
                start [shape=Mdiamond]
                fan [shape=component]
                a [type="test.step", test_set="from_a=1"]
                b [type="test.step"]
                b2 [type="test.step", test_set="from_b=2"]
                merge [type="test.step", test_read="parallel.fan.a.from_a"]
                exit [shape=Msquare]
                start -> fan
                fan -> a -> merge
                fan -> b -> b2 -> merge
                merge -> exit
            }
            """)
        let result = await Engine().run(graph)
        #expect(result.status == .success, "\(result.failureReason ?? "")")
        #expect(result.completedNodes == ["start", "fan", "merge", "exit"])
        #expect(result.context["seen.merge"] == .string("1"))
        #expect(result.context["parallel.fan.b.from_b"] == .string("2"))
    }

    @Test func branchesThatMeetOnlyAtTheExitJoinThere() async throws {
        let graph = try EnginePipelines.compile("""
            digraph AtExit {
                start [shape=Mdiamond]
                fan [shape=component]
                a [type="test.step"]
                b [type="test.step"]
                exit [shape=Msquare]
                start -> fan
                fan -> a -> exit
                fan -> b -> exit
            }
            """)
        let result = await Engine().run(graph)
        #expect(result.status == .success, "\(result.failureReason ?? "")")
        #expect(result.completedNodes == ["start", "fan", "exit"])
    }

    @Test func branchesThatNeverMeetAreACompileError() throws {
        do {
            _ = try EnginePipelines.compile("""
                digraph Apart {
                    start [shape=Mdiamond]
                    fan [shape=component]
                    a [type="test.step"]
                    b [type="test.step"]
                    exit [shape=Msquare]
                    start -> fan
                    fan -> a -> exit
                    fan -> b
                }
                """)
            Issue.record("compiled")
        } catch let error as GraphCompileError {
            let join = try #require(error.diagnostics.first { $0.rule == "parallel_join" })
            #expect(join.severity == .error)
            #expect(join.message.contains("never meet"))
            #expect(join.location?.line == 3)
        }
    }

    @Test func everyBranchFailingRoutesThroughTheFanInsFailEdge() async throws {
        let graph = try EnginePipelines.compile("""
            digraph AllFail {
                start [shape=Mdiamond]
                fan [shape=component]
                one [type="test.step", test_sequence="fail"]
                two [type="test.step", test_sequence="fail"]
                join [shape=tripleoctagon]
                recover [type="test.step"]
                exit [shape=Msquare]
                start -> fan
                fan -> one -> join
                fan -> two -> join
                join -> exit [condition="outcome=success"]
                join -> recover [condition="outcome=fail"]
                recover -> exit
            }
            """)
        let result = await Engine().run(graph)
        #expect(result.status == .success, "\(result.failureReason ?? "")")
        #expect(result.completedNodes == ["start", "fan", "join", "recover", "exit"])
        // The run recovered: no stale failure reason is left in its context.
        #expect(result.context["failure_reason"] == nil)
    }

    @Test func branchesCancelledByFirstSuccessEmitNodeCancelled() async throws {
        let probe = EngineCancellationProbe()
        let slow = RegisteredHandler(typeID: "test.slow", handler: EngineSlowHandler(probe: probe))
        let graph = try EnginePipelines.compile("""
            digraph First {
                start [shape=Mdiamond]
                fan [shape=component, join_policy=first_success]
                quick [type="test.step"]
                sluggish [type="test.slow"]
                join [shape=tripleoctagon]
                exit [shape=Msquare]
                start -> fan
                fan -> quick -> join
                fan -> sluggish -> join
                join -> exit
            }
            """, extra: [slow])
        let sink = EngineEventRecorder()
        let result = await Engine().run(graph, services: RunServices(events: sink))
        #expect(result.status == .success)
        let cancelled = sink.recorded.filter { $0.kind.rawValue == "node_cancelled" }
        #expect(cancelled.map(\.nodeID) == ["sluggish"])
        #expect(cancelled.first?.fields["branch"] == .string("sluggish"))
        let started = sink.recorded.filter { $0.kind.rawValue == "node_started" && $0.nodeID == "sluggish" }
        #expect(started.count == 1)
    }

    @Test func removedJoinPoliciesAreCompileErrors() throws {
        for policy in ["k_of_n", "quorum", "most"] {
            do {
                _ = try EnginePipelines.compile("""
                    digraph Policy {
                        start [shape=Mdiamond]
                        fan [shape=component, join_policy=\(policy)]
                        a [type="test.step"]
                        join [shape=tripleoctagon]
                        exit [shape=Msquare]
                        start -> fan -> a -> join -> exit
                    }
                    """)
                Issue.record("\(policy) compiled")
            } catch let error as GraphCompileError {
                #expect(error.diagnostics.contains { $0.rule == "join_policy" && $0.severity == .error && $0.location?.line == 3 })
            }
        }
    }

    @Test func goalGatesAcceptPartialSuccess() async throws {
        let graph = try EnginePipelines.compile("""
            digraph Partial {
                start [shape=Mdiamond]
                gate [type="test.step", goal_gate=true, test_sequence="partial_success"]
                exit [shape=Msquare]
                start -> gate -> exit
            }
            """)
        let result = await Engine().run(graph)
        #expect(result.status == .success, "\(result.failureReason ?? "")")
        #expect(result.completedNodes == ["start", "gate", "exit"])
    }

    @Test func specRoutingFollowsTheLastResortEdgeAndChecksOnlyGatesThatRan() async throws {
        let graph = try EnginePipelines.compile("""
            digraph Routing {
                start [shape=Mdiamond]
                choose [type="test.step"]
                gate [type="test.step", goal_gate=true]
                exit [shape=Msquare]
                start -> choose
                choose -> exit [condition="context.path=short", weight=2]
                choose -> gate [condition="context.path=long"]
                gate -> exit
            }
            """)
        let strict = await Engine().run(graph)
        #expect(strict.status == .fail)
        #expect(strict.failureReason?.contains("no outgoing edge of 'choose' is eligible") == true)
        let spec = await Engine().run(graph, options: RunOptions(specRouting: true))
        #expect(spec.status == .success, "\(spec.failureReason ?? "")")
        // The last resort is the heaviest edge, even though its condition is false; the gate never ran.
        #expect(spec.completedNodes == ["start", "choose", "exit"])
    }

    @Test func specRoutingEndsADeadEndInSuccessWhereTrellisFailsClosed() async throws {
        let graph = try EnginePipelines.compile("""
            digraph DeadEnd {
                start [shape=Mdiamond]
                gate [type="test.step", goal_gate=true, test_sequence="fail"]
                partial [type="test.step", test_sequence="partial_success"]
                exit [shape=Msquare]
                start -> partial
                start -> gate [condition="outcome=fail"]
                gate -> exit
            }
            """)
        let strict = await Engine().run(graph)
        #expect(strict.status == .fail)
        #expect(strict.failureReason?.contains("goal gate 'gate' was satisfied") == true)
        let spec = await Engine().run(graph, options: RunOptions(specRouting: true))
        #expect(spec.status == .success, "\(spec.failureReason ?? "")")
        #expect(spec.completedNodes == ["start", "partial"])
    }

    @Test func unknownTypeRunsOnItsShapesHandlerWithAWarning() async throws {
        let graph = try EnginePipelines.compile("""
            digraph Unknown {
                start [shape=Mdiamond]
                step [type="no.such.type", shape=parallelogram, tool_command="true"]
                exit [shape=Msquare]
                start -> step -> exit
            }
            """)
        let warning = try #require(graph.warnings.first { $0.rule == "type_known" })
        #expect(warning.severity == .warning)
        #expect(warning.message.contains("runs as 'tool'"))
        #expect(graph.node("step")?.spec.type == "tool")
        let result = await Engine().run(graph, services: RunServices(simulate: true))
        #expect(result.status == .success, "\(result.failureReason ?? "")")
        #expect(result.context["tool_simulated_command"] == .string("true"))
    }

    @Test func aDanglingRetryTargetIsAWarningAndTheNextTargetIsUsed() async throws {
        let graph = try EnginePipelines.compile("""
            digraph Dangling {
                retry_target="again"
                start [shape=Mdiamond]
                work [type="test.step", test_sequence="fail,success", retry_target="nowhere"]
                again [type="test.step"]
                exit [shape=Msquare]
                start -> work -> exit
                work -> again [condition="outcome=retry"]
                again -> work
            }
            """)
        #expect(graph.warnings.contains { $0.rule == "retry_target_exists" && $0.severity == .warning })
        let result = await Engine().run(graph)
        #expect(result.status == .success, "\(result.failureReason ?? "")")
        #expect(result.completedNodes == ["start", "work", "again", "work", "exit"])
    }

    @Test func aSecondExitNodeIsAnError() throws {
        #expect(throws: GraphCompileError.self) {
            try EnginePipelines.compile("""
                digraph TwoExits {
                    start [shape=Mdiamond]
                    done [shape=Msquare]
                    exit [shape=Msquare]
                    start -> done
                    start -> exit
                }
                """)
        }
    }

    @Test func aFanInWithAPromptLetsTheModelChoose() async throws {
        let directory = try EnginePipelines.temporaryDirectory()
        let block = #"{"outcome": "success", "context_updates": {"best_id": "zeta"}}"#
        let graph = try EnginePipelines.compile("""
            digraph Ranked {
                start [shape=Mdiamond]
                fan [shape=component]
                alpha [type="test.step", test_set="made=alpha"]
                zeta [type="test.step", test_set="made=zeta"]
                join [shape=tripleoctagon, prompt="Pick the better draft. SIMULATE_STATUS: \(block.replacingOccurrences(of: "\"", with: "\\\""))"]
                exit [shape=Msquare]
                start -> fan
                fan -> alpha -> join
                fan -> zeta -> join
                join -> exit
            }
            """)
        let result = await Engine().run(graph, services: RunServices(runDirectory: directory, simulate: true))
        #expect(result.status == .success, "\(result.failureReason ?? "")")
        // Both succeeded with equal scores, so the heuristic would take 'alpha'; the model chose 'zeta'.
        #expect(result.context["parallel.fan_in.best_id"] == .string("zeta"))
        #expect(result.context["made"] == .string("zeta"))
        let prompt = try String(contentsOfFile: directory + "/join/prompt.md", encoding: .utf8)
        #expect(prompt.contains("id: alpha") && prompt.contains("id: zeta"))

        // An answer that names no candidate fails the fan-in; it never falls back to a guess.
        let silent = try EnginePipelines.compile("""
            digraph Silent {
                start [shape=Mdiamond]
                fan [shape=component]
                alpha [type="test.step"]
                zeta [type="test.step"]
                join [shape=tripleoctagon, prompt="Pick one."]
                exit [shape=Msquare]
                start -> fan
                fan -> alpha -> join
                fan -> zeta -> join
                join -> exit
            }
            """)
        let failed = await Engine().run(silent, services: RunServices(simulate: true))
        #expect(failed.status == .fail)
        #expect(failed.failureReason?.contains("names no candidate") == true)
    }

    @Test func toolHooksRunAroundTheCommandAndAPreHookCanVetoIt() async throws {
        let directory = try EnginePipelines.temporaryDirectory()
        let graph = try EnginePipelines.compile("""
            digraph Hooks {
                tool_hooks.post="cat > post.json"
                start [shape=Mdiamond]
                allowed [shape=parallelogram, tool_command="echo ran > allowed.txt; echo hi", tool_hooks.pre="test \\"$TRELLIS_HOOK_PHASE\\" = pre"]
                vetoed [shape=parallelogram, tool_command="echo ran > vetoed.txt", tool_hooks.pre="exit 3"]
                exit [shape=Msquare]
                start -> allowed -> vetoed -> exit
            }
            """)
        let services = RunServices(runDirectory: directory + "/run", workingDirectory: directory)
        let result = await Engine().run(graph, services: services)
        #expect(result.status == .fail)
        #expect(result.failureReason?.contains("tool_hooks.pre hook exited with status 3") == true)
        #expect(FileManager.default.fileExists(atPath: directory + "/allowed.txt"))
        #expect(!FileManager.default.fileExists(atPath: directory + "/vetoed.txt"))
        let post = try String(contentsOfFile: directory + "/post.json", encoding: .utf8)
        let payload = try #require(try JSONSerialization.jsonObject(with: Data(post.utf8)) as? [String: Any])
        #expect(payload["phase"] as? String == "post")
        #expect(payload["node_id"] as? String == "allowed")
        #expect(payload["exit_code"] as? Int == 0)
        #expect(payload["stdout"] as? String == "hi\n")
        let log = try String(contentsOfFile: directory + "/run/vetoed/hooks.log", encoding: .utf8)
        #expect(log.contains("pre hook: exited with status 3"))
    }

    @Test func managerLoopObservesWaitsAndStopsWhenTheChildEnds() async throws {
        let directory = try EnginePipelines.temporaryDirectory()
        try """
            digraph Child {
                start [shape=Mdiamond]
                slow [type="test.pause"]
                inner [type="test.step", test_set="child_made=widget"]
                exit [shape=Msquare]
                start -> slow -> inner -> exit
            }
            """.write(toFile: directory + "/child.dot", atomically: true, encoding: .utf8)
        let pause = RegisteredHandler(typeID: "test.pause", handler: EnginePauseHandler(duration: .milliseconds(300)))
        let graph = try EnginePipelines.compile("""
            digraph Parent {
                start [shape=Mdiamond]
                manage [shape=house, stack.child_dotfile="child.dot", manager.poll_interval=20ms]
                exit [shape=Msquare]
                start -> manage -> exit
            }
            """, extra: [pause], sourcePath: directory + "/parent.dot")
        let sink = EngineEventRecorder()
        let result = await Engine().run(graph, services: RunServices(runDirectory: directory + "/run", events: sink))
        #expect(result.status == .success, "\(result.failureReason ?? "")")
        #expect(result.context["stack.child.status"] == .string("completed"))
        // It observed the child while it ran: more than one cycle.
        #expect((result.context.integer("stack.child.cycles") ?? 0) > 1)
        guard case .map(let changes)? = result.context["stack.child.context"] else { throw EngineTestFailure("no child context") }
        #expect(changes["child_made"] == .string("widget"))
        #expect(FileManager.default.fileExists(atPath: directory + "/run/manage/child/inner/status.json"))

        // Without 'wait' the cycles run out while the child still works (a minute's pause, cancelled
        // when the manager gives up): the node fails and the child is stopped.
        try """
            digraph Long {
                start [shape=Mdiamond]
                long [type="test.longpause"]
                exit [shape=Msquare]
                start -> long -> exit
            }
            """.write(toFile: directory + "/long.dot", atomically: true, encoding: .utf8)
        let longPause = RegisteredHandler(typeID: "test.longpause", handler: EnginePauseHandler(duration: .seconds(60)))
        let impatient = try EnginePipelines.compile("""
            digraph Impatient {
                start [shape=Mdiamond]
                manage [shape=house, stack.child_dotfile="long.dot", manager.actions="observe", manager.max_cycles=3]
                exit [shape=Msquare]
                start -> manage -> exit
            }
            """, extra: [pause, longPause], sourcePath: directory + "/parent.dot")
        let gaveUp = await Engine().run(impatient)
        #expect(gaveUp.status == .fail)
        #expect(gaveUp.failureReason?.contains("manager.max_cycles (3)") == true)
        #expect(gaveUp.context["stack.child.status"] == .string("running"))

        // A stop condition on the telemetry ends the loop successfully.
        let stopping = try EnginePipelines.compile("""
            digraph Stopping {
                start [shape=Mdiamond]
                manage [shape=house, stack.child_dotfile="child.dot", manager.poll_interval=20ms,
                        manager.stop_condition="context.stack.child.active_node=slow"]
                exit [shape=Msquare]
                start -> manage -> exit
            }
            """, extra: [pause], sourcePath: directory + "/parent.dot")
        let stopped = await Engine().run(stopping)
        #expect(stopped.status == .success, "\(stopped.failureReason ?? "")")
        #expect(stopped.context["stack.child.status"] == .string("running"))
    }

    @Test func managerSteeringReachesTheChildsNextLLMCall() async throws {
        let directory = try EnginePipelines.temporaryDirectory()
        try """
            digraph Child {
                start [shape=Mdiamond]
                draft [prompt="Write the draft. SIMULATE_OUTCOME: retry, success", max_retries=1, retry_delay="400ms"]
                exit [shape=Msquare]
                start -> draft -> exit
            }
            """.write(toFile: directory + "/child.dot", atomically: true, encoding: .utf8)
        let graph = try EnginePipelines.compile("""
            digraph Parent {
                start [shape=Mdiamond]
                manage [shape=house, stack.child_dotfile="child.dot", manager.poll_interval=20ms,
                        manager.actions="observe,steer,wait", prompt="Keep it under 100 words."]
                exit [shape=Msquare]
                start -> manage -> exit
            }
            """, sourcePath: directory + "/parent.dot")
        let sink = EngineEventRecorder()
        let result = await Engine().run(graph, services: RunServices(runDirectory: directory + "/run", events: sink, simulate: true))
        #expect(result.status == .success, "\(result.failureReason ?? "")")
        #expect(sink.kinds.contains("manager_steered"))
        // The stage took the instruction into its next call (attempt 0 or the retry, whichever
        // started after the manager saw the stage): steer.md was consumed, and one prompt carried it.
        let stage = directory + "/run/manage/child/draft"
        #expect(!FileManager.default.fileExists(atPath: stage + "/steer.md"))
        let used = try String(contentsOfFile: stage + "/steer.md.used", encoding: .utf8)
        #expect(used == "Keep it under 100 words.")
    }
}

/// Sleeps for `duration` (cancellable), then succeeds.
struct EnginePauseHandler: NodeHandler {
    let duration: Duration

    func execute(_ request: HandlerRequest) async throws -> Outcome {
        try await Task.sleep(for: duration)
        return Outcome(status: .success)
    }
}
