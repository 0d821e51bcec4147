import Foundation
import Synchronization
import TrellisEngine
@testable import TrellisSession
import TrellisTestSupport

/// Helpers shared by the session tests.
enum Support {
    /// Compiles DOT text against the session registry plus `extra` handlers.
    static func graph(_ text: String, extra: [RegisteredHandler] = []) throws -> CompiledGraph {
        try SessionGraphs.compile(text: text, file: "<test>", registry: SessionHandlers.registry.adding(extra, generation: 0))
    }

    /// The default graphs (the embedded reference turn and heartbeat graphs).
    static func defaultGraphs(extra: [RegisteredHandler] = []) throws -> SessionGraphs {
        SessionGraphs(turn: try graph(DefaultSessionGraphs.turn, extra: extra),
                      heartbeat: try graph(DefaultSessionGraphs.heartbeat, extra: extra))
    }

    /// A session on the default graphs with built-in adapters and heartbeats off.
    static func session(
        type: SessionType = .primary, latency: Duration = .zero, policy: TurnPolicy = .enqueue,
        graphs: SessionGraphs? = nil, adapters: SessionAdapters? = nil, events: SessionEventBus = SessionEventBus(),
        maxMessages: Int? = nil, summarize: Bool = false, store: SessionStore? = nil
    ) throws -> Session {
        try Session(
            configuration: SessionConfiguration(sessionType: type, turnPolicy: policy, maxMessages: maxMessages, summarize: summarize),
            graphs: graphs ?? defaultGraphs(), adapters: adapters ?? .builtIn(llmLatency: latency, checkpoint: store),
            heartbeat: HeartbeatSettings(enabled: false, interval: .seconds(60)), events: events, store: store)
    }

    /// A fresh temporary directory, removed when the test run ends.
    static func temporaryDirectory() throws -> String {
        try TemporaryDirectory.make("session")
    }
}

/// Collects events for assertions.
final class EventLog: Sendable {
    private let events = Mutex<[SessionEvent]>([])

    init(_ bus: SessionEventBus, topicPrefix: String? = nil) {
        bus.subscribe(topicPrefix: topicPrefix) { [self] event in events.withLock { $0.append(event) } }
    }

    var all: [SessionEvent] { events.withLock { $0 } }

    func kinds(_ filter: Set<String>? = nil) -> [String] {
        all.map(\.kind.rawValue).filter { filter?.contains($0) ?? true }
    }
}

/// A gate a test opens when it is ready (for ordering assertions without timings).
final class Gate: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func wait() async {
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state -> Bool in
                if state.open { return true }
                state.waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    func open() {
        let waiters = state.withLock { state in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    var isOpen: Bool { state.withLock { $0.open } }
}

/// An LLM that answers turns at once and holds heartbeat calls until its gate opens.
struct GatedHeartbeatLLM: LLMAdapter {
    let gate: Gate

    func complete(_ request: LLMRequest) async throws -> LLMResponse {
        if request.options["run_kind"] == .string("heartbeat") {
            await gate.wait()
            return LLMResponse(content: "thought")
        }
        return LLMResponse(content: "answer to \(request.prompt)")
    }
}

/// An LLM that fails every call (an engine error inside a turn).
struct FailingLLM: LLMAdapter {
    struct Failure: Error, CustomStringConvertible { var description: String { "the model is unavailable" } }
    func complete(_ request: LLMRequest) async throws -> LLMResponse { throw Failure() }
}

/// An LLM that asks for one tool call on its first answer of a turn and answers after tool results.
struct ToolCallingLLM: LLMAdapter {
    func complete(_ request: LLMRequest) async throws -> LLMResponse {
        LLMResponse(content: "", toolCalls: [.map(["name": .string("clock"), "arguments": .map([:])])])
    }
}

/// Tools that answer `result of NAME`.
struct EchoTools: ToolsAdapter {
    func dispatch(_ calls: [ContextValue]) async throws -> [ContextValue] {
        calls.map { call in
            guard case .map(let fields) = call else { return .string("?") }
            return .string("result of \(fields["name"]?.stringValue ?? "?")")
        }
    }
}

/// A heartbeat node type for tests: updates goal `g1` and adds goal `g<turn+10>`.
struct GoalWritingHandler: NodeHandler {
    static let registration = RegisteredHandler(typeID: "test.goals", handler: GoalWritingHandler())

    func execute(_ request: HandlerRequest) async throws -> Outcome {
        .success([
            SessionKeys.goalUpdates: .list([.map(["id": .string("g1"), "status": .string("active")])]),
            SessionKeys.newGoals: .list([.map(["id": .string("g-new"), "title": .string("added by heartbeat")])]),
        ])
    }
}

/// A heartbeat node type for tests that always fails.
struct CrashingHandler: NodeHandler {
    struct Crash: Error, CustomStringConvertible { var description: String { "heartbeat handler crashed" } }
    static let registration = RegisteredHandler(typeID: "test.crash", handler: CrashingHandler())
    func execute(_ request: HandlerRequest) async throws -> Outcome { throw Crash() }
}
