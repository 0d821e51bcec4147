import Foundation
import TrellisHosting
import TrellisSession

/// `trellis chat`: a conversation with one session, on the embedded defaults when no flags are given.
struct ChatCommand: TrellisCommand {
    static let name = "chat"
    static let summary = "talk to a session through a model (graphs and plugins reload live)"

    /// The command's syntax: operands and the option table help and scanner share.
    static let syntax = OptionTable(command: "trellis chat", options: SessionHostOptions.modelOptions + [
        SessionHostOptions.pluginDirectory, SessionHostOptions.pluginCallTimeout, SessionHostOptions.turnGraph, SessionHostOptions.heartbeatGraph,
        .value("type", "TYPE", "primary (default), background, delegation or consultation"),
        SessionHostOptions.store,
        .value("session", "ID", "the session id (resumed from --store when it is there)"),
        SessionHostOptions.durability, SessionHostOptions.leaseTTL, SessionHostOptions.hostID, SessionHostOptions.llmLatency,
        SessionHostOptions.retainMessages, SessionHostOptions.retainTurns,
    ])

    static let help = syntax.help("""
        A conversation with one session. The model is the one --llm (or the configuration file)
        names; without one, a provider whose API key is in the environment, else a local
        OpenAI-compatible server (Ollama, llama.cpp), else an offline model that says so and shows
        what the turn graph did. The banner names the model in use. Answers stream as they arrive;
        Ctrl-C cancels a running turn. Long-term memory is SQLite in the data directory.
        With --store and --session the conversation survives a restart. With a PostgreSQL store
        the session is leased to this chat while it runs (--lease-ttl, --host-id), so a
        `trellis serve` host sharing the store answers it 'leased' meanwhile, and the chat
        refuses a session another host holds, naming that host. Reading from a pipe, it
        answers one message per input line (the reply alone; the banner goes to standard error).
        Commands: /help, /quit, /new, /model, /usage, /memory.

        Examples:
          trellis chat --llm openai --model gpt-5.4            (OPENAI_API_KEY in the environment)
          trellis chat --llm anthropic --model claude-sonnet-4-6
          trellis chat --llm openai --base-url http://127.0.0.1:11434/v1 --model llama3.2
        """)

    static func run(_ arguments: [String]) async -> Int32 {
        let scanner: ArgumentScanner
        let settings: SessionHost.Settings
        let type: SessionType
        do {
            scanner = try syntax.scan(arguments)
            guard scanner.positionals.isEmpty else { throw UsageError("unexpected argument '\(scanner.positionals[0])'") }
            type = try SessionType.named(scanner.value("type") ?? "primary")
            settings = try await SessionHostOptions.hostSettings(from: scanner)
        } catch {
            Console.error("trellis chat: \(error)")
            return ExitCode.usage
        }
        let host: SessionHost
        let session: Session
        do {
            host = try await SessionHost.start(settings)
            if let id = scanner.value("session"), let existing = try await resume(id, in: host) {
                session = existing
            } else {
                session = try await host.manager.create(SessionConfiguration(sessionID: scanner.value("session"), sessionType: type))
            }
        } catch {
            Console.error("trellis chat: \(error)")
            return ExitCode.failure
        }
        let console = ChatConsole(host: host, session: session, model: settings.model ?? .simulated,
                                  historyPath: settings.dataDirectory.map { $0 + "/chat-history" })
        let failures = await console.run()
        await host.shutdown()
        return failures == 0 ? ExitCode.success : ExitCode.failure
    }

    /// The stored session `id` to resume, or `nil` when the store has none by that id (or it
    /// was stopped): a new one is made then. A PostgreSQL store's session is taken on its
    /// lease; one that another host holds is refused, naming the host.
    private static func resume(_ id: String, in host: SessionHost) async throws -> Session? {
        do {
            return try await host.manager.resolve(id)
        } catch {
            switch error {
            case .notFound, .stopped: return nil
            default: throw error
            }
        }
    }
}
