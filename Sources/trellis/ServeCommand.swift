#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import TrellisEngine
import TrellisHosting
import TrellisSession

/// `trellis serve --stdio`: sessions over JSON-RPC 2.0 on standard input and output.
struct ServeCommand: TrellisCommand {
    static let name = "serve"
    static let summary = "serve sessions over JSON-RPC 2.0 on stdin/stdout (see docs/protocol.md)"

    /// The command's syntax: operands and the option table help and scanner share.
    static let syntax = OptionTable(command: "trellis serve", options: [
        .flag("stdio", required: true, "speak the protocol on standard input and output (required)"),
    ] + SessionHostOptions.modelOptions + [
        SessionHostOptions.pluginDirectory, SessionHostOptions.pluginCallTimeout, SessionHostOptions.store, SessionHostOptions.durability,
        SessionHostOptions.leaseTTL, SessionHostOptions.hostID,
        SessionHostOptions.turnGraph, SessionHostOptions.heartbeatGraph, SessionHostOptions.llmLatency,
        SessionHostOptions.noHeartbeats, SessionHostOptions.heartbeatInterval,
        .value("events", "FILE", "also append every event to FILE as JSON lines"),
        .value("max-line-bytes", "N", "refuse request lines longer than N bytes (default 8388608)"),
        .value("max-message-bytes", "N", "refuse session.send messages longer than N bytes (default 1048576)"),
        SessionHostOptions.retainMessages, SessionHostOptions.retainTurns,
    ])

    static let help = syntax.help("""
        Serves sessions over JSON-RPC 2.0, one message per line on standard input, one response
        or notification per line on standard output (the protocol is in docs/protocol.md).
        Diagnostics go to standard error. The server stops at end of input. The model, memory and
        tools are chosen as for 'trellis chat' (--llm, the configuration file, the environment);
        the line saying the server is ready names them. Streamed answers arrive as llm_delta
        notifications to subscribers.
        """)

    static func run(_ arguments: [String]) async -> Int32 {
        let scanner: ArgumentScanner
        let settings: SessionHost.Settings
        let limits: (line: Int, message: Int)
        do {
            scanner = try syntax.scan(arguments)
            guard scanner.flag("stdio") else { throw UsageError("give --stdio (the only transport); see 'trellis help serve'") }
            guard scanner.positionals.isEmpty else { throw UsageError("unexpected argument '\(scanner.positionals[0])'") }
            settings = try await SessionHostOptions.hostSettings(from: scanner)
            limits = (
                try scanner.number("max-line-bytes", minimum: 1) { "--max-line-bytes needs a positive whole number, not '\($0)'" }
                    ?? SessionRPCServer.defaultMaximumLineBytes,
                try scanner.number("max-message-bytes", minimum: 1) { "--max-message-bytes needs a positive whole number, not '\($0)'" }
                    ?? SessionRPCServer.defaultMaximumMessageBytes)
        } catch {
            Console.error("trellis serve: \(error)")
            return ExitCode.usage
        }
        let host: SessionHost
        do {
            host = try await SessionHost.start(settings)
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
        // A client that stops reading must not kill the server with SIGPIPE: the failed write
        // stops it instead. SIGTERM and SIGINT stop it the same way: in-flight requests get
        // the drain time, the store is committed, and the exit status is 0.
        signal(SIGPIPE, SIG_IGN)
        let stop = ServeStop()
        let signals = [SIGTERM, SIGINT].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { stop.request(number == SIGTERM ? "SIGTERM" : "SIGINT") }
            source.resume()
            return source
        }
        let plugins = host.plugins
        let server = SessionRPCServer(
            manager: host.manager, output: JSONLinesEventWriter(descriptor: STDOUT_FILENO),
            pluginReloader: plugins.map { plugins in { @Sendable in plugins.reloadForRPC() } },
            maximumLineBytes: limits.line, maximumMessageBytes: limits.message)
        Console.error("trellis serve: ready (\(host.manager.count) session(s) restored\(settings.storePath.map { ", store \(StoreLocation($0)), durability \(settings.durability.rawValue)" } ?? ""); model: \((settings.model ?? .simulated).summary); memory: \(settings.memory ?? "in_memory"))")
        for corrupt in host.manager.corruptSessions {
            Console.error("trellis serve: session '\(corrupt.sessionID)' not restored: \(corrupt.reason); requests for it are refused")
        }
        await server.serve(stop: stop)
        signals.forEach { $0.cancel() }
        await host.shutdown()
        if let reason = stop.reason { Console.error("trellis serve: stopped (\(reason)); in-flight requests drained, store committed") }
        return ExitCode.success
    }
}
