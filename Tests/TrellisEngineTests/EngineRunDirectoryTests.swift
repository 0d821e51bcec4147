import Foundation
import Testing
import TrellisDOT
import TrellisEngine
import TrellisTestSupport

/// Run directory files, checkpoints, resume and loop restarts.
@Suite(.timeLimit(.minutes(1))) struct EngineRunDirectoryTests {
    static let pipeline = """
        digraph Checkpointed {
            goal="count things"
            start [shape=Mdiamond]
            a [type="test.step", test_set="from_a=1"]
            gate [type="test.gate"]
            b [type="test.step", test_read="from_a", max_retries=2, retry_delay="1ms", test_sequence="retry,success"]
            exit [shape=Msquare]
            start -> a -> gate -> b -> exit
        }
        """

    @Test func runWritesManifestStatusFilesAndCheckpoint() async throws {
        let directory = try EnginePipelines.temporaryDirectory()
        let gate = EngineGate(open: true)
        let graph = try EnginePipelines.compile(Self.pipeline, extra: [RegisteredHandler(typeID: "test.gate", handler: EngineGateHandler(gate: gate))])
        let result = await Engine().run(graph, services: RunServices(runDirectory: directory))
        #expect(result.status == .success)
        #expect(result.runDirectory == directory)
        let manifest = try ContextValue(jsonText: try String(contentsOfFile: directory + "/manifest.json", encoding: .utf8))
        guard case .map(let manifestFields) = manifest else { throw EngineTestFailure("manifest is not an object") }
        #expect(manifestFields["graph"] == .string("Checkpointed"))
        #expect(manifestFields["goal"] == .string("count things"))
        let status = try ContextValue(jsonText: try String(contentsOfFile: directory + "/b/status.json", encoding: .utf8))
        guard case .map(let statusFields) = status else { throw EngineTestFailure("status.json is not an object") }
        #expect(statusFields["status"] == .string("success"))
        #expect(statusFields["executions"] == .integer(2))
        let checkpoint = try ContextValue(jsonText: try String(contentsOfFile: directory + "/checkpoint.json", encoding: .utf8))
        guard case .map(let fields) = checkpoint, case .map(let context)? = fields["context"] else { throw EngineTestFailure("bad checkpoint") }
        #expect(fields["status"] == .string("success"))
        #expect(fields["next_node"] == .null)
        #expect(fields["completed_nodes"] == .list(["start", "a", "gate", "b", "exit"].map { .string($0) }))
        #expect(Context(context) == result.context)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty)
    }

    @Test func resumeAfterCancellationContinuesWithTheSameStateAsAnUninterruptedRun() async throws {
        let handlers = { (gate: EngineGate) in [RegisteredHandler(typeID: "test.gate", handler: EngineGateHandler(gate: gate))] }
        let uninterrupted = await Engine().run(try EnginePipelines.compile(Self.pipeline, extra: handlers(EngineGate(open: true))))
        #expect(uninterrupted.status == .success)

        let directory = try EnginePipelines.temporaryDirectory()
        let gate = EngineGate(open: false)
        let graph = try EnginePipelines.compile(Self.pipeline, extra: handlers(gate))
        let task = Task { await Engine().run(graph, services: RunServices(runDirectory: directory)) }
        // Wait until the run is inside the gate node, which blocks until cancelled.
        try await waitUntil("the run to enter the gate node", interval: .milliseconds(5)) { await gate.entered }
        task.cancel()
        let interrupted = await task.value
        #expect(interrupted.status == .fail)
        #expect(interrupted.failureReason?.contains("cancelled") == true)

        await gate.openUp()
        let resumed = await Engine().run(graph, options: RunOptions(resumeFrom: directory))
        #expect(resumed.status == .success, "\(resumed.failureReason ?? "")")
        #expect(resumed.completedNodes == uninterrupted.completedNodes)
        #expect(resumed.context == uninterrupted.context)
        #expect(resumed.context.integer("internal.retry_count.b") == 1)

        // Resuming a finished run reports its result without running anything again.
        let again = await Engine().run(graph, options: RunOptions(resumeFrom: directory))
        #expect(again.status == .success)
        #expect(again.context == resumed.context)
    }

    @Test func resumeRefusesAnotherPipelinesCheckpoint() async throws {
        let directory = try EnginePipelines.temporaryDirectory()
        let graph = try EnginePipelines.compile(Self.pipeline, extra: [RegisteredHandler(typeID: "test.gate", handler: EngineGateHandler(gate: EngineGate(open: true)))])
        _ = await Engine().run(graph, services: RunServices(runDirectory: directory))
        let other = try EnginePipelines.compile("""
            digraph Other { start [shape=Mdiamond]; exit [shape=Msquare]; start -> exit }
            """)
        let result = await Engine().run(other, options: RunOptions(resumeFrom: directory))
        #expect(result.status == .fail)
        #expect(result.failureReason?.contains("belongs to pipeline 'Checkpointed'") == true)
        let missing = await Engine().run(other, options: RunOptions(resumeFrom: directory + "/nowhere"))
        #expect(missing.failureReason?.contains("no readable checkpoint.json") == true)
    }

    @Test func loopRestartStartsAgainInAFreshDirectoryAndCountsRestarts() async throws {
        let directory = try EnginePipelines.temporaryDirectory()
        let graph = try EnginePipelines.compile("""
            digraph Restart {
                start [shape=Mdiamond]
                work [type="test.step"]
                post [type="test.step"]
                exit [shape=Msquare]
                start -> work -> post
                post -> work [condition="context.internal.loop_restart_count=0", loop_restart=true]
                post -> exit [condition="context.internal.loop_restart_count!=0"]
            }
            """)
        let result = await Engine().run(graph, services: RunServices(runDirectory: directory))
        #expect(result.status == .success)
        #expect(result.completedNodes == ["start", "work", "post", "work", "post", "exit"])
        #expect(result.context["internal.loop_restart_count"] == .integer(1))
        #expect(FileManager.default.fileExists(atPath: directory + "/restart-1/work/status.json"))
        #expect(FileManager.default.fileExists(atPath: directory + "/work/status.json"))
    }

    @Test func jsonLinesEventsCarryKindsTimestampsAndDurations() async throws {
        let directory = try EnginePipelines.temporaryDirectory()
        let path = directory + "/events.jsonl"
        let sink = try JSONLinesEventSink(path: path)
        let graph = try EnginePipelines.compile("""
            digraph Events { start [shape=Mdiamond]; a [type="test.step"]; exit [shape=Msquare]; start -> a -> exit }
            """)
        _ = await Engine().run(graph, services: RunServices(runDirectory: directory + "/run", events: sink))
        sink.close()
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        let events = try lines.map { try ContextValue(jsonText: String($0)) }
        let kinds = events.compactMap { event -> String? in
            if case .map(let fields) = event, case .string(let kind)? = fields["event"] { return kind }
            return nil
        }
        #expect(kinds.first == "run_started")
        #expect(kinds.last == "run_completed")
        #expect(kinds.contains("checkpoint_saved"))
        #expect(kinds.filter { $0 == "node_completed" }.count == 3)
        for event in events {
            guard case .map(let fields) = event else { throw EngineTestFailure("event is not an object") }
            #expect(fields["timestamp"] != nil)
        }
        let completed = events.first {
            if case .map(let fields) = $0 { return fields["event"] == .string("node_completed") }
            return false
        }
        guard case .map(let fields)? = completed else { throw EngineTestFailure("no node_completed event") }
        #expect(fields["duration_ms"] != nil)
        #expect(fields["node"] != nil)
    }
}

/// A switch a test opens; `EngineGateHandler` blocks on it.
actor EngineGate {
    private var isOpen: Bool
    private(set) var entered = false
    init(open: Bool) { isOpen = open }
    func enter() { entered = true }
    func openUp() { isOpen = true }
    var open: Bool { isOpen }
}

/// Waits (cancellably) until its gate is open, then succeeds.
struct EngineGateHandler: NodeHandler {
    let gate: EngineGate

    func execute(_ request: HandlerRequest) async throws -> Outcome {
        await gate.enter()
        // Blocks on purpose until the gate opens or the run is cancelled (the sleep throws then);
        // the suite's time limit bounds it should a test forget to do either.
        while await !gate.open { try await Task.sleep(for: .milliseconds(5)) }
        return Outcome(status: .success, contextUpdates: ["gate.passed": .boolean(true)])
    }
}
