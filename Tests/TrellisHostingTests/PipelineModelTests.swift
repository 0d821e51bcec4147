import Foundation
import Testing
import TrellisEngine
@testable import TrellisHosting
import TrellisProviders
import TrellisTestSupport

/// Which model a pipeline's LLM stages talk to, and the refusal when none can serve them.
@Suite(.timeLimit(.minutes(1))) struct PipelineModelTests {
    static func graph(_ stages: String) throws -> CompiledGraph {
        let text = """
            digraph p {
                start [shape=Mdiamond]; done [shape=Msquare]
                \(stages)
                start -> plan -> review -> done
            }
            """
        let path = try TemporaryDirectory.make("pipeline-model") + "/p.dot"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return try PipelineLoader.load(path: path, registry: .builtin)
    }

    @Test("no provider anywhere: refused before running, every LLM stage named, with how to configure one")
    func refusedWithoutProvider() async throws {
        let graph = try Self.graph(#"plan [shape=box, prompt="Plan"]; review [shape=box, prompt="Review"]"#)
        do {
            _ = try await PipelineModel.prepare(graph: graph, adapters: AdapterSet(), simulate: false, model: .init(), environment: [:])
            Issue.record("the run should have been refused")
        } catch {
            #expect(error.description.contains("2 LLM stage(s) have no model to talk to, so nothing was run"))
            #expect(error.description.contains("  plan: ") && error.description.contains("  review: "))
            #expect(error.description.contains("OPENAI_API_KEY") && error.description.contains("--simulate"))
        }
    }

    @Test("--simulate and --llm simulated are the only ways to the simulation")
    func simulationOnlyWhenAsked() async throws {
        let graph = try Self.graph(#"plan [shape=box]; review [shape=box]"#)
        let simulated = try await PipelineModel.prepare(graph: graph, adapters: AdapterSet(), simulate: true, model: .init(), environment: [:])
        #expect(simulated.adapters.llm == nil && simulated.router == nil)
        var model = HostConfiguration.Model()
        model.provider = "simulated"
        let asked = try await PipelineModel.prepare(graph: graph, adapters: AdapterSet(), simulate: false, model: model, environment: [:])
        #expect(asked.adapters.llm is SimulatedLLM)
    }

    @Test("stages go to the provider their llm_provider or llm_model names; each needs its own key")
    func perStageProviders() async throws {
        let graph = try Self.graph(#"plan [shape=box, llm_model="claude-opus-4-6"]; review [shape=box, llm_model="gpt-5.4"]"#)
        do {
            _ = try await PipelineModel.prepare(graph: graph, adapters: AdapterSet(), simulate: false, model: .init(),
                                                environment: ["OPENAI_API_KEY": "sk-x"])
            Issue.record("plan has no anthropic key")
        } catch {
            #expect(error.description.contains("1 LLM stage(s)"))
            #expect(error.description.contains("  plan: anthropic needs an API key: set ANTHROPIC_API_KEY"))
        }
        let prepared = try await PipelineModel.prepare(graph: graph, adapters: AdapterSet(), simulate: false, model: .init(),
                                                       environment: ["OPENAI_API_KEY": "sk-x", "ANTHROPIC_API_KEY": "sk-y"])
        let router = try #require(prepared.router)
        #expect(try router.settings(provider: "", model: "claude-opus-4-6").kind == .anthropic)
        #expect(try router.settings(provider: "", model: "gpt-5.4").model == "gpt-5.4")
        #expect(try router.settings(provider: "", model: "").kind == .openai)
    }

    @Test("a plugin LLM chosen with --adapter is kept")
    func pluginAdapterKept() async throws {
        let graph = try Self.graph(#"plan [shape=box]; review [shape=box]"#)
        let prepared = try await PipelineModel.prepare(graph: graph, adapters: AdapterSet(llm: SimulatedLLM()), simulate: false,
                                                       model: .init(), environment: [:])
        #expect(prepared.adapters.llm is SimulatedLLM)
    }
}

extension PipelineModelTests {
    @Test("the provider found by its key keeps the configuration's timeout and attempts")
    func discoveredProviderKeepsConfiguredLimits() async throws {
        let graph = try Self.graph(#"plan [shape=box]; review [shape=box]"#)
        var model = HostConfiguration.Model()
        model.timeout = .seconds(7)
        model.maxAttempts = 5
        let prepared = try await PipelineModel.prepare(graph: graph, adapters: AdapterSet(), simulate: false, model: model,
                                                       environment: ["GEMINI_API_KEY": "g-key"])
        let settings = try #require(prepared.router).settings(provider: "", model: "")
        #expect(settings.kind == .gemini)
        #expect(settings.requestTimeout == .seconds(7))
        #expect(settings.retry.maxAttempts == 5)
    }
}
