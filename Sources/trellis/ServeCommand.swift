#if canImport(Glibc)
import Glibc
#endif
import TrellisEngine
import TrellisHosting
import TrellisSession

/// `trellis serve --stdio`: sessions over JSON-RPC 2.0 on standard input and output.
struct ServeCommand: TrellisCommand {
    static let name = "serve"
    static let summary = "serve sessions over JSON-RPC 2.0 on stdin/stdout (see docs/protocol.md)"
    static let help = """
        Usage: trellis serve --stdio [--plugin-dir DIR]... [--store FILE] [--durability off|batched|sync]
                             [--turn-graph FILE] [--heartbeat-graph FILE] [--llm-latency-ms N]
                             [--no-heartbeats] [--heartbeat-interval TYPE=MS]... [--events FILE]
                             [--retain-messages N] [--retain-turns N]

        Serves sessions over JSON-RPC 2.0, one message per line on standard input, one response
        or notification per line on standard output (the protocol is in docs/protocol.md).
        Diagnostics go to standard error. The server stops at end of input.

        Options:
          --stdio             speak the protocol on standard input and output (required)
          --plugin-dir DIR    load node types and adapters from plugins in DIR (repeatable)
          --store FILE        keep sessions in this SQLite file; sessions in it are resumed
          --durability MODE   off, batched or sync (default sync: a reply is sent only after
                              its turn is committed and synced)
          --turn-graph FILE   the turn graph (default Graphs/session/turn.dot, else built in)
          --heartbeat-graph FILE
                              the heartbeat graph (default Graphs/session/heartbeat.dot, else built in)
          --llm-latency-ms N  latency of the built-in simulated LLM (default 0)
          --no-heartbeats     do not run scheduled heartbeats
          --heartbeat-interval TYPE=MS
                              heartbeat sessions of TYPE every MS milliseconds, 0 for never
                              (repeatable; defaults: primary 30000, background 10000,
                              delegation and consultation never)
          --events FILE       also append every event to FILE as JSON lines
          --retain-messages N keep at most N messages per session in the store (default all;
                              a restored session then starts with at most its last N messages)
          --retain-turns N    keep at most N journal entries per session in the store (default all)
        """

    static func run(_ arguments: [String]) async -> Int32 {
        let scanner: ArgumentScanner
        let settings: SessionHost.Settings
        do {
            scanner = try ArgumentScanner(arguments, options: [
                .init(name: "stdio", takesValue: false), .init(name: "plugin-dir", takesValue: true),
                .init(name: "store", takesValue: true), .init(name: "durability", takesValue: true),
                .init(name: "turn-graph", takesValue: true), .init(name: "heartbeat-graph", takesValue: true),
                .init(name: "llm-latency-ms", takesValue: true), .init(name: "no-heartbeats", takesValue: false),
                .init(name: "events", takesValue: true), .init(name: "retain-messages", takesValue: true),
                .init(name: "retain-turns", takesValue: true), .init(name: "heartbeat-interval", takesValue: true),
            ])
            guard scanner.flag("stdio") else {
                throw ArgumentScanner.UsageError(description: "give --stdio (the only transport); see 'trellis help serve'")
            }
            guard scanner.positionals.isEmpty else {
                throw ArgumentScanner.UsageError(description: "unexpected argument '\(scanner.positionals[0])'")
            }
            settings = try ChatCommand.hostSettings(scanner)
        } catch {
            Console.error("trellis serve: \(error)")
            return ExitCode.usage
        }
        let host: SessionHost
        do {
            host = try SessionHost(settings)
        } catch {
            Console.error("trellis serve: \(error)")
            return ExitCode.failure
        }
        if let path = scanner.value("events") {
            do {
                try JSONLinesEventWriter(path: path).attach(to: host.manager.events)
            } catch {
                Console.error("trellis serve: \(error)")
                return ExitCode.usage
            }
        }
        let plugins = host.plugins
        let server = SessionRPCServer(
            manager: host.manager, output: JSONLinesEventWriter(descriptor: STDOUT_FILENO),
            pluginReloader: plugins.map { plugins in { @Sendable in plugins.reloadForRPC() } })
        Console.error("trellis serve: ready (\(host.manager.count) session(s) restored\(settings.storePath.map { ", store \($0), durability \(settings.durability.rawValue)" } ?? ""))")
        await server.serve()
        await host.shutdown()
        return ExitCode.success
    }
}
