import Foundation
import TrellisCore
import TrellisEngine
import TrellisSession
import TrellisTerminal

/// The conversation loop of `trellis chat`: reads lines (edited on a terminal, plain from a
/// pipe), runs a turn for each message, prints the answer as it streams, and answers the
/// slash commands (`/help`, `/quit`, `/new`, `/model`, `/usage`, `/memory`) the same way on
/// a terminal and on a pipe.
///
/// On a terminal, Ctrl-C during a turn cancels that turn (its model request included) and the
/// conversation goes on; Ctrl-C at the prompt clears the line; Ctrl-D or `/quit` leaves. Reload
/// notices are printed above the prompt, which is drawn again. On a pipe only the replies (and
/// the output of commands) go to standard output, one per message; notices go to standard error.
public final class ChatConsole: Sendable {
    private let host: SessionHost
    private let model: ModelChoice
    private let terminal: TerminalSession
    private let sessionType: SessionType
    private let current: LockedValue<Session>
    private let lastUsage = LockedValue(LLMUsage())

    /// A console over `session` of `host`; history is kept in `historyPath` when given.
    public init(host: SessionHost, session: Session, model: ModelChoice, historyPath: String?) {
        self.host = host
        self.model = model
        sessionType = session.sessionType
        current = LockedValue(session)
        terminal = TerminalSession(historyPath: historyPath)
    }

    /// Whether a person is typing (a terminal), rather than a pipe.
    public var isInteractive: Bool { terminal.isInteractive }

    /// The first lines: the session, the model in use and the commands.
    public var banner: String {
        let session = current.withLock { $0 }
        let memory = session.adapters.names[.memory] ?? "none"
        return """
            trellis chat: session \(session.id) (\(session.sessionType.rawValue), \(session.status.snapshot.turnCount) turn(s) so far)
            model: \(model.summary)
            memory: \(memory). /help lists the commands; /quit leaves.
            """
    }

    /// Runs the conversation until the input ends or `/quit`; returns how many turns failed.
    public func run() async -> Int {
        if isInteractive {
            terminal.printLine(banner)
        } else {
            FileHandle.standardError.write(Data((banner + "\n").utf8))
        }
        let notices = host.manager.events.subscribe(topicPrefix: SessionManager.topic) { [terminal, isInteractive] event in
            let detail = event.fields["error"]?.stringValue ?? "generation \(event.fields["generation"]?.stringValue ?? "?")"
            let line = "[\(event.kind)] \(detail)"
            if isInteractive { terminal.printLine(line) } else { FileHandle.standardError.write(Data((line + "\n").utf8)) }
        }
        defer {
            host.manager.events.unsubscribe(notices)
            terminal.close()
        }
        var failures = 0
        loop: while true {
            switch await terminal.readLine(prompt: "> ") {
            case .endOfInput: break loop
            case .interrupted: continue
            case .line(let line):
                let message = line.trimmingCharacters(in: .whitespaces)
                if message.isEmpty { continue }
                if message.hasPrefix("/") {
                    switch await command(message) {
                    case .quit: break loop
                    case .handled: continue
                    case .notACommand: break
                    }
                }
                if await !turn(message) { failures += 1 }
            }
        }
        return failures
    }

    // MARK: Turns

    /// Runs one turn; streams the answer on a terminal. Returns whether it succeeded.
    private func turn(_ message: String) async -> Bool {
        let session = current.withLock { $0 }
        let streamed = LockedValue("")
        let token = isInteractive ? session.events.subscribe(topicPrefix: session.signalTopic) { [terminal] event in
            guard event.kind == "llm_delta", event.sessionID == session.id, let piece = event.fields["text"]?.string else { return }
            streamed.withLock { $0 += piece }
            terminal.write(piece)
        } : nil
        defer { token.map { session.events.unsubscribe($0) } }
        let task = Task { try await session.send(message) }
        terminal.onInterrupt { task.cancel() }
        defer { terminal.onInterrupt(nil) }
        do {
            let reply = try await task.value
            lastUsage.withLock { $0 = reply.usage }
            let shown = streamed.withLock { $0 }
            if shown.isEmpty {
                terminal.printLine(reply.reply)
            } else {
                terminal.finishLine()
                // The format node may change the answer (a prefix, tool results): show what was kept.
                if reply.reply != shown { terminal.printLine(reply.reply) }
            }
            if isInteractive { terminal.printLine("  (turn \(reply.turnCount), \(Self.describe(reply.latency))\(Self.describe(reply.usage)))") }
            return true
        } catch {
            terminal.finishLine()
            let text = task.isCancelled ? "trellis chat: turn cancelled; the conversation goes on" : "trellis chat: \(error)"
            if isInteractive { terminal.printLine(text) } else { FileHandle.standardError.write(Data((text + "\n").utf8)) }
            return false
        }
    }

    // MARK: Commands

    private enum CommandResult { case handled, quit, notACommand }

    /// The commands, with the help line each has.
    static let commands: [(name: String, help: String)] = [
        ("/help", "this list"),
        ("/quit", "leave (also /exit, or Ctrl-D)"),
        ("/new", "start a new session (the current one stays in the store)"),
        ("/model", "the model in use and how to choose another"),
        ("/usage", "tokens used by the last turn and by this session"),
        ("/memory", "what the long-term memory holds for this agent"),
    ]

    private func command(_ line: String) async -> CommandResult {
        let name = line.split(separator: " ", maxSplits: 1).first.map(String.init) ?? line
        let session = current.withLock { $0 }
        switch name {
        case "/quit", "/exit":
            return .quit
        case "/help":
            let width = (Self.commands.map(\.name.count).max() ?? 0) + 2
            terminal.printLine(Self.commands.map { $0.name.padding(toLength: width, withPad: " ", startingAt: 0) + $0.help }
                .joined(separator: "\n") + "\nAnything else is sent to the model. Ctrl-C cancels a running turn.")
        case "/new":
            do {
                let fresh = try await host.manager.create(SessionConfiguration(sessionType: sessionType))
                current.withLock { $0 = fresh }
                terminal.printLine("new session \(fresh.id)")
            } catch {
                terminal.printLine("trellis chat: \(error)")
            }
        case "/model":
            terminal.printLine("model: \(model.summary)\nChoose another with --llm, --model and --base-url, or in the configuration file (docs/configuration.md).")
        case "/usage":
            let total = session.status.snapshot.usage
            let last = lastUsage.withLock { $0 }
            terminal.printLine("last turn: \(last.input) input + \(last.output) output tokens\nthis session: \(total.input) input + \(total.output) output tokens")
        case "/memory":
            terminal.printLine(memoryReport(session))
        default:
            return .notACommand
        }
        return .handled
    }

    private func memoryReport(_ session: Session) -> String {
        let entries: [ContextValue]
        if let sqlite = session.adapters.set.memory as? SQLiteMemory {
            guard let stored = try? sqlite.stored(agentID: session.agentID) else { return "memory: cannot be read" }
            entries = stored
        } else if let inMemory = session.adapters.set.memory as? InMemoryMemory {
            entries = inMemory.stored(agentID: session.agentID)
        } else {
            return "memory: \(session.adapters.names[.memory] ?? "none") cannot be listed"
        }
        let recent = entries.suffix(5).map { "- " + ($0["input"]?.stringValue ?? $0.stringValue) }
        return "memory (\(session.adapters.names[.memory] ?? "?")): \(entries.count) entr\(entries.count == 1 ? "y" : "ies") for agent \(session.agentID)"
            + (recent.isEmpty ? "" : "; the latest:\n" + recent.joined(separator: "\n"))
    }

    private static func describe(_ duration: Duration) -> String {
        let microseconds = Double(duration.components.seconds) * 1e6 + Double(duration.components.attoseconds) / 1e12
        return microseconds >= 1000 ? "\(Double(Int(microseconds / 10)) / 100) ms" : "\(Int(microseconds)) µs"
    }

    private static func describe(_ usage: LLMUsage) -> String {
        usage == LLMUsage() ? "" : ", \(usage.input)+\(usage.output) tokens"
    }
}
