import Testing
import TrellisEngine

/// A cancelled run says so in `RunResult.wasCancelled`, so callers (the `trellis run` report)
/// need not search the failure reason's wording.
@Suite struct RunCancellationTests {
    /// A node type that waits until its task is cancelled.
    struct WaitHandler: NodeHandler {
        func execute(_ request: HandlerRequest) async throws -> Outcome {
            try await Task.sleep(for: .seconds(60))
            return Outcome(status: .success)
        }
    }

    static let pipeline = """
        digraph Waits {
            start [shape=Mdiamond]
            wait [type="test.wait"]
            exit [shape=Msquare]
            start -> wait -> exit
        }
        """

    @Test func cancellingARunMarksTheResultCancelled() async throws {
        let graph = try EnginePipelines.compile(
            Self.pipeline, extra: [RegisteredHandler(typeID: "test.wait", handler: WaitHandler())])
        let run = Task { await Engine().run(graph) }
        try await Task.sleep(for: .milliseconds(50))
        run.cancel()
        let result = await run.value
        #expect(result.status == .fail)
        #expect(result.wasCancelled)
    }

    @Test func aRunThatEndsOnItsOwnIsNotCancelled() async throws {
        let graph = try EnginePipelines.compile("""
            digraph Linear {
                start [shape=Mdiamond]
                a [type="test.step", test_sequence="fail"]
                exit [shape=Msquare]
                start -> a -> exit
            }
            """)
        let result = await Engine().run(graph)
        #expect(!result.wasCancelled)
    }
}
