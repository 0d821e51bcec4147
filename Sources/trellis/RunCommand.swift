import Foundation
import TrellisDOT
import TrellisEngine
import TrellisHosting
import TrellisPluginHost

/// `trellis run FILE`: runs a pipeline to its end with the built-in node types and any plugins.
struct RunCommand: TrellisCommand {
    static let name = "run"
    static let summary = "run a pipeline graph (checkpointed; resumable with --resume)"

    /// The command's syntax: operands and the option table help and scanner share.
    static let syntax = OptionTable(command: "trellis run", operands: "FILE", options: [
        .value("set", "KEY=VALUE", repeatable: true, "put VALUE (text) in the run's context under KEY (repeatable)"),
        .value("logs", "DIR", """
            the run directory (default: .trellis-runs/<graph>-<UTC timestamp>
            under the current directory); it must not already hold a run
            """),
        .value("workdir", "DIR", "where tool commands run (default: the current directory)"),
        .value("resume", "RUN_DIR", "continue the run in RUN_DIR from its checkpoint"),
        .value("events", "PATH|-", "write run events as JSON lines to PATH, or '-' for standard output"),
        .value("interviewer", "console|auto|FILE", """
            who answers human gates: 'console' (the terminal), 'auto' (always the
            first choice), or a FILE of scripted answers; default: console when
            standard input is a terminal, otherwise none (human gates then fail)
            """),
        .value("durability", "off|batched|sync", """
            when checkpoint.json is synced to disk: after every node (sync), at
            most every 100 ms and at the end (batched, the default), or never
            (off); it is replaced atomically after every node in every mode.
            The configuration's run.durability sets the default
            """),
        .value("max-steps", "N", "fail the run after N node executions (default: the graph's max_steps,\nelse 1000)"),
        .value("plugin-dir", "DIR", repeatable: true, """
            load node types and adapters from the plugins in DIR (repeatable;
            $TRELLIS_PLUGIN_PATH adds more, colon-separated)
            """),
        SessionHostOptions.pluginCallTimeout,
        .value("adapter", "NAME", repeatable: true, """
            use the plugin adapter NAME (see 'trellis plugins list') for its kind
            (llm, memory or tools); repeatable, one per kind
            """),
        .flag("watch", """
            after the run, run again (in a new run directory) whenever FILE changes
            or a plugin in the plugin directories is added, changed or removed;
            a run in progress keeps the graph and plugins it started with
            """),
        .flag("simulate", """
            walk the pipeline safely: LLM stages answer from the built-in
            simulation and tool nodes record their command without running it
            """),
        .flag("json", #"print {"status","completed_nodes","context","run_dir","failure_reason"}"#),
        .flag("spec-routing", """
            route as the specification's pseudocode does where Trellis deliberately
            does not: with no eligible edge follow the best edge even if its condition
            is false, check only goal gates that ran, and end a run at a dead end that
            did not fail in success (docs/semantics.md)
            """),
        SessionHostOptions.config,
        .value("llm", "PROVIDER", """
            the model provider for LLM stages: openai, anthropic, gemini or simulated
            (default: each stage's llm_provider or llm_model, else the provider whose
            API key is set); a plugin's LLM adapter is chosen with --adapter
            """),
        SessionHostOptions.model, SessionHostOptions.baseURL,
    ])

    static let help = syntax.help("""
        Parses, validates and runs the pipeline in FILE. The run directory holds manifest.json,
        checkpoint.json (rewritten atomically after every node), and one folder per node with its
        status.json and artifacts (prompt.md, response.md, command output). A run that was killed
        or interrupted continues where it stopped with --resume RUN_DIR (FILE may then be omitted:
        the manifest names it).
        """, epilogue: """
        LLM stages talk to a real model: the provider --llm (or the configuration file) names, else
        the one a stage's llm_provider or llm_model attribute implies (gpt-* openai, claude-*
        anthropic, gemini-* gemini), else the provider whose API key is in the environment. A
        pipeline with LLM stages that no provider can serve is refused before anything runs;
        --simulate walks it with the built-in simulation instead. The manifest names the model
        and records the tokens used. Examples:
          trellis run plan.dot --llm openai --model gpt-5.4             (OPENAI_API_KEY set)
          trellis run plan.dot --llm openai --base-url http://127.0.0.1:11434/v1 --model llama3.2

        SIGINT (Ctrl-C) or SIGTERM stops the run gracefully: no further node starts, the running
        tool's process group is ended, and the command that resumes the run is printed; a second
        signal stops at once. At the end, the command that draws the run is printed
        (trellis graph FILE --svg --run RUN_DIR). With --events -, standard output carries only
        the event lines. See docs/pipeline-runs.md.

        Exit status: 0 when the run succeeded, 1 when it failed (or ended without success),
        2 for wrong usage or an invalid pipeline, 130 or 143 when SIGINT or SIGTERM stopped it.
        """)

    /// Everything the command line asked for.
    struct Settings {
        /// The arguments as given (the resume command is derived from them).
        var arguments: [String] = []
        var file: String?
        var values: [String: ContextValue] = [:]
        var logs: String?
        var workdir: String?
        var resume: String?
        var events: String?
        var interviewer: String?
        var maxSteps: Int?
        var durability = RunDurability.batched
        var pluginDirectories: [String] = []
        /// `--plugin-call-timeout`, else the configuration's `plugin_call_timeout`; `nil`: the host's default.
        var pluginCallTimeout: Duration?
        var adapterNames: [String] = []
        var simulate = false
        var json = false
        var watch = false
        var specRouting = false
        /// The configuration file's model section with --llm, --model and --base-url applied.
        var model = HostConfiguration.Model()
        /// What tool commands may not inherit (the configuration's `tool_env`).
        var secrets = SecretVariables()
    }

    static func run(_ arguments: [String]) async -> Int32 {
        let settings: Settings
        do {
            settings = try parse(arguments)
        } catch {
            Console.error("trellis run: \(error)")
            return ExitCode.usage
        }
        guard let named = settings.file ?? settings.resume.flatMap({ RunDirectory.source(ofRunIn: $0) }) else {
            Console.error("trellis run: no FILE given; usage: trellis run FILE [options] (see 'trellis help run')")
            return ExitCode.usage
        }
        // Absolute, so the manifest lets --resume find the file from any directory.
        let file = named.hasPrefix("/") ? named : FileManager.default.currentDirectoryPath + "/" + named

        guard let plugins = PluginSetup.loadHost(pluginDirectories: settings.pluginDirectories,
                                                  callTimeout: settings.pluginCallTimeout ?? PluginHost.defaultCallTimeout, report: { Console.error("trellis run: \($0)") }) else {
            return ExitCode.usage
        }
        let generation = plugins.current
        let adapters: AdapterSet
        do {
            adapters = try generation.adapterSet(named: settings.adapterNames)
        } catch {
            Console.error("trellis run: --adapter \(error)")
            return ExitCode.usage
        }

        guard settings.watch else {
            return await runOnce(file: file, settings: settings, registry: generation.registry, adapters: adapters)
        }
        return await watchAndRun(file: file, settings: settings, plugins: plugins, adapterNames: settings.adapterNames)
    }

    /// Loads, validates and runs `file` once on `registry`; returns the exit code.
    static func runOnce(file: String, settings: Settings, registry: HandlerRegistry, adapters: AdapterSet) async -> Int32 {
        let graph: CompiledGraph
        do {
            graph = try PipelineLoader.load(path: file, registry: registry)
        } catch {
            let lines = (try? String(contentsOfFile: file, encoding: .utf8)).map(SourceLineIndex.init)
            for diagnostic in error.diagnostics { Console.error(diagnostic.rendered(lines: lines)) }
            let errors = error.diagnostics.filter { $0.severity == .error }.count
            Console.error("trellis run: \(file) cannot be run: \(errors) error(s)")
            return ExitCode.usage
        }
        if !settings.json {
            let warnings = graph.warnings.filter { $0.severity == .warning }.count
            if warnings > 0 { Console.error("trellis run: \(file): \(warnings) validation warning(s); see 'trellis validate \(file)'") }
        }
        let prepared: PipelineModel.Prepared
        do {
            prepared = try await PipelineModel.prepare(
                graph: graph, adapters: adapters, simulate: settings.simulate, model: settings.model,
                environment: ProcessInfo.processInfo.environment)
        } catch {
            Console.error("trellis run: \(file): \(error)")
            return ExitCode.usage
        }

        let workdir = settings.workdir ?? FileManager.default.currentDirectoryPath
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: workdir, isDirectory: &isDirectory), isDirectory.boolValue else {
            Console.error("trellis run: --workdir \(workdir) is not a directory")
            return ExitCode.usage
        }

        let runDirectory: String
        if let resume = settings.resume {
            guard FileManager.default.fileExists(atPath: resume + "/checkpoint.json") else {
                Console.error("trellis run: --resume \(resume): no checkpoint.json there; give the directory of a run that was started with trellis run")
                return ExitCode.usage
            }
            runDirectory = resume
        } else {
            runDirectory = settings.logs ?? RunDirectory.defaultPath(for: graph)
            if FileManager.default.fileExists(atPath: runDirectory + "/checkpoint.json") {
                Console.error("trellis run: \(runDirectory) already holds a run; continue it with --resume \(runDirectory), or choose another --logs DIR")
                return ExitCode.usage
            }
            do {
                try RunFiles.createDirectory(runDirectory)
            } catch {
                Console.error("trellis run: \(error)")
                return ExitCode.usage
            }
        }

        let interviewer: (any Interviewer)?
        do {
            interviewer = try makeInterviewer(settings.interviewer)
        } catch {
            Console.error("trellis run: --interviewer: \(error)")
            return ExitCode.usage
        }

        var sinks: [any EventSink] = []
        var eventFile: JSONLinesEventSink?
        if let events = settings.events {
            do {
                let sink = try JSONLinesEventSink(path: events)
                eventFile = sink
                sinks.append(sink)
            } catch {
                Console.error("trellis run: --events: \(error)")
                return ExitCode.usage
            }
        }
        let showsProgress = isatty(STDERR_FILENO) != 0 && !settings.json && settings.events != "-"
        if showsProgress { sinks.append(ProgressPrinter()) }

        let services = RunServices(
            runDirectory: runDirectory, workingDirectory: workdir,
            events: sinks.isEmpty ? DiscardingEventSink() : FanOutEventSink(sinks),
            simulate: settings.simulate, interviewer: interviewer, secrets: settings.secrets)
        let options = RunOptions(maxSteps: settings.maxSteps, resumeFrom: settings.resume, specRouting: settings.specRouting,
                                 durability: settings.durability)
        let run = Task {
            await Engine().run(graph, context: Context(settings.values), adapters: prepared.adapters, services: services, options: options)
        }
        let resumeHint = "trellis run: the checkpoint is \(runDirectory)/checkpoint.json; continue with:\n  "
            + resumeCommand(settings.arguments, runDirectory: runDirectory)
        let signals = RunStopSignals(resumeHint: resumeHint) { run.cancel() }
        let result = await run.value
        signals.remove()
        eventFile?.close()
        if let router = prepared.router {
            do {
                try PipelineModel.recordUsage(router.totalUsage, inRunDirectory: runDirectory)
            } catch {
                Console.error("trellis run: the manifest could not record the tokens used: \(error)")
            }
        }

        // With `--events -` standard output carries the event lines only; the summary goes to standard error.
        let toStandardError = settings.events == "-"
        let report = { (text: String) in toStandardError ? Console.error(text) : Console.out(text) }
        if settings.json {
            report(result.jsonSummary(runDirectory: runDirectory))
        } else {
            report(result.timingTable)
            if result.status == .success {
                report("run succeeded: \(result.completedNodes.count) node execution(s); run directory: \(runDirectory)")
            } else {
                report("run \(result.status == .fail ? "failed" : "ended with status \(result.status.rawValue)"): "
                    + (result.failureReason ?? "no reason given") + "\nrun directory: \(runDirectory)")
            }
        }
        // Where the picture of this run can be made (the graph file is known once the run has a manifest).
        let note = { (text: String) in settings.json ? Console.error(text) : report(text) }
        note("picture of this run: " + ["trellis", "graph", file, "--svg", "--run", runDirectory, "--output", runDirectory + "/run.svg"]
            .map(ShellQuoting.quoted).joined(separator: " "))
        if result.wasCancelled {
            Console.error(resumeHint)
            if let signal = signals.receivedSignal { return RunStopSignals.exitCode(for: signal) }
        }
        return result.status == .success ? ExitCode.success : ExitCode.failure
    }

    /// The command line that continues the run in `runDirectory`: the original arguments
    /// without FILE, `--logs`, `--set` and `--resume` (the checkpoint holds the graph's path,
    /// the context and the directory), with `--resume DIR`, quoted for a POSIX shell.
    static func resumeCommand(_ arguments: [String], runDirectory: String) -> String {
        var kept: [String] = []
        var index = 0
        let dropsValue: Set<String> = ["--logs", "--set", "--resume"]
        var optionsEnded = false
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if optionsEnded || argument == "-" || !argument.hasPrefix("-") { continue }
            if argument == "--" { optionsEnded = true; continue }
            let name = argument.split(separator: "=", maxSplits: 1).first.map(String.init) ?? argument
            let takesValue = syntax.options.first { "--" + $0.name == name }?.takesValue ?? false
            let value: String? = takesValue && !argument.contains("=") && index < arguments.count ? arguments[index] : nil
            if value != nil { index += 1 }
            if dropsValue.contains(name) { continue }
            kept.append(argument)
            if let value { kept.append(value) }
        }
        return (["trellis", "run", "--resume", runDirectory] + kept).map(ShellQuoting.quoted).joined(separator: " ")
    }

    private static func parse(_ arguments: [String]) throws(UsageError) -> Settings {
        let scanner = try syntax.scan(arguments)
        guard scanner.positionals.count <= 1 else {
            throw UsageError("one FILE at a time; got \(scanner.positionals.joined(separator: " "))")
        }
        var settings = Settings()
        settings.arguments = arguments
        settings.file = scanner.positionals.first
        for pair in scanner.values("set") {
            guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
                throw UsageError("--set \(pair): write KEY=VALUE")
            }
            settings.values[String(pair[..<equals])] = .string(String(pair[pair.index(after: equals)...]))
        }
        settings.logs = scanner.value("logs")
        settings.workdir = scanner.value("workdir")
        settings.resume = scanner.value("resume")
        settings.events = scanner.value("events")
        settings.interviewer = scanner.value("interviewer")
        settings.maxSteps = try scanner.number("max-steps", minimum: 1) { "--max-steps \($0): give a positive whole number" }
        if settings.resume != nil, settings.logs != nil {
            throw UsageError("--resume and --logs together: a resumed run keeps writing to RUN_DIR")
        }
        settings.pluginDirectories = scanner.values("plugin-dir")
        settings.pluginCallTimeout = try SessionHostOptions.pluginCallTimeout(from: scanner)
        settings.adapterNames = scanner.values("adapter")
        settings.watch = scanner.flag("watch")
        if settings.watch, settings.resume != nil || settings.logs != nil {
            throw UsageError("--watch starts a new run directory for every run; it cannot be combined with --resume or --logs")
        }
        settings.simulate = scanner.flag("simulate")
        settings.json = scanner.flag("json")
        settings.specRouting = scanner.flag("spec-routing")
        do {
            let configuration = try SessionHostOptions.configuration(from: scanner)
            settings.model = configuration.model
            settings.secrets = configuration.toolSecrets
            settings.pluginDirectories = configuration.pluginDirectories + settings.pluginDirectories
            settings.pluginCallTimeout = settings.pluginCallTimeout ?? configuration.pluginCallTimeout
            // The configuration's value was checked against the same names when it was read.
            if let mode = configuration.runDurability { settings.durability = try RunDurability.named(mode) }
        } catch {
            throw UsageError("\(error)")
        }
        if let mode = scanner.value("durability") {
            do {
                settings.durability = try RunDurability.named(mode)
            } catch {
                throw UsageError("--durability: \(error)")
            }
        }
        return settings
    }

    private static func makeInterviewer(_ choice: String?) throws -> (any Interviewer)? {
        switch choice {
        case nil: return Console.inputIsTerminal ? ConsoleInterviewer() : nil
        case "console": return ConsoleInterviewer()
        case "auto": return AutoApproveInterviewer()
        case let path?: return try ScriptedInterviewer(contentsOfFile: path)
        }
    }
}
