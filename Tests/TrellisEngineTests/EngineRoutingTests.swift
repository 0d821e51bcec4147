import Foundation
import Testing
import TrellisDOT
import TrellisEngine

/// The specification's parity matrix, routing part: linear runs, conditions, labels, weights, context flow.
@Suite(.timeLimit(.minutes(1))) struct EngineRoutingTests {
    @Test func linearRunVisitsEveryNodeInOrder() async throws {
        let graph = try EnginePipelines.compile("""
            digraph Linear {
                start [shape=Mdiamond]
                a [type="test.step"]
                b [type="test.step"]
                exit [shape=Msquare]
                start -> a -> b -> exit
            }
            """)
        let result = await Engine().run(graph)
        #expect(result.status == .success)
        #expect(result.failureReason == nil)
        #expect(result.completedNodes == ["start", "a", "b", "exit"])
        #expect(result.nodeTimings.map(\.nodeID) == ["start", "a", "b", "exit"])
        #expect(result.context.integer("count.a") == 1)
        #expect(result.context["outcome"] == .string("success"))
        #expect(result.context["last_stage"] == .string("exit"))
        #expect(result.context["current_node"] == .string("exit"))
    }

    @Test func conditionalBranchesFollowTheConditionThatHolds() async throws {
        let dot = """
            digraph Branch {
                start [shape=Mdiamond]
                decide [type="test.step", test_set="route=right"]
                check [shape=diamond]
                left [type="test.step"]
                right [type="test.step"]
                exit [shape=Msquare]
                start -> decide -> check
                check -> left [condition="context.route=left"]
                check -> right [condition="context.route=right"]
                left -> exit
                right -> exit
            }
            """
        let result = await Engine().run(try EnginePipelines.compile(dot))
        #expect(result.status == .success)
        #expect(result.completedNodes == ["start", "decide", "check", "right", "exit"])
    }

    @Test func outcomeConditionsRouteFailures() async throws {
        let graph = try EnginePipelines.compile("""
            digraph FailEdge {
                start [shape=Mdiamond]
                work [type="test.step", test_sequence="fail"]
                fix [type="test.step", test_read="failure_reason"]
                done [type="test.step"]
                exit [shape=Msquare]
                start -> work
                work -> done [condition="outcome=success"]
                work -> fix [condition="outcome=fail"]
                fix -> exit
                done -> exit
            }
            """)
        let result = await Engine().run(graph)
        #expect(result.status == .success)
        #expect(result.completedNodes == ["start", "work", "fix", "exit"])
        // The node after the failure reads its reason; the successful run keeps no stale failure.
        #expect(result.context["seen.fix"] == .string("scripted fail"))
        #expect(result.context["failure_reason"] == nil)
    }

    @Test func conditionBeatsWeight() async throws {
        let graph = try EnginePipelines.compile("""
            digraph ConditionWins {
                start [shape=Mdiamond]
                a [type="test.step"]
                heavy [type="test.step"]
                chosen [type="test.step"]
                exit [shape=Msquare]
                start -> a
                a -> heavy [weight=100]
                a -> chosen [condition="outcome=success", weight=0]
                heavy -> exit
                chosen -> exit
            }
            """)
        #expect(await Engine().run(graph).completedNodes == ["start", "a", "chosen", "exit"])
    }

    @Test func weightThenLexicalOrderBreakTies() async throws {
        let weighted = try EnginePipelines.compile("""
            digraph Weighted {
                start [shape=Mdiamond]
                a [type="test.step"]
                light [type="test.step"]
                heavy [type="test.step"]
                exit [shape=Msquare]
                start -> a
                a -> light [weight=1]
                a -> heavy [weight=5]
                light -> exit
                heavy -> exit
            }
            """)
        #expect(await Engine().run(weighted).completedNodes == ["start", "a", "heavy", "exit"])

        let lexical = try EnginePipelines.compile("""
            digraph Lexical {
                start [shape=Mdiamond]
                a [type="test.step"]
                b2 [type="test.step"]
                b1 [type="test.step"]
                exit [shape=Msquare]
                start -> a
                a -> b2
                a -> b1
                b1 -> exit
                b2 -> exit
            }
            """)
        #expect(await Engine().run(lexical).completedNodes == ["start", "a", "b1", "exit"])

        let conditionalTie = try EnginePipelines.compile("""
            digraph ConditionalTie {
                start [shape=Mdiamond]
                a [type="test.step"]
                zed [type="test.step"]
                alpha [type="test.step"]
                exit [shape=Msquare]
                start -> a
                a -> zed [condition="outcome=success"]
                a -> alpha [condition="outcome=success"]
                zed -> exit
                alpha -> exit
            }
            """)
        #expect(await Engine().run(conditionalTie).completedNodes == ["start", "a", "alpha", "exit"])
    }

    @Test func preferredLabelMatchesNormalisedLabelsAmongUnconditionalEdges() async throws {
        let graph = try EnginePipelines.compile("""
            digraph Labels {
                start [shape=Mdiamond]
                ask [type="test.step", test_label="  fix IT "]
                approve [type="test.step"]
                fix [type="test.step"]
                exit [shape=Msquare]
                start -> ask
                ask -> approve [label="[A] Approve", weight=10]
                ask -> fix [label="F) Fix it"]
                approve -> exit
                fix -> exit
            }
            """)
        #expect(await Engine().run(graph).completedNodes == ["start", "ask", "fix", "exit"])
        #expect(EdgeLabel.normalized("[Y] Yes, deploy") == "yes, deploy")
        #expect(EdgeLabel.normalized("Y) Yes") == "yes")
        #expect(EdgeLabel.normalized("Y - Yes") == "yes")
        #expect(EdgeLabel.normalized("Yes") == "yes")
    }

    @Test func suggestedIDsRouteWhenNoLabelMatches() async throws {
        let graph = try EnginePipelines.compile("""
            digraph Suggested {
                start [shape=Mdiamond]
                a [type="test.step", test_suggest="nowhere,second"]
                first [type="test.step"]
                second [type="test.step"]
                exit [shape=Msquare]
                start -> a
                a -> first [weight=3]
                a -> second
                first -> exit
                second -> exit
            }
            """)
        #expect(await Engine().run(graph).completedNodes == ["start", "a", "second", "exit"])
    }

    @Test func contextPassesDownstreamAndConditionsReadIt() async throws {
        let graph = try EnginePipelines.compile("""
            digraph Flow {
                goal="ship it"
                start [shape=Mdiamond]
                produce [type="test.step", test_set="artifact=report.md;count=3"]
                consume [type="test.step", test_read="artifact"]
                big [type="test.step"]
                small [type="test.step"]
                exit [shape=Msquare]
                start -> produce -> consume
                consume -> big [condition="context.count >= 3 && (context.artifact contains report || !outcome=success)"]
                consume -> small [condition="context.count < 3"]
                big -> exit
                small -> exit
            }
            """)
        let result = await Engine().run(graph, context: Context(["seeded": .string("yes")]))
        #expect(result.status == .success)
        #expect(result.completedNodes == ["start", "produce", "consume", "big", "exit"])
        #expect(result.context["seen.consume"] == .string("report.md"))
        #expect(result.context["graph.goal"] == .string("ship it"))
        #expect(result.context["seeded"] == .string("yes"))
        #expect(result.context["internal.loop_restart_count"] == .integer(0))
    }

    @Test func missingContextKeysReadAsEmpty() async throws {
        let graph = try EnginePipelines.compile("""
            digraph Missing {
                start [shape=Mdiamond]
                a [type="test.step"]
                empty [type="test.step"]
                other [type="test.step"]
                exit [shape=Msquare]
                start -> a
                a -> other [condition="context.never_set=x"]
                a -> empty [condition="!context.never_set"]
                empty -> exit
                other -> exit
            }
            """)
        #expect(await Engine().run(graph).completedNodes == ["start", "a", "empty", "exit"])
    }

    @Test func noEligibleEdgeFailsTheRunInsteadOfTakingARuledOutRoute() async throws {
        let graph = try EnginePipelines.compile("""
            digraph Stuck {
                start [shape=Mdiamond]
                judge [type="test.step", test_sequence="partial_success"]
                ship [type="test.step"]
                exit [shape=Msquare]
                start -> judge
                judge -> ship [condition="outcome=success"]
                judge -> exit [condition="outcome=fail"]
                ship -> exit
            }
            """)
        let result = await Engine().run(graph)
        #expect(result.status == .fail)
        #expect(result.completedNodes == ["start", "judge"])
        #expect(result.failureReason?.contains("no outgoing edge of 'judge'") == true)
    }

    @Test func failureWithoutRouteFailsTheRunWithTheNodesReason() async throws {
        let graph = try EnginePipelines.compile("""
            digraph NoRoute {
                start [shape=Mdiamond]
                work [type="test.step", test_sequence="fail"]
                exit [shape=Msquare]
                start -> work -> exit
            }
            """)
        let result = await Engine().run(graph)
        #expect(result.status == .fail)
        #expect(result.failureReason == "scripted fail")
        #expect(result.completedNodes == ["start", "work"])
    }

    @Test func failureFallsBackToRetryTargets() async throws {
        let graph = try EnginePipelines.compile("""
            digraph RetryTargets {
                start [shape=Mdiamond]
                work [type="test.step", test_sequence="fail,success", retry_target="recover"]
                recover [type="test.step"]
                exit [shape=Msquare]
                start -> work -> exit
                work -> recover [condition="context.never_set=1"]
                recover -> work
            }
            """)
        let result = await Engine().run(graph)
        #expect(result.status == .success)
        #expect(result.completedNodes == ["start", "work", "recover", "work", "exit"])

        let graphLevel = try EnginePipelines.compile("""
            digraph GraphLevel {
                fallback_retry_target="recover"
                start [shape=Mdiamond]
                work [type="test.step", test_sequence="fail,success"]
                recover [type="test.step"]
                exit [shape=Msquare]
                start -> work -> exit
                work -> recover [condition="context.never_set=1"]
                recover -> work
            }
            """)
        #expect(await Engine().run(graphLevel).completedNodes == ["start", "work", "recover", "work", "exit"])
    }

    @Test func maxStepsStopsEndlessLoops() async throws {
        let graph = try EnginePipelines.compile("""
            digraph Loop {
                start [shape=Mdiamond]
                a [type="test.step"]
                b [type="test.step"]
                exit [shape=Msquare]
                start -> a -> b
                b -> a [condition="outcome=success"]
                b -> exit [condition="outcome=fail"]
            }
            """)
        let result = await Engine().run(graph, options: RunOptions(maxSteps: 9))
        #expect(result.status == .fail)
        #expect(result.completedNodes.count == 9)
        #expect(result.failureReason?.contains("step limit (9") == true)
    }
}
