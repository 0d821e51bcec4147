import Foundation
import Testing
import TrellisDOT
import TrellisEngine
import TrellisTestSupport

/// Every public pipeline in the attractor samples walks to an end with simulated LLM stages and
/// tools, and auto-approved human gates — or fails for the reason named here.
@Suite(.timeLimit(.minutes(1))) struct EngineCorpusTests {
    /// The samples folder: the repository's copy in the test fixtures (CI has no shared folder).
    static let samplesDirectory: String = Repository.attractorSamples

    static var samples: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: samplesDirectory)) ?? []).filter { $0.hasSuffix(".dot") }.sorted()
    }

    /// Samples that do not reach their exit under simulation, and why (a piece of the failure reason).
    /// Every other sample must succeed.
    static let expectedFailures: [String: String] = [
        // The port loop only ends when the PickFile tool reports "all ported" by failing; a simulated
        // tool always succeeds, so the loop (with loop_restart) runs until the step limit stops it.
        "semport.dot": "step limit",
        // EvaluateFindings routes on the tool's stdout (has_findings / no_findings); a simulated tool
        // prints nothing, so neither condition holds and no edge is eligible.
        "vulnerability_analyzer.dot": "no outgoing edge of 'EvaluateFindings' is eligible",
    ]

    @Test func everySampleIsPresent() {
        #expect(Self.samples.count >= 17, "samples in \(Self.samplesDirectory): \(Self.samples)")
    }

    @Test(arguments: samples)
    func sampleRunsToAnEndWhenSimulated(_ name: String) async throws {
        let graph: CompiledGraph
        do {
            graph = try PipelineLoader.load(path: Self.samplesDirectory + "/" + name, registry: .builtin)
        } catch {
            Issue.record("\(name) does not compile: \(error)")
            return
        }
        let workdir = try EnginePipelines.temporaryDirectory()
        let services = RunServices(
            runDirectory: workdir + "/run", workingDirectory: workdir, simulate: true, interviewer: AutoApproveInterviewer())
        let result = await Engine().run(graph, services: services, options: RunOptions(maxSteps: 400))
        if let expected = Self.expectedFailures[name] {
            #expect(result.status == .fail, "\(name) was expected to fail with '\(expected)'")
            #expect(result.failureReason?.contains(expected) == true, "\(name): \(result.failureReason ?? "no reason")")
        } else {
            #expect(result.status == .success, "\(name): \(result.failureReason ?? "no reason") after \(result.completedNodes)")
            #expect(result.completedNodes.last.flatMap { graph.node($0)?.spec.type } == "exit", "\(name) ended at \(result.completedNodes.last ?? "?")")
        }
        #expect(FileManager.default.fileExists(atPath: workdir + "/run/checkpoint.json"))
    }
}
