import Foundation
import TrellisDOT

/// The tool node (`tool`, shape `parallelogram`): runs the node's `tool_command` as a
/// shell script, `/bin/sh -c SCRIPT`, in the run's working directory.
///
/// - The script is the `tool_command` attribute with its escapes resolved (`\n` → newline),
///   which is how the public pipelines write multi-line scripts.
/// - Context values reach the script only as environment variables
///   (`contextEnvironment(for:)`: `TRELLIS_CTX_<KEY>`), never spliced into its text. The
///   script also gets `TRELLIS_NODE_ID`, and `TRELLIS_RUN_DIR` and `TRELLIS_STAGE_DIR` when
///   the run has a run directory; the rest of the environment is this process's, without
///   its secrets (`SecretVariables`: `*_API_KEY`, `*_TOKEN`, `*_SECRET`, `*_PASSWORD`,
///   `PGPASSWORD`); the node's `tool_env_allow` (comma-separated names) passes some through.
/// - The node's `timeout` (a duration; a bare number is seconds) ends the command's whole
///   process group (SIGTERM, then SIGKILL) and fails the node; so does cancelling the task
///   (the engine's node timeout), which is reported as cancellation.
/// - The context receives `tool_stdout`, `tool_stderr` (the first 1 MiB of each, with
///   trailing newlines removed the way shell `$(...)` does, so `printf ok` and `echo ok`
///   both give `ok`), `tool_exit_code` (an integer; 128 + N for signal N), and the
///   specification's `tool.output` (the same as `tool_stdout`).
/// - Exit status 0 succeeds; any other status fails the node with the status and the end
///   of stderr (or of stdout when stderr is empty) as the reason.
/// - With a run directory, `command.sh`, `stdout.txt` and `stderr.txt` are written to the
///   node's directory.
/// - `tool_hooks.pre` / `tool_hooks.post` run around the command (`ToolHandler+Hooks.swift`).
/// - With `services.simulate`, the command is not run: it is recorded in `command.sh` and
///   in the context key `tool_simulated_command`, and the node succeeds with empty output
///   and exit code 0.
public struct ToolHandler: NodeHandler {
    /// The runner used for commands.
    public var runner: ProcessRunner

    /// Creates the handler.
    public init(runner: ProcessRunner = ProcessRunner()) {
        self.runner = runner
    }

    /// The registration for the `tool` node type.
    public static let registration = RegisteredHandler(
        typeID: "tool",
        handler: ToolHandler(),
        schema: AttributeSchema(attributes: [
            AttributeSpec(name: "tool_command", type: .string, isRequired: true, summary: "Shell script run with /bin/sh -c in the working directory; context arrives as TRELLIS_CTX_* variables."),
            AttributeSpec(name: "timeout", type: .duration, summary: "Ends the command's process group and fails the node when it runs longer."),
            AttributeSpec(name: "tool_hooks.pre", type: .string, summary: "Shell script run before the command; a non-zero exit vetoes the command and fails the node."),
            AttributeSpec(name: "tool_hooks.post", type: .string, summary: "Shell script run after the command; its exit status is logged in hooks.log."),
            AttributeSpec(name: "tool_env_allow", type: .string, summary: "Comma-separated names of secret environment variables (*_API_KEY, *_TOKEN, ...) the command may inherit."),
        ]),
        summary: "Tool: runs tool_command with /bin/sh -c, capturing stdout, stderr and the exit code into the context."
    )

    /// The shell every tool command runs with.
    public static let shell = "/bin/sh"

    /// How many characters of output a failure reason quotes.
    static let excerptLength = 2_000

    /// Runs one visit of a tool node (see the type's summary).
    public nonisolated(nonsending) func execute(_ request: HandlerRequest) async throws -> Outcome {
        let node = request.node
        let script = node.attributes["tool_command"]?.text ?? ""
        guard !script.trimmingSpacesAndNewlines().isEmpty else {
            return .failure("tool node '\(node.id)' has no tool_command: set tool_command to the shell script to run")
        }
        let stageDirectory = request.services.stageDirectory(for: node.id)
        do {
            if let stageDirectory { try StageArtifacts.write(script, named: "command.sh", in: stageDirectory) }
        } catch {
            return .failure("tool node '\(node.id)': \(error)")
        }

        let hooks = Self.hooks(for: request)
        if request.services.simulate {
            var simulated: [String: ContextValue] = [:]
            if let pre = hooks.pre { simulated["tool_simulated_pre_hook"] = .string(pre) }
            if let post = hooks.post { simulated["tool_simulated_post_hook"] = .string(post) }
            return Outcome(
                status: .success,
                contextUpdates: [
                    "tool_simulated_command": .string(script),
                    "tool_stdout": .string(""),
                    "tool_stderr": .string(""),
                    "tool_exit_code": .integer(0),
                    "tool.output": .string(""),
                ].merging(simulated) { first, _ in first },
                notes: "Simulated: the command (and any tool hooks) was recorded, not run"
            )
        }

        var timeout: Duration?
        if let written = node.attributes["timeout"] {
            guard let duration = written.duration else {
                return .failure("tool node '\(node.id)': timeout \(JSONText.quoted(written.raw)) is not a duration (write e.g. 30s, 15m or 250ms)")
            }
            timeout = duration
        }

        let (environment, skipped) = Self.environment(for: request, stageDirectory: stageDirectory)
        if let pre = hooks.pre {
            let code = await runHook(pre, phase: "pre", request: request, command: script, environment: environment, stageDirectory: stageDirectory)
            guard code == 0 else {
                return .failure("tool node '\(node.id)': the tool_hooks.pre hook "
                    + (code.map { "exited with status \($0)" } ?? "could not run") + ", so the command was not run (see hooks.log)")
            }
        }
        let invocation = ProcessRunner.Invocation(
            executable: Self.shell,
            arguments: ["-c", script],
            environment: environment,
            workingDirectory: request.services.workingDirectory,
            timeout: timeout
        )
        let result: ProcessRunner.Result
        do {
            result = try await runner.run(invocation)
        } catch let failure as ProcessRunner.Failure {
            return .failure("tool node '\(node.id)': \(failure.reason)")
        }
        if let post = hooks.post {
            _ = await runHook(post, phase: "post", request: request, command: script, environment: environment, stageDirectory: stageDirectory, after: result)
        }
        return Self.outcome(for: node, result: result, timeout: timeout, skippedKeys: skipped, stageDirectory: stageDirectory)
    }

    /// The child's environment: this process's (without inherited `TRELLIS_CTX_` variables and
    /// without secrets), the node and run variables, and the context variables.
    static func environment(for request: HandlerRequest, stageDirectory: String?) -> (variables: [String: String], skipped: [String]) {
        var secrets = request.services.secrets
        for name in (request.node.attribute("tool_env_allow") ?? "").split(separator: ",") {
            secrets.allowed.insert(name.trimmingCharacters(in: .whitespaces))
        }
        var variables = secrets.filter(ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix(contextVariablePrefix) })
        variables["TRELLIS_NODE_ID"] = request.node.id
        if let runDirectory = request.services.runDirectory { variables["TRELLIS_RUN_DIR"] = runDirectory }
        if let stageDirectory { variables["TRELLIS_STAGE_DIR"] = stageDirectory }
        let context = contextEnvironment(for: request.context)
        variables.merge(context.variables) { _, fromContext in fromContext }
        return (variables, context.skipped)
    }

    /// The outcome of a finished (or timed-out) command.
    static func outcome(
        for node: NodeSpec,
        result: ProcessRunner.Result,
        timeout: Duration?,
        skippedKeys: [String],
        stageDirectory: String?
    ) -> Outcome {
        let stdout = trimmingTrailingNewlines(result.standardOutput.text)
        let stderr = trimmingTrailingNewlines(result.standardError.text)
        let updates: [String: ContextValue] = [
            "tool_stdout": .string(stdout),
            "tool_stderr": .string(stderr),
            "tool_exit_code": .integer(result.termination.exitCode),
            "tool.output": .string(stdout),
        ]
        var notes: [String] = []
        for (name, stream) in [("stdout", result.standardOutput), ("stderr", result.standardError)] where stream.isTruncated {
            notes.append("\(name) truncated: kept the first \(stream.bytes.count) of \(stream.totalByteCount) bytes")
        }
        if !skippedKeys.isEmpty {
            notes.append("context keys not passed to the command (too long or containing NUL): \(skippedKeys.joined(separator: ", "))")
        }
        if let stageDirectory {
            do {
                try StageArtifacts.write(result.standardOutput.text, named: "stdout.txt", in: stageDirectory)
                try StageArtifacts.write(result.standardError.text, named: "stderr.txt", in: stageDirectory)
            } catch {
                notes.append(error.description)
            }
        }

        if result.timedOut {
            return Outcome(
                status: .fail,
                contextUpdates: updates,
                notes: notes.isEmpty ? nil : notes.joined(separator: "; "),
                failureReason: "tool node '\(node.id)' timed out after \(timeout.map(describe) ?? "its timeout"); its process group was killed"
                    + excerptClause(stderr: stderr, stdout: stdout)
            )
        }
        if result.termination == .exited(0) {
            notes.insert("Tool completed: \(node.id)", at: 0)
            return Outcome(status: .success, contextUpdates: updates, notes: notes.joined(separator: "; "))
        }
        return Outcome(
            status: .fail,
            contextUpdates: updates,
            notes: notes.isEmpty ? nil : notes.joined(separator: "; "),
            failureReason: "tool node '\(node.id)': the command \(result.termination)" + excerptClause(stderr: stderr, stdout: stdout)
        )
    }

    /// `: <end of stderr>` (or of stdout when stderr is empty), or nothing when both are empty.
    private static func excerptClause(stderr: String, stdout: String) -> String {
        let source = stderr.isEmpty ? stdout : stderr
        guard !source.isEmpty else { return "" }
        let excerpt = source.count > excerptLength ? "…" + source.suffix(excerptLength) : source
        return (stderr.isEmpty ? " (stdout): " : ": ") + excerpt
    }

    /// A duration the way attributes write it: `250ms`, `30s`, `1.5s`.
    static func describe(_ duration: Duration) -> String {
        let milliseconds = duration.components.seconds * 1_000 + duration.components.attoseconds / 1_000_000_000_000_000
        if milliseconds < 1_000 { return "\(milliseconds)ms" }
        if milliseconds % 1_000 == 0 { return "\(milliseconds / 1_000)s" }
        return "\(Double(milliseconds) / 1_000)s"
    }

    /// `text` without its trailing line ends, as shell command substitution returns it.
    static func trimmingTrailingNewlines(_ text: String) -> String {
        var end = text.endIndex
        while end > text.startIndex {
            let before = text.index(before: end)
            guard text[before] == "\n" || text[before] == "\r\n" || text[before] == "\r" else { break }
            end = before
        }
        return String(text[..<end])
    }
}
