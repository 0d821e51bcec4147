import Foundation
import Testing
import TrellisDOT
import TrellisEngine

/// Transforms, compilation, custom handlers, sub-pipelines and a larger pipeline.
@Suite(.timeLimit(.minutes(1))) struct EngineCompileTests {
    @Test func goalIsExpandedAtCompileTimeAndContextAtRunTime() async throws {
        let graph = try EnginePipelines.compile("""
            digraph Goal {
                goal="port the parser"
                start [shape=Mdiamond]
                setup [type="test.step", test_set="module=Lexer"]
                plan [type="test.step", prompt="Plan: $goal, starting with ${context.module} (${missing})"]
                exit [shape=Msquare]
                start -> setup -> plan -> exit
            }
            """)
        #expect(graph.node("plan")?.spec.attribute("prompt") == "Plan: port the parser, starting with ${context.module} (${missing})")
        let result = await Engine().run(graph)
        #expect(result.context["prompt.plan"] == .string("Plan: port the parser, starting with Lexer ()"))
    }

    @Test func stylesheetAppliesBySpecificityAndNodeAttributesWin() throws {
        let graph = try EnginePipelines.compile("""
            digraph Styled {
                model_stylesheet="* { llm_model: base; reasoning_effort: low; } box { llm_model: boxed; } .code { llm_model: coder; llm_provider: acme; } #review { llm_model: reviewer; } .code { reasoning_effort: medium; }"
                start [shape=Mdiamond]
                plain [type="test.step", shape=ellipse]
                boxed [type="test.step", shape=box]
                coded [type="test.step", shape=box, class="code,other"]
                review [type="test.step", shape=box, class="code"]
                pinned [type="test.step", shape=box, class="code", llm_model="mine"]
                exit [shape=Msquare]
                start -> plain -> boxed -> coded -> review -> pinned -> exit
            }
            """)
        func model(_ id: String) -> String? { graph.node(id)?.spec.attribute("llm_model") }
        #expect(model("plain") == "base")
        #expect(model("boxed") == "boxed")
        #expect(model("coded") == "coder")
        #expect(model("review") == "reviewer")
        #expect(model("pinned") == "mine")
        #expect(graph.node("coded")?.spec.attribute("reasoning_effort") == "medium")
        #expect(graph.node("plain")?.spec.attribute("reasoning_effort") == "low")
        #expect(graph.node("review")?.spec.attribute("llm_provider") == "acme")
    }

    @Test func stylesheetNeverSetsAPropertyOutsideTheSpecification() throws {
        // Through the file: validation refuses it, so nothing compiles (and nothing runs).
        do {
            _ = try EnginePipelines.compile("""
                digraph Pwned {
                    model_stylesheet="#t1 { tool_command: \\"touch PWNED\\"; }"
                    start [shape=Mdiamond]
                    t1 [type="test.step"]
                    exit [shape=Msquare]
                    start -> t1 -> exit
                }
                """)
            Issue.record("a stylesheet setting tool_command compiled")
        } catch let error as GraphCompileError {
            #expect(error.diagnostics.contains { $0.severity == .error && $0.rule == "stylesheet_syntax" })
        }
        // A stylesheet built in code is not parsed: applying it must still skip the property.
        let parsed = DOTParser.parse("digraph G { t1 [shape=box] }", file: "g.dot")
        let graph = try #require(parsed.graph)
        let sheet = ModelStylesheet(rules: [
            StylesheetRule(selector: .id("t1"), declarations: [
                StylesheetDeclaration(key: "tool_command", value: "touch PWNED"),
                StylesheetDeclaration(key: "llm_model", value: "m"),
            ])
        ])
        let styled = StylesheetApplication.apply(sheet, to: graph)
        #expect(styled.node("t1")?.attributes.raw("tool_command") == nil)
        #expect(styled.node("t1")?.attributes.raw("llm_model") == "m")
    }

    @Test func unknownTypesRunOnTheShapesHandlerAndBadConditionsDoNotCompile() throws {
        let unknown = try EnginePipelines.compile("""
            digraph Unknown { start [shape=Mdiamond]; a [type="acme.nothing"]; exit [shape=Msquare]; start -> a -> exit }
            """)
        #expect(unknown.warnings.contains { $0.severity == .warning && $0.node == "a" && $0.message.contains("acme.nothing") })
        #expect(unknown.node("a")?.spec.type == "codergen")
        do {
            _ = try EnginePipelines.compile("""
                digraph BadCondition { start [shape=Mdiamond]; a [type="test.step"]; exit [shape=Msquare]; start -> a; a -> exit [condition="outcome=(("] }
                """)
            Issue.record("a bad condition compiled")
        } catch let error as GraphCompileError {
            #expect(error.diagnostics.contains { $0.severity == .error && $0.rule == "condition_syntax" })
        }
    }

    @Test func customHandlerRunsThroughTheRegistry() async throws {
        struct Doubler: NodeHandler {
            func execute(_ request: HandlerRequest) async throws -> Outcome {
                let value: Int = { if case .integer(let number)? = request.context["value"] { number } else { 1 } }()
                return .success(["value": .integer(value * 2)])
            }
        }
        let registration = RegisteredHandler(typeID: "acme.double", handler: Doubler())
        let graph = try EnginePipelines.compile("""
            digraph Custom {
                start [shape=Mdiamond]
                d1 [type="acme.double"]
                d2 [type="acme.double"]
                d3 [type="acme.double"]
                exit [shape=Msquare]
                start -> d1 -> d2 -> d3 -> exit
            }
            """, extra: [registration])
        let result = await Engine().run(graph, context: Context(["value": .integer(3)]))
        #expect(result.context.integer("value") == 24)
        #expect(graph.registryGeneration == 0)
    }

    @Test func twelveNodePipelineWithLoopConditionAndParallel() async throws {
        let graph = try EnginePipelines.compile("""
            digraph Big {
                goal="release"
                start [shape=Mdiamond]
                fetch [type="test.step", test_set="fetched=yes"]
                build [type="test.step"]
                test [type="test.step", test_sequence="fail,success"]
                fix [type="test.step"]
                fan [shape=component]
                lint [type="test.step", test_set="lint=clean"]
                docs [type="test.step", test_set="docs=built"]
                join [shape=tripleoctagon]
                route [shape=diamond]
                package [type="test.step", goal_gate=true, retry_target="build"]
                publish [type="test.step", test_read="docs"]
                exit [shape=Msquare]
                start -> fetch -> build -> test
                test -> fan [condition="outcome=success"]
                test -> fix [condition="outcome=fail"]
                fix -> build
                fan -> lint
                fan -> docs
                lint -> join
                docs -> join
                join -> route
                route -> package [condition="context.parallel.fan.lint.lint=clean"]
                route -> fix [condition="context.parallel.fan.lint.lint!=clean"]
                package -> publish -> exit
            }
            """)
        #expect(graph.nodes.count == 13)
        let result = await Engine().run(graph)
        #expect(result.status == .success, "\(result.failureReason ?? "")")
        #expect(result.completedNodes == [
            "start", "fetch", "build", "test", "fix", "build", "test", "fan", "join", "route", "package", "publish", "exit",
        ])
        #expect(result.context.integer("count.build") == 2)
        #expect(result.context["seen.publish"] == .string("built"))
    }

    @Test func managerLoopRunsAChildPipelineAndObservesIt() async throws {
        let directory = try EnginePipelines.temporaryDirectory()
        try """
            digraph Child {
                start [shape=Mdiamond]
                inner [type="test.step", test_set="child_made=widget"]
                exit [shape=Msquare]
                start -> inner -> exit
            }
            """.write(toFile: directory + "/child.dot", atomically: true, encoding: .utf8)
        try """
            digraph Broken {
                start [shape=Mdiamond]
                inner [type="test.step", test_sequence="fail"]
                exit [shape=Msquare]
                start -> inner -> exit
            }
            """.write(toFile: directory + "/broken.dot", atomically: true, encoding: .utf8)
        func parent(_ child: String) -> String {
            """
            digraph Parent {
                start [shape=Mdiamond]
                manage [shape=house, stack.child_dotfile="\(child)", manager.poll_interval=10ms]
                exit [shape=Msquare]
                start -> manage -> exit
            }
            """
        }
        let good = try EnginePipelines.compile(parent("child.dot"), sourcePath: directory + "/parent.dot")
        let result = await Engine().run(good, services: RunServices(runDirectory: directory + "/run"))
        #expect(result.status == .success, "\(result.failureReason ?? "")")
        #expect(result.context["stack.child.status"] == .string("completed"))
        #expect(result.context["stack.child.completed_nodes"] == .list(["start", "inner", "exit"].map { .string($0) }))
        guard case .map(let changes)? = result.context["stack.child.context"] else { throw EngineTestFailure("no child context") }
        #expect(changes["child_made"] == .string("widget"))
        #expect(FileManager.default.fileExists(atPath: directory + "/run/manage/child/inner/status.json"))

        let bad = try EnginePipelines.compile(parent("broken.dot"), sourcePath: directory + "/parent.dot")
        let failed = await Engine().run(bad)
        #expect(failed.status == .fail)
        #expect(failed.failureReason?.contains("child pipeline 'Broken' failed") == true)
        #expect(failed.context["stack.child.status"] == .string("failed"))

        // A child file that is missing is a compile error (validate reports it first).
        do {
            _ = try EnginePipelines.compile(parent("absent.dot"), sourcePath: directory + "/parent.dot")
            Issue.record("a manager loop with a missing child compiled")
        } catch let error as GraphCompileError {
            let finding = try #require(error.diagnostics.first { $0.rule == "manager_child" })
            #expect(finding.message.contains("absent.dot"))
        }
    }
}
