import Foundation
import TrellisDOT
import TrellisEngine
import TrellisProviders

/// Decides which model a pipeline run's LLM stages talk to, and refuses — before anything runs
/// — a run whose LLM stages no model could serve. Never falls back to a simulation: the
/// simulated model answers only when asked for (`--simulate` or `--llm simulated`).
public enum PipelineModel {
    /// The adapters the run uses, and the router counting tokens when real providers serve it.
    public struct Prepared: Sendable {
        /// The run's adapters, its LLM decided.
        public var adapters: AdapterSet
        /// The router, when real providers answer.
        public var router: ProviderRouter?
    }

    /// The model for `graph`: a plugin LLM already in `adapters` stays; with `simulate` none is
    /// needed; otherwise `configuration.model` (flags applied) names it, else each stage's
    /// `llm_provider`/`llm_model` with keys from `environment`, else the first provider whose
    /// key is set. Throws listing every LLM stage no provider can serve and how to configure one.
    public static func prepare(
        graph: CompiledGraph, adapters: AdapterSet, simulate: Bool, model: HostConfiguration.Model,
        environment: [String: String]
    ) async throws(ModelSelectionError) -> Prepared {
        var adapters = adapters
        let stages = graph.nodes.filter { $0.spec.type == LLMStageHandler.registration.typeID }
        if simulate || adapters.llm != nil || stages.isEmpty { return Prepared(adapters: adapters, router: nil) }
        let selection = ModelSelection(model, environment: environment)
        var fallback: ProviderSettings?
        switch try await selection.resolve(discover: false) {
        case .provider(let settings)?:
            fallback = settings
        case .simulated?:
            adapters.llm = SimulatedLLM()
            return Prepared(adapters: adapters, router: nil)
        case .offline?:
            throw ModelSelectionError("the offline model is for 'trellis chat'; a pipeline needs a provider (or --simulate)")
        case .adapter(let name)?:
            throw ModelSelectionError("--llm \(name): not a provider (openai, anthropic, gemini, simulated); a plugin's LLM adapter is chosen with --adapter \(name)")
        case nil:
            // The provider whose key is set, with the configuration's timeout, attempts and limits.
            if let found = ProviderDiscovery(environment: environment).providerWithKey() {
                fallback = try selection.settings(for: found.kind)
            }
        }
        let router = ProviderRouter(fallback: fallback, selection: selection)
        var refused: [String] = []
        for stage in stages {
            let provider = stage.spec.attributes["llm_provider"]?.text ?? ""
            let modelName = stage.spec.attributes["llm_model"]?.text ?? ""
            do {
                _ = try router.settings(provider: provider, model: modelName)
            } catch {
                refused.append("  \(stage.spec.id): \(error)")
            }
        }
        guard refused.isEmpty else {
            throw ModelSelectionError("""
                \(refused.count) LLM stage(s) have no model to talk to, so nothing was run:
                \(refused.joined(separator: "\n"))
                Configure a provider: put its key in OPENAI_API_KEY, ANTHROPIC_API_KEY or GEMINI_API_KEY, or pass
                --llm openai|anthropic|gemini [--model NAME] [--base-url URL] (any OpenAI-compatible server with
                --llm openai), or set "llm" in the configuration file; or walk the pipeline without a model: --simulate
                """)
        }
        adapters.llm = router
        return Prepared(adapters: adapters, router: router)
    }

    /// Adds the tokens the run used to its `manifest.json`, as `usage`.
    public static func recordUsage(_ usage: LLMUsage, inRunDirectory directory: String) throws {
        let path = directory + "/manifest.json"
        guard let text = RunFiles.read(path), case .map(var fields) = try ContextValue(jsonText: text) else { return }
        fields["usage"] = usage.contextValue
        try RunFiles.writeAtomically(RunFiles.jsonObject(fields.keys.sorted().map { ($0, fields[$0]!.jsonText) }), to: path)
    }
}
