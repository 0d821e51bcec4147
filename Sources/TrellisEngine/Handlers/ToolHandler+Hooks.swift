import Foundation
import TrellisDOT

/// Tool call hooks (pipeline specification, tool call hooks): `tool_hooks.pre` and
/// `tool_hooks.post`, on the node or the graph (the node's wins), are shell scripts run around
/// each tool call. A pipeline's LLM stages make no tool calls of their own, so the tool call
/// they wrap is the tool node's command.
///
/// Each hook runs with `/bin/sh -c` in the working directory, with the command's environment
/// plus `TRELLIS_HOOK_PHASE` (`pre` or `post`), `TRELLIS_TOOL_COMMAND` and, after the command,
/// `TRELLIS_TOOL_EXIT_CODE`; its standard input is a JSON object
/// `{"phase", "node_id", "command", "exit_code", "stdout"}` (the last two after the command).
/// A pre hook that exits non-zero vetoes the call: the command does not run and the node fails
/// saying so (the specification skips the call; failing keeps a vetoed step from counting as
/// done). A post hook's exit status is recorded and never changes the outcome. Every hook's
/// exit status and output go to `hooks.log` in the node's directory and to a `tool_hook` event.
extension ToolHandler {
    /// The hook scripts for a node: its own attributes, else the graph's (mirrored as `graph.tool_hooks.*`).
    static func hooks(for request: HandlerRequest) -> (pre: String?, post: String?) {
        func script(_ phase: String) -> String? {
            let key = "tool_hooks." + phase
            let text = request.node.attributes[key]?.text ?? request.context["graph." + key]?.stringValue ?? ""
            return text.trimmingSpacesAndNewlines().isEmpty ? nil : text
        }
        return (script("pre"), script("post"))
    }

    /// Runs one hook, logs it, and returns its exit code (`nil` when it could not run or timed out).
    func runHook(
        _ script: String, phase: String, request: HandlerRequest, command: String, environment: [String: String],
        stageDirectory: String?, after result: ProcessRunner.Result? = nil
    ) async -> Int? {
        var variables = environment
        variables["TRELLIS_HOOK_PHASE"] = phase
        variables["TRELLIS_TOOL_COMMAND"] = command
        var payload: [(String, String)] = [
            ("phase", JSONText.quoted(phase)), ("node_id", JSONText.quoted(request.node.id)), ("command", JSONText.quoted(command)),
        ]
        if let result {
            variables["TRELLIS_TOOL_EXIT_CODE"] = String(result.termination.exitCode)
            payload.append(("exit_code", String(result.termination.exitCode)))
            payload.append(("stdout", JSONText.quoted(String(result.standardOutput.text.prefix(65_536)))))
        }
        let input = RunFiles.jsonObject(payload)
        let invocation = ProcessRunner.Invocation(
            executable: Self.shell, arguments: ["-c", script], environment: variables,
            workingDirectory: request.services.workingDirectory, timeout: .seconds(300), standardInput: Array(input.utf8))
        let exitCode: Int?
        var line: String
        do {
            let hookResult = try await runner.run(invocation)
            exitCode = hookResult.timedOut ? nil : hookResult.termination.exitCode
            line = "\(phase) hook: \(hookResult.timedOut ? "timed out after 300s" : "\(hookResult.termination)")"
            let output = (hookResult.standardOutput.text + hookResult.standardError.text).trimmingSpacesAndNewlines()
            if !output.isEmpty { line += "\n" + output }
        } catch let failure as ProcessRunner.Failure {
            exitCode = nil
            line = "\(phase) hook could not run: \(failure.reason)"
        } catch {
            exitCode = nil
            line = "\(phase) hook could not run: \(error)"
        }
        if let stageDirectory {
            let previous = (try? String(contentsOfFile: stageDirectory + "/hooks.log", encoding: .utf8)) ?? ""
            try? StageArtifacts.write(previous + line + "\n", named: "hooks.log", in: stageDirectory)
        }
        request.services.events.emit(RunEvent("tool_hook", nodeID: request.node.id, fields: [
            "phase": .string(phase), "exit_code": exitCode.map { .integer($0) } ?? .null,
        ]))
        return exitCode
    }
}
