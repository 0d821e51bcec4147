import Testing
import TrellisDOT
import TrellisEngine

/// Conditions at and past the nesting limit through compile and run: results or compile errors,
/// never a stack overflow in building, evaluating or releasing the compiled condition.
struct DeepConditionRunTests {
    static let limit = ConditionParser.maximumNestingDepth

    /// start -> work; work -> done when `condition` holds, else work -> other.
    static func pipeline(condition: String) -> String {
        """
        digraph Deep {
            start [shape=Mdiamond]
            work [type="test.step"]
            done [type="test.step"]
            other [type="test.step"]
            exit [shape=Msquare]
            start -> work
            work -> done [condition="\(condition)"]
            work -> other
            done -> exit
            other -> exit
        }
        """
    }

    @Test(arguments: [
        String(repeating: "(", count: 15_000),
        String(repeating: "!", count: 100_000) + "outcome=success",
    ])
    func tooDeepDoesNotCompile(condition: String) throws {
        do {
            _ = try EnginePipelines.compile(Self.pipeline(condition: condition))
            Issue.record("a condition past the nesting limit compiled")
        } catch let error as GraphCompileError {
            #expect(error.diagnostics.contains { $0.severity == .error && $0.rule == "condition_syntax" })
        }
    }

    @Test func hundredThousandClausesRun() async throws {
        let condition = Array(repeating: "outcome=success", count: 100_000).joined(separator: " && ")
        let graph = try EnginePipelines.compile(Self.pipeline(condition: condition))
        let result = await Engine().run(graph)
        #expect(result.status == .success, "\(result.failureReason ?? "")")
        #expect(result.completedNodes.contains("done"))
        #expect(!result.completedNodes.contains("other"))
    }

    @Test func deepestAllowedNestingRuns() async throws {
        // `!` 1,000 times (an even count) around a true comparison, and alternating &&/|| groups to the limit.
        let negated = String(repeating: "!", count: Self.limit) + "outcome=success"
        let alternating = (0..<Self.limit).map { "outcome=success \($0.isMultiple(of: 2) ? "&&" : "||") (" }.joined()
            + "outcome=success" + String(repeating: ")", count: Self.limit)
        for condition in [negated, alternating] {
            let graph = try EnginePipelines.compile(Self.pipeline(condition: condition))
            let result = await Engine().run(graph)
            #expect(result.status == .success, "\(result.failureReason ?? "")")
            #expect(result.completedNodes.contains("done"))
        }
    }
}
