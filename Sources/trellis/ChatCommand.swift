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

    /// The command's syntax: operands and the option table help and scanner share.
    static let syntax = OptionTable(command: "trellis chat", options: [
        SessionHostOptions.pluginDirectory, SessionHostOptions.turnGraph, SessionHostOptions.heartbeatGraph,
        .value("type", "TYPE", "primary (default), background, delegation or consultation"),
        SessionHostOptions.store,
        .value("session", "ID", "the session id (resumed from --store when it is there)"),
        SessionHostOptions.durability, SessionHostOptions.llmLatency,
        SessionHostOptions.retainMessages, SessionHostOptions.retainTurns,
    ])

    static let help = syntax.help("""
        An interactive conversation with one session. Needs no flags and no network: the
        built-in graphs and the simulated LLM answer. While a turn runs the phase is shown;
        after it, the turn's latency. Edits to the graph files or plugins are picked up live.
        With --store and --session the conversation survives a restart. Reading from a pipe,
        it answers one message per input line (the reply alone, one line each).
        Type /quit (or end the input) to leave.
        """)

    static func run(_ arguments: [String]) async -> Int32 {
        let scanner: ArgumentScanner
        let settings: SessionHost.Settings
        let type: SessionType
        do {
            scanner = try syntax.scan(arguments)
            guard scanner.positionals.isEmpty else { throw UsageError("unexpected argument '\(scanner.positionals[0])'") }
            settings = try SessionHostOptions.settings(from: scanner)
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
