#if canImport(Glibc)
import Glibc
#endif
import TrellisEngine
import TrellisHosting
import TrellisSession

/// `trellis chat`: a conversation with one session, on the embedded defaults when no flags are given.
struct ChatCommand: TrellisCommand {
    static let name = "chat"
    static let summary = "talk to a session (graphs and plugins reload live)"
    static let help = """
        Usage: trellis chat [--plugin-dir DIR]... [--turn-graph FILE] [--heartbeat-graph FILE]
                            [--type TYPE] [--store FILE] [--session ID] [--durability MODE]
                            [--llm-latency-ms N] [--retain-messages N] [--retain-turns N]

        An interactive conversation with one session. Needs no flags and no network: the
        built-in graphs and the simulated LLM answer. While a turn runs the phase is shown;
        after it, the turn's latency. Edits to the graph files or plugins are picked up live.
        With --store and --session the conversation survives a restart. Reading from a pipe,
        it answers one message per input line (the reply alone, one line each).
        Type /quit (or end the input) to leave.

        Options:
          --plugin-dir DIR    load node types and adapters from plugins in DIR (repeatable)
          --turn-graph FILE   the turn graph (default Graphs/session/turn.dot, else built in)
          --heartbeat-graph FILE
                              the heartbeat graph (default Graphs/session/heartbeat.dot, else built in)
          --type TYPE         primary (default), background, delegation or consultation
          --store FILE        keep the session in this SQLite file
          --session ID        the session id (resumed from --store when it is there)
          --durability MODE   off, batched or sync (default sync)
          --llm-latency-ms N  latency of the simulated LLM (default 0)
          --retain-messages N keep at most N messages per session in the store (default all)
          --retain-turns N    keep at most N journal entries per session in the store (default all)
        """

    static func run(_ arguments: [String]) async -> Int32 {
        let scanner: ArgumentScanner
        let settings: SessionHost.Settings
        let type: SessionType
        do {
            scanner = try ArgumentScanner(arguments, options: [
                .init(name: "plugin-dir", takesValue: true), .init(name: "turn-graph", takesValue: true),
                .init(name: "heartbeat-graph", takesValue: true), .init(name: "type", takesValue: true),
                .init(name: "store", takesValue: true), .init(name: "session", takesValue: true),
                .init(name: "durability", takesValue: true), .init(name: "llm-latency-ms", takesValue: true),
                .init(name: "retain-messages", takesValue: true), .init(name: "retain-turns", takesValue: true),
            ])
            guard scanner.positionals.isEmpty else {
                throw ArgumentScanner.UsageError(description: "unexpected argument '\(scanner.positionals[0])'")
            }
            settings = try hostSettings(scanner)
            type = try SessionType.named(scanner.value("type") ?? "primary")
        } catch {
            Console.error("trellis chat: \(error)")
            return ExitCode.usage
        }
        let host: SessionHost
        let session: Session
        do {
            host = try SessionHost(settings)
            if let id = scanner.value("session"), let existing = host.manager.session(id) {
                session = existing
            } else {
                session = try await host.manager.create(SessionConfiguration(sessionID: scanner.value("session"), sessionType: type))
            }
        } catch {
            Console.error("trellis chat: \(error)")
            return ExitCode.failure
        }
        let interactive = Console.inputIsTerminal
        if interactive {
            Console.out("trellis chat: session \(session.id) (\(session.sessionType.rawValue), \(session.turnCount) turn(s) so far). /quit to leave.")
            host.manager.events.subscribe(topicPrefix: SessionManager.topic) { event in
                let detail = event.fields["error"]?.stringValue ?? "generation \(event.fields["generation"]?.stringValue ?? "?")"
                Console.error("[\(event.kind)] \(detail)")
            }
            prompt()
        }
        var failures = 0
        for await line in LineReader.lines(from: STDIN_FILENO) {
            let message = line.trimmingCharacters(in: .whitespaces)
            if message.isEmpty {
                if interactive { prompt() }
                continue
            }
            if interactive && (message == "/quit" || message == "/exit") { break }
            let phases = interactive ? showPhases(of: session) : nil
            do {
                let reply = try await session.send(message)
                phases?.cancel()
                if interactive {
                    clearPhase()
                    Console.out(reply.reply)
                    Console.out("  (turn \(reply.turnCount), \(formatLatency(reply.latency)))")
                } else {
                    Console.out(reply.reply)
                }
                fflush(nil)
            } catch {
                phases?.cancel()
                if interactive { clearPhase() }
                Console.error("trellis chat: \(error)")
                failures += 1
            }
            if interactive { prompt() }
        }
        await host.shutdown()
        return failures == 0 ? ExitCode.success : ExitCode.failure
    }

    /// Settings shared with `trellis serve`.
    static func hostSettings(_ scanner: ArgumentScanner) throws -> SessionHost.Settings {
        var settings = SessionHost.Settings()
        settings.pluginDirectories = scanner.values("plugin-dir")
        settings.turnGraphPath = scanner.value("turn-graph")
        settings.heartbeatGraphPath = scanner.value("heartbeat-graph")
        settings.storePath = scanner.value("store")
        if let mode = scanner.value("durability") { settings.durability = try Durability.named(mode) }
        if let text = scanner.value("llm-latency-ms") {
            guard let milliseconds = Int(text), milliseconds >= 0 else {
                throw ArgumentScanner.UsageError(description: "--llm-latency-ms needs a whole number of milliseconds, not '\(text)'")
            }
            settings.llmLatency = .milliseconds(milliseconds)
        }
        if scanner.flag("no-heartbeats") { settings.heartbeats = .disabled }
        for setting in scanner.values("heartbeat-interval") {
            let parts = setting.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let type = SessionType(rawValue: parts[0]), let milliseconds = Int(parts[1]), milliseconds >= 0 else {
                throw ArgumentScanner.UsageError(description: "--heartbeat-interval needs TYPE=MS (MS 0 turns the type's heartbeats off), not '\(setting)'; types: primary, background, delegation, consultation")
            }
            settings.heartbeats[type] = HeartbeatSettings(enabled: milliseconds > 0, interval: .milliseconds(max(milliseconds, 1)))
        }
        settings.retainMessages = try count(scanner, "retain-messages")
        settings.retainTurns = try count(scanner, "retain-turns")
        return settings
    }

    private static func count(_ scanner: ArgumentScanner, _ name: String) throws -> Int? {
        guard let text = scanner.value(name) else { return nil }
        guard let value = Int(text), value > 0 else {
            throw ArgumentScanner.UsageError(description: "--\(name) needs a positive whole number, not '\(text)'")
        }
        return value
    }

    private static func prompt() {
        fflush(nil)
        let text = "> "
        _ = text.withCString { write(STDOUT_FILENO, $0, 2) }
    }

    /// Shows the session's phase on the current line while a turn runs (polls the status, which never waits for the turn).
    private static func showPhases(of session: Session) -> Task<Void, Never> {
        Task.detached {
            var shown: SessionPhase?
            while !Task.isCancelled {
                let phase = session.phase
                if phase != shown && phase != .idle {
                    fflush(nil)
                    let text = "\r\u{1B}[K[\(phase.rawValue)]"
                    _ = text.withCString { write(STDOUT_FILENO, $0, strlen($0)) }
                    shown = phase
                }
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
    }

    private static func clearPhase() {
        fflush(nil)
        let text = "\r\u{1B}[K"
        _ = text.withCString { write(STDOUT_FILENO, $0, strlen($0)) }
    }

    private static func formatLatency(_ duration: Duration) -> String {
        let parts = duration.components
        let microseconds = Double(parts.seconds) * 1e6 + Double(parts.attoseconds) / 1e12
        return microseconds >= 1000 ? "\(Double(Int(microseconds / 10)) / 100) ms" : "\(Int(microseconds)) µs"
    }
}
