import Foundation
import TrellisEngine

/// The JSON-RPC 2.0 protocol of `trellis serve --stdio`: one request or notification per
/// input line, one response per output line (see `docs/protocol.md`).
///
/// Requests run concurrently (a slow turn does not hold up `session.state`), so responses
/// may come out of request order; match them by `id`. Messages to one session are still
/// admitted in the order their lines arrived. A bad line gets an error response and the
/// server keeps serving.
public final class SessionRPCServer: Sendable {
    /// The sessions served.
    public let manager: SessionManager
    private let output: JSONLinesEventWriter
    private let pluginReloader: (@Sendable () async -> Result<ContextValue, JSONRPCError>)?
    private let subscriptions = LockedValue<[SessionEventBus.Token]>([])
    /// The longest request line read; a longer one is answered with an error and dropped.
    public let maximumLineBytes: Int
    /// The longest message `session.send` accepts.
    public let maximumMessageBytes: Int

    /// The default line limit: 8 MiB.
    public static let defaultMaximumLineBytes = 8 << 20
    /// The default message limit: 1 MiB.
    public static let defaultMaximumMessageBytes = 1 << 20

    /// Serves `manager`, writing responses and notifications to `output`. `pluginReloader`
    /// performs `plugins.reload` (absent: the method reports that no plugin directory is configured).
    public init(
        manager: SessionManager, output: JSONLinesEventWriter,
        pluginReloader: (@Sendable () async -> Result<ContextValue, JSONRPCError>)? = nil,
        maximumLineBytes: Int = SessionRPCServer.defaultMaximumLineBytes,
        maximumMessageBytes: Int = SessionRPCServer.defaultMaximumMessageBytes
    ) {
        self.manager = manager
        self.output = output
        self.pluginReloader = pluginReloader
        self.maximumLineBytes = maximumLineBytes
        self.maximumMessageBytes = maximumMessageBytes
    }

    /// Reads requests from `descriptor` until end of input or until `stop` is requested,
    /// answering each; returns when every request has been answered. After a stop or the end
    /// of input, requests still running get `drainTime` to finish; then they are cancelled (a
    /// turn cancelled this way fails and is answered as failed).
    public func serve(inputDescriptor descriptor: Int32 = STDIN_FILENO, stop: ServeStop = ServeStop(),
                      drainTime: Duration = .seconds(10)) async {
        enum Arrival: Sendable { case line(LineReader.Line), stop }
        let (arrivals, arrival) = AsyncStream.makeStream(of: Arrival.self, bufferingPolicy: .unbounded)
        let lines = LineReader.lines(from: descriptor, maximumLineBytes: maximumLineBytes)
        let forwarding = Task {
            for await line in lines { arrival.yield(.line(line)) }
            arrival.finish()
        }
        stop.onRequest { _ in arrival.yield(.stop) }
        output.onBrokenOutput { stop.request("standard output was closed") }
        let inFlight = InFlightRequests()
        // Discarding: a server runs for a long time and must not keep a result per request.
        await withDiscardingTaskGroup { group in
            for await next in arrivals {
                guard case .line(let read) = next else { break }
                guard case .text(let line) = read else {
                    if case .tooLong(let bytes) = read {
                        let failure = JSONRPCError(code: JSONRPCError.invalidRequest, message:
                            "a request line of \(bytes) bytes is longer than this server's limit of \(maximumLineBytes) bytes (--max-line-bytes); it was not read")
                        output.writeLine(Self.response(id: .null, result: .failure(failure)))
                    }
                    continue
                }
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                guard !trimmed.isEmpty else { continue }
                let (prepared, isBarrier) = prepare(trimmed)
                if isBarrier {
                    // Requests that change which sessions, graphs or subscriptions exist finish
                    // before the next line is read, so a pipelined `session.send` sees them.
                    if let response = await prepared() { output.writeLine(response) }
                    continue
                }
                inFlight.begin()
                group.addTask { [self] in
                    if let response = await prepared() { output.writeLine(response) }
                    inFlight.end()
                }
            }
            // Drain after a stop or the end of input: what still runs past the drain time is
            // cancelled (a plugin call that never completes then fails its node and the request
            // answers), so the server exits instead of waiting on it for good.
            if await !inFlight.waitUntilIdle(within: drainTime) { group.cancelAll() }
        }
        forwarding.cancel()
        let tokens = subscriptions.withLock { $0 }
        for token in tokens { manager.events.unsubscribe(token) }
    }

    /// Handles one line and returns the response line (`nil` for notifications).
    public func handle(_ line: String) async -> String? {
        await prepare(line).work()
    }

    /// Methods that act as barriers: answered before the next input line is read.
    public static let barrierMethods: Set<String> = [
        "session.create", "session.stop", "graphs.reload", "plugins.reload", "events.subscribe", "events.unsubscribe",
    ]

    /// Parses `line` and does, synchronously, what must happen in arrival order (admitting a
    /// message to its session); returns the rest of the work.
    private func prepare(_ line: String) -> (work: @Sendable () async -> String?, isBarrier: Bool) {
        let document: ContextValue
        do {
            document = try ContextValue(jsonText: line)
        } catch {
            let failure = JSONRPCError(code: JSONRPCError.parseError, message: "the line is not JSON: \(error.reason)")
            return ({ Self.response(id: .null, result: .failure(failure)) }, false)
        }
        if case .list(let batch) = document {
            guard !batch.isEmpty else {
                let failure = JSONRPCError(code: JSONRPCError.invalidRequest, message: "an empty batch is not a request")
                return ({ Self.response(id: .null, result: .failure(failure)) }, false)
            }
            // A batch runs its requests in order and acts as a barrier.
            let items = batch
            return ({ [self] in
                var answers: [String] = []
                for item in items { if let answer = await prepareRequest(item)() { answers.append(answer) } }
                return answers.isEmpty ? nil : "[" + answers.joined(separator: ",") + "]"
            }, true)
        }
        var isBarrier = false
        if case .map(let fields) = document, case .string(let method)? = fields["method"] {
            isBarrier = Self.barrierMethods.contains(method)
        }
        return (prepareRequest(document), isBarrier)
    }

    private func prepareRequest(_ request: ContextValue) -> @Sendable () async -> String? {
        guard case .map(let fields) = request else {
            let failure = JSONRPCError(code: JSONRPCError.invalidRequest, message: "a request must be a JSON object")
            return { Self.response(id: .null, result: .failure(failure)) }
        }
        let id = fields["id"]
        let isNotification = id == nil
        switch id {
        case nil, .string?, .integer?, .null?:
            break
        default:
            // JSON-RPC 2.0 ids are strings, numbers without a fraction, or null.
            let failure = JSONRPCError(code: JSONRPCError.invalidRequest, message: "\"id\" must be a string, an integer or null")
            return { Self.response(id: .null, result: .failure(failure)) }
        }
        guard fields["jsonrpc"] == .string("2.0") else {
            let failure = JSONRPCError(code: JSONRPCError.invalidRequest, message: "\"jsonrpc\" must be \"2.0\"")
            return { Self.response(id: id ?? .null, result: .failure(failure)) }
        }
        guard case .string(let method)? = fields["method"] else {
            let failure = JSONRPCError(code: JSONRPCError.invalidRequest, message: "\"method\" must be a string")
            return { Self.response(id: id ?? .null, result: .failure(failure)) }
        }
        let params: [String: ContextValue]
        switch fields["params"] {
        case nil, .null?: params = [:]
        case .map(let map)?: params = map
        default:
            let failure = JSONRPCError(code: JSONRPCError.invalidParams, message: "\"params\" must be an object (named parameters)")
            return { Self.response(id: id ?? .null, result: .failure(failure)) }
        }
        // Fix the arrival order of messages to a session now, before any task switch. A ticket
        // is taken only for a send that will reach `Session.send` (which always consumes it):
        // an unused ticket would hold every later message to the session back for ever.
        var ticket: UInt64?
        if method == "session.send", case .string(let sessionID)? = params["session_id"], case .string? = params["message"],
           let session = manager.session(sessionID) {
            ticket = session.admit()
        }
        // A stop takes its place in the same order: it waits for the sends admitted before it.
        if method == "session.stop", case .string(let sessionID)? = params["session_id"], let session = manager.session(sessionID) {
            ticket = session.admit()
        }
        let admitted = ticket
        return { [self] in
            let result = await dispatch(method, params: params, ticket: admitted)
            return isNotification ? nil : Self.response(id: id ?? .null, result: result)
        }
    }

    private static func response(id: ContextValue, result: Result<ContextValue, JSONRPCError>) -> String {
        switch result {
        case .success(let value):
            return ContextValue.map(["jsonrpc": .string("2.0"), "id": id, "result": value]).jsonText
        case .failure(let error):
            return ContextValue.map(["jsonrpc": .string("2.0"), "id": id, "error": error.contextValue]).jsonText
        }
    }

    private func dispatch(_ method: String, params: [String: ContextValue], ticket: UInt64?) async -> Result<ContextValue, JSONRPCError> {
        do {
            switch method {
            case "session.create": return .success(try await create(params))
            case "session.send": return .success(try await send(params, ticket: ticket))
            case "session.state": return .success(try await manager.resolve(try Self.string(params, "session_id")).state().contextValue)
            case "session.list": return .success(try await list())
            case "session.stop":
                try await manager.stop(try Self.string(params, "session_id"), afterTicket: ticket)
                return .success(.map(["stopped": .boolean(true)]))
            case "session.journal": return .success(try await journal(params))
            case "session.heartbeat":
                let session = try await manager.resolve(try Self.string(params, "session_id"))
                return .success(.map(["started": .boolean(session.triggerHeartbeat())]))
            case "events.subscribe": return .success(subscribe(params))
            case "events.unsubscribe": return .success(try unsubscribe(params))
            case "graphs.reload":
                let report = manager.reloadGraphs()
                guard report.succeeded else {
                    return .failure(JSONRPCError(
                        code: JSONRPCError.reloadFailed,
                        message: "graph reload failed; generation \(report.generation) keeps serving:\n\(report.errors)",
                        data: .map(["generation": .integer(Int(report.generation))])))
                }
                return .success(.map(["reloaded": .boolean(true), "generation": .integer(Int(report.generation))]))
            case "plugins.reload":
                guard let pluginReloader else {
                    return .failure(JSONRPCError(
                        code: JSONRPCError.reloadFailed,
                        message: "no plugin directory is configured; start the server with --plugin-dir DIR"))
                }
                return await pluginReloader()
            default:
                return .failure(JSONRPCError(
                    code: JSONRPCError.methodNotFound,
                    message: "no method '\(method)'; methods: \(Self.methods.joined(separator: ", "))"))
            }
        } catch let error as JSONRPCError {
            return .failure(error)
        } catch let error as SessionError {
            return .failure(JSONRPCError(error))
        } catch {
            return .failure(JSONRPCError(code: JSONRPCError.internalError, message: "\(error)"))
        }
    }

    /// Every method the server answers.
    public static let methods = [
        "session.create", "session.send", "session.state", "session.list", "session.stop", "session.journal",
        "session.heartbeat", "events.subscribe", "events.unsubscribe", "graphs.reload", "plugins.reload",
    ]

    private func create(_ params: [String: ContextValue]) async throws -> ContextValue {
        var configuration = SessionConfiguration(
            sessionID: try Self.optionalString(params, "session_id"),
            agentID: try Self.optionalString(params, "agent_id") ?? "agent",
            sessionType: try SessionType.named(try Self.optionalString(params, "session_type") ?? "primary"))
        switch params["config"] {
        case nil, .null?: break
        case .map(let config)?: try configuration.applySettings(from: config)
        default: throw JSONRPCError(code: JSONRPCError.invalidParams, message: "\"config\" must be an object")
        }
        let session = try await manager.create(configuration)
        return .map(["session_id": .string(session.id), "trace_id": .string(session.traceID),
                     "signal_topic": .string(session.signalTopic)])
    }

    private func send(_ params: [String: ContextValue], ticket: UInt64?) async throws -> ContextValue {
        let message = try Self.string(params, "message")
        guard message.utf8.count <= maximumMessageBytes else {
            // The ticket taken for it must still be used, or later messages would wait for ever.
            if let ticket, let session = manager.session(try Self.string(params, "session_id")) { await session.skip(ticket: ticket) }
            throw JSONRPCError(code: JSONRPCError.invalidParams, message:
                "the message has \(message.utf8.count) bytes, more than this server's limit of \(maximumMessageBytes) (--max-message-bytes)")
        }
        let session = try await manager.resolve(try Self.string(params, "session_id"))
        let reply = try await session.send(message, ticket: ticket)
        return .map(["reply": .string(reply.reply), "turn_count": .integer(reply.turnCount),
                     "latency_us": .integer(reply.latency.wholeMicroseconds), "usage": reply.usage.contextValue])
    }

    /// This host's sessions; on a shared store, every session the store holds, each with the
    /// host that holds its lease (`owner`) and whether it runs here (`local`).
    private func list() async throws -> ContextValue {
        var entries: [String: [String: ContextValue]] = [:]
        let shared = try await manager.store?.sharedSessions()
        for listed in shared ?? [] {
            entries[listed.sessionID] = [
                "session_id": .string(listed.sessionID), "agent_id": .string(listed.agentID),
                "session_type": .string(listed.sessionType), "turn_count": .integer(listed.turnCount),
                "owner": listed.owner.map(ContextValue.string) ?? .null, "local": .boolean(false),
            ]
        }
        let hostID = manager.store?.leases?.hostID
        for session in manager.all {
            let snapshot = session.status.snapshot
            var entry: [String: ContextValue] = [
                "session_id": .string(session.id), "agent_id": .string(session.agentID),
                "session_type": .string(session.sessionType.rawValue),
                "phase": .string(snapshot.phase.rawValue), "turn_count": .integer(snapshot.turnCount),
            ]
            // A session this host runs is its own even when the store has not committed it yet (batched).
            if shared != nil {
                entry["owner"] = hostID.map(ContextValue.string) ?? .null
                entry["local"] = .boolean(true)
            }
            entries[session.id] = entry
        }
        return .map(["sessions": .list(entries.keys.sorted().map { .map(entries[$0]!) })])
    }

    private func journal(_ params: [String: ContextValue]) async throws -> ContextValue {
        let sessionID = try Self.string(params, "session_id")
        guard let store = manager.store else {
            throw JSONRPCError(code: JSONRPCError.sessionError, message: "no store is configured; start the server with --store FILE",
                               data: .map(["kind": .string("store")]))
        }
        return .map(["turns": .list(try await store.journal(sessionID: sessionID).map { entry in
            .map(["turn": .integer(entry.turn), "input": .string(entry.input), "reply": .string(entry.reply),
                  "latency_us": .integer(entry.latencyMicroseconds)])
        })])
    }

    private func subscribe(_ params: [String: ContextValue]) -> ContextValue {
        let prefix = params["topic_prefix"]?.stringValue
        let output = self.output
        let token = manager.events.subscribe(topicPrefix: prefix) { event in
            output.writeLine(ContextValue.map([
                "jsonrpc": .string("2.0"), "method": .string("events.event"), "params": event.contextValue,
            ]).jsonText)
        }
        subscriptions.withLock { $0.append(token) }
        return .map(["subscription": .integer(Int(token))])
    }

    private func unsubscribe(_ params: [String: ContextValue]) throws -> ContextValue {
        guard case .integer(let token)? = params["subscription"], token > 0 else {
            throw JSONRPCError(code: JSONRPCError.invalidParams, message: "\"subscription\" must be the integer events.subscribe returned")
        }
        let known = subscriptions.withLock { list -> Bool in
            guard let index = list.firstIndex(of: SessionEventBus.Token(token)) else { return false }
            list.remove(at: index)
            return true
        }
        guard known else {
            throw JSONRPCError(code: JSONRPCError.invalidParams, message: "no subscription \(token) on this connection")
        }
        manager.events.unsubscribe(SessionEventBus.Token(token))
        return .map(["unsubscribed": .boolean(true)])
    }

    private static func string(_ params: [String: ContextValue], _ key: String) throws(JSONRPCError) -> String {
        guard let value = try optionalString(params, key) else {
            throw JSONRPCError(code: JSONRPCError.invalidParams, message: "missing parameter \"\(key)\" (a string)")
        }
        return value
    }

    private static func optionalString(_ params: [String: ContextValue], _ key: String) throws(JSONRPCError) -> String? {
        if key == "session_id", case .string("")? = params[key] {
            throw JSONRPCError(code: JSONRPCError.invalidParams, message: "\"session_id\" must not be empty")
        }
        switch params[key] {
        case nil, .null?: return nil
        case .string(let text)?: return text
        case let other?:
            throw JSONRPCError(code: JSONRPCError.invalidParams, message: "parameter \"\(key)\" must be a string, not \(other.jsonText)")
        }
    }
}
