import Foundation
import TrellisEngine

/// The tools adapter over declared commands: runs each call the model made as a child
/// process and answers one tool message per call.
///
/// A call is `{id, name, arguments}`. Before anything runs, the name must be declared and the
/// arguments must satisfy the declaration's schema; otherwise the answer is an error message
/// the model can read (`is_error: true`), and nothing runs. A command that runs gets the
/// arguments as one JSON object on standard input; its answer carries the exit status,
/// standard output and standard error, each cut at `outputLimit` bytes with a marker saying
/// how much was left out. A command that outlives its timeout has its whole process group
/// killed and answers an error saying so.
public struct CommandTools: ToolsAdapter {
    /// The declared tools, by name.
    public let declarations: [String: ToolDeclaration]
    /// Bytes of each output stream kept in the answer.
    public let outputLimit: Int
    private let hostEnvironment: [String: String]

    /// Tools from `declarations`; `hostEnvironment` is where the declared `env` names are looked up.
    public init(_ declarations: [ToolDeclaration], outputLimit: Int = 16 * 1024,
                hostEnvironment: [String: String] = ProcessInfo.processInfo.environment) {
        self.declarations = Dictionary(declarations.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.outputLimit = outputLimit
        self.hostEnvironment = hostEnvironment
    }

    /// What the model is offered: `{name, description, parameters}` per tool, by name.
    public var offers: [ContextValue] { declarations.keys.sorted().map { declarations[$0]!.offer } }

    /// Runs the calls one after another, in order (a later call may depend on an earlier
    /// one's effect), and answers one result per call.
    public func dispatch(_ calls: [ContextValue]) async throws -> [ContextValue] {
        var results: [ContextValue] = []
        for call in calls {
            try Task.checkCancellation()
            results.append(await run(call))
        }
        return results
    }

    private func run(_ call: ContextValue) async -> ContextValue {
        let id = call["id"]?.string ?? ""
        let name = call["name"]?.string ?? ""
        func answer(_ content: String, error: Bool) -> ContextValue {
            var result: [String: ContextValue] = ["tool_call_id": .string(id), "name": .string(name), "content": .string(content)]
            if error { result["is_error"] = .boolean(true) }
            return .map(result)
        }
        guard let tool = declarations[name] else {
            let known = declarations.keys.sorted().joined(separator: ", ")
            return answer("error: there is no tool '\(name)'; the tools are: \(known.isEmpty ? "none" : known)", error: true)
        }
        var arguments = call["arguments"] ?? .map([:])
        if case .string(let text) = arguments {  // some models send the arguments as JSON text
            arguments = (try? ContextValue(jsonText: text)) ?? arguments
        }
        let problems = JSONSchemaCheck(tool.parameters).problems(in: arguments)
        guard problems.isEmpty else {
            return answer("error: invalid arguments for '\(name)', nothing was run:\n" + problems.map { "- " + $0 }.joined(separator: "\n"), error: true)
        }
        let invocation: ProcessRunner.Invocation
        do {
            invocation = try self.invocation(for: tool, arguments: arguments)
        } catch {
            return answer("error: \(error)", error: true)
        }
        let result: ProcessRunner.Result
        do {
            result = try await ProcessRunner(captureLimit: outputLimit).run(invocation)
        } catch is CancellationError {
            return answer("error: '\(name)' was cancelled", error: true)
        } catch {
            return answer("error: '\(name)' could not start: \(error)", error: true)
        }
        if result.timedOut {
            return answer("error: '\(name)' did not finish within \(Self.seconds(tool.timeout)) and was killed\n" + describe(result), error: true)
        }
        return answer(describe(result), error: result.termination != .exited(0))
    }

    /// The exit status and both outputs, each cut at the limit with a marker.
    private func describe(_ result: ProcessRunner.Result) -> String {
        var text = "the command \(result.termination)\n"
        for (label, output) in [("stdout", result.standardOutput), ("stderr", result.standardError)] where output.totalByteCount > 0 {
            text += "\(label):\n" + output.text
            if output.isTruncated { text += "\n[… \(output.totalByteCount - output.bytes.count) more bytes not shown]" }
            if !text.hasSuffix("\n") { text += "\n" }
        }
        return text
    }

    /// How the declaration runs: argv (resolved on `PATH`, never through a shell unless
    /// declared), the allowed environment, the working directory, the JSON input.
    private func invocation(for tool: ToolDeclaration, arguments: ContextValue) throws(ToolError) -> ProcessRunner.Invocation {
        guard let first = tool.command.first, !first.isEmpty else { throw ToolError("'\(tool.name)' declares no command") }
        var environment: [String: String] = [:]
        for variable in tool.environment { environment[variable] = hostEnvironment[variable] }
        if environment["PATH"] == nil { environment["PATH"] = "/usr/local/bin:/usr/bin:/bin" }
        let executable: String
        let argv: [String]
        if tool.shell {
            executable = "/bin/sh"
            argv = ["-c", tool.command.joined(separator: " ")]
        } else {
            executable = try Self.resolve(first, path: environment["PATH"]!)
            argv = Array(tool.command.dropFirst())
        }
        return ProcessRunner.Invocation(
            executable: executable, arguments: argv, environment: environment,
            workingDirectory: tool.workingDirectory ?? FileManager.default.currentDirectoryPath,
            timeout: tool.timeout, standardInput: Array(arguments.jsonText.utf8))
    }

    /// `program` as an absolute path: as given when it has a `/`, else the first executable
    /// file of that name on `path`.
    static func resolve(_ program: String, path: String) throws(ToolError) -> String {
        if program.contains("/") {
            guard FileManager.default.isExecutableFile(atPath: program) else { throw ToolError("'\(program)' is not an executable file") }
            return program
        }
        for directory in path.split(separator: ":") {
            let candidate = String(directory) + "/" + program
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw ToolError("'\(program)' was not found on PATH (\(path))")
    }

    private static func seconds(_ duration: Duration) -> String {
        let value = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return value.rounded() == value ? "\(Int(value)) s" : "\(value) s"
    }
}

/// A declared tool cannot be run as declared.
public struct ToolError: Error, Sendable, CustomStringConvertible {
    /// What is wrong.
    public var description: String

    /// Creates an error.
    public init(_ description: String) { self.description = description }
}
