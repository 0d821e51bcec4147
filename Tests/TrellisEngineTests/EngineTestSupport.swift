import Foundation
import Testing
import TrellisDOT
import TrellisEngine
import TrellisTestSupport

/// Compiles pipelines written as DOT text for the engine tests.
enum EnginePipelines {
    /// Parses and compiles `dot` with the built-in handlers, `EngineStepHandler` as `test.step`, and `extra`.
    static func compile(_ dot: String, extra: [RegisteredHandler] = [], sourcePath: String? = nil) throws -> CompiledGraph {
        let parsed = DOTParser.parse(dot, file: "test.dot")
        guard let graph = parsed.graph else {
            throw EngineTestFailure("the test pipeline does not parse: \(parsed.diagnostics.map(\.message))")
        }
        return try GraphCompiler.compile(graph, registry: registry(extra: extra), sourcePath: sourcePath)
    }

    /// The registry the tests use.
    static func registry(extra: [RegisteredHandler] = []) -> HandlerRegistry {
        HandlerRegistry(handlers: BuiltinHandlers.all + [EngineStepHandler.registration] + extra)
    }

    /// A fresh empty temporary directory, removed when the test run ends.
    static func temporaryDirectory() throws -> String {
        try TemporaryDirectory.make("engine")
    }
}

/// A test failure with a message.
struct EngineTestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A scriptable node type (`test.step`) driven by node attributes:
///
/// - `test_sequence="retry,retry,success"`: the status of each execution (the last one repeats); default `success`.
/// - `test_label`, `test_suggest` (comma-separated ids): routing hints.
/// - `test_set="key=value;key2=value2"`: context updates (string values).
/// - `test_throws=N`: throw on the first N executions.
/// Every execution also sets `count.<id>` to one more than the context held, and `seen.<id>` to
/// the value of the context key named by `test_read` (to check what reached the node).
struct EngineStepHandler: NodeHandler {
    static let registration = RegisteredHandler(typeID: "test.step", handler: EngineStepHandler())

    struct Thrown: Error, CustomStringConvertible {
        var description: String { "scripted error" }
    }

    func execute(_ request: HandlerRequest) async throws -> Outcome {
        let node = request.node
        if let throwing = node.attributes["test_throws"]?.integer, request.attempt < throwing { throw Thrown() }
        let sequence = (node.attributes["test_sequence"]?.text ?? "success").split(separator: ",").map {
            OutcomeStatus(rawValue: $0.trimmingCharacters(in: .whitespaces)) ?? .fail
        }
        let status = sequence[min(request.attempt, sequence.count - 1)]
        var updates: [String: ContextValue] = [:]
        let countKey = "count." + node.id
        let previous: Int = { if case .integer(let value)? = request.context[countKey] { value } else { 0 } }()
        updates[countKey] = .integer(previous + 1)
        if let read = node.attributes["test_read"]?.text { updates["seen." + node.id] = request.context[read] ?? .null }
        if let pairs = node.attributes["test_set"]?.text {
            for pair in pairs.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                if parts.count == 2 { updates[parts[0]] = .string(parts[1]) }
            }
        }
        if let prompt = node.attributes["prompt"]?.text { updates["prompt." + node.id] = .string(prompt) }
        return Outcome(
            status: status,
            preferredLabel: node.attributes["test_label"]?.text,
            suggestedNextIDs: node.attributes["test_suggest"]?.text.split(separator: ",").map(String.init) ?? [],
            contextUpdates: updates,
            failureReason: status == .fail || status == .retry ? "scripted \(status.rawValue)" : nil)
    }
}

/// Collects events for assertions.
final class EngineEventRecorder: EventSink, @unchecked Sendable {
    private let lock = NSLock()
    private var events: [RunEvent] = []

    func emit(_ event: RunEvent) {
        lock.lock()
        events.append(event)
        lock.unlock()
    }

    var kinds: [String] {
        lock.lock()
        defer { lock.unlock() }
        return events.map(\.kind.rawValue)
    }

    var recorded: [RunEvent] {
        lock.lock()
        defer { lock.unlock() }
        return events
    }
}

extension Context {
    /// The integer at `key`, or `nil`.
    func integer(_ key: String) -> Int? {
        if case .integer(let value)? = self[key] { return value }
        return nil
    }
}
