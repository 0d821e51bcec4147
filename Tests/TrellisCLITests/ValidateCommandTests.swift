import Foundation
import Testing
import TrellisTestSupport

/// End-to-end tests of `trellis validate`: the built executable run on files written by the tests.
///
/// The executable is found beside the test bundle (the build products folder), or at
/// `$TRELLIS_EXECUTABLE`; this test target depends on it, so building the tests builds it.
@Suite("trellis validate", .timeLimit(.minutes(1)))
struct ValidateCommandTests {
    /// What one run of the executable produced.
    struct Run {
        var status: Int32
        var output: String
        var errors: String

        /// The `--json` output, parsed.
        func json() throws -> [[String: Any]] {
            let parsed = try JSONSerialization.jsonObject(with: Data(output.utf8))
            return try #require(parsed as? [[String: Any]], "not a JSON array of files: \(output)")
        }
    }

    static let samplesDirectory: String = Repository.attractorSamples

    /// Runs `trellis validate` with `arguments` (killed, and the test failed, if it hangs).
    static func validate(_ arguments: [String], input: String? = nil) async throws -> Run {
        let result = try await ChildProcess.runOffThePool(try BuiltProducts.trellis(), ["validate"] + arguments, input: input)
        return Run(status: result.status, output: result.output, errors: result.errors)
    }

    /// Writes `text` to a new file in a fresh temporary folder and returns its path.
    static func file(_ name: String, _ text: String) throws -> String {
        let folder = try TemporaryDirectory.make("validate")
        let path = folder + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static let valid = """
        digraph G {
          start [shape=Mdiamond]
          work [shape=box, prompt="do it"]
          exit [shape=Msquare]
          start -> work -> exit
        }
        """

    static let warningsOnly = """
        digraph G {
          start [shape=Mdiamond]
          work [shape=box, prompt="do it", goal_gate=true]
          exit [shape=Msquare]
          start -> work -> exit
        }
        """

    static let withErrors = """
        digraph G {
          start [shape=Mdiamond]
          work [shape=box, prompt="do it"]
          exit [shape=Msquare]
          start -> work
          work -> exit [condition="outcome=~success"]
          exit -> work
        }
        """

    @Test("a valid graph: exit 0 and a summary line")
    func validFile() async throws {
        let path = try Self.file("valid.dot", Self.valid)
        let run = try await Self.validate([path, "--no-type-check"])
        #expect(run.status == 0)
        #expect(run.output == "\(path): no problems\n")
    }

    @Test("warnings alone still exit 0, printed as file:line:column: warning: message [rule]")
    func warningsExitZero() async throws {
        let path = try Self.file("warn.dot", Self.warningsOnly)
        let run = try await Self.validate([path, "--no-type-check"])
        #expect(run.status == 0)
        let lines = run.output.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("\(path):3:") == true)
        #expect(lines.first?.contains(": warning: goal gate 'work' has no retry_target") == true)
        #expect(lines.first?.hasSuffix("[goal_gate_has_retry]") == true)
        #expect(lines.contains { $0.hasPrefix("  fix: ") })
        #expect(lines.last == "\(path): 1 warning")
    }

    @Test("errors exit 1, each with its position and rule")
    func errorsExitOne() async throws {
        let path = try Self.file("bad.dot", Self.withErrors)
        let run = try await Self.validate([path, "--no-type-check"])
        #expect(run.status == 1)
        #expect(run.output.contains("\(path):6:35: error: condition of edge work -> exit at column 8: unknown operator '=~'"))
        #expect(run.output.contains("\(path):7:8: error: edge exit -> work leaves the exit node 'exit'"))
        #expect(run.output.contains("[exit_no_outgoing]"))
        #expect(run.output.hasSuffix("\(path): 2 errors\n"))
    }

    @Test("'-' validates standard input, named <stdin>")
    func standardInput() async throws {
        let run = try await Self.validate(["-", "--no-type-check"], input: Self.withErrors)
        #expect(run.status == 1)
        #expect(run.output.contains("<stdin>:7:8: error: edge exit -> work leaves the exit node"))
    }

    @Test("--json: one object per file, every field present, null when absent")
    func jsonOutput() async throws {
        let bad = try Self.file("bad.dot", Self.withErrors)
        let good = try Self.file("good.dot", Self.valid)
        let run = try await Self.validate(["--json", "--no-type-check", bad, good])
        #expect(run.status == 1)
        let files = try run.json()
        #expect(files.map { $0["file"] as? String } == [bad, good])
        #expect((files[1]["diagnostics"] as? [Any])?.isEmpty == true)
        let diagnostics = try #require(files[0]["diagnostics"] as? [[String: Any]])
        #expect(diagnostics.count == 2)
        for diagnostic in diagnostics {
            #expect(Set(diagnostic.keys) == ["rule", "severity", "message", "line", "column", "node", "edge", "fix"])
        }
        let condition = try #require(diagnostics.first { $0["rule"] as? String == "condition_syntax" })
        #expect(condition["severity"] as? String == "error")
        #expect(condition["line"] as? Int == 6)
        #expect(condition["column"] as? Int == 35)
        #expect(condition["node"] is NSNull)
        #expect(condition["edge"] as? [String] == ["work", "exit"])
        #expect((condition["fix"] as? String)?.isEmpty == false)
    }

    @Test("syntax errors are diagnostics with rule syntax and exit 1")
    func syntaxErrors() async throws {
        let path = try Self.file("broken.dot", "digraph G {\n  a -> \n}\n")
        let run = try await Self.validate(["--json", path])
        #expect(run.status == 1)
        let diagnostics = try #require(try run.json().first?["diagnostics"] as? [[String: Any]])
        #expect(!diagnostics.isEmpty)
        #expect(diagnostics.allSatisfy { $0["rule"] as? String == "syntax" && $0["severity"] as? String == "error" })
        #expect(diagnostics.first?["line"] as? Int != nil)
    }

    @Test("an unreadable file exits 2 and says why, even beside valid files")
    func unreadableFile() async throws {
        let good = try Self.file("good.dot", Self.valid)
        let missing = good + ".missing"
        let run = try await Self.validate([good, missing, "--no-type-check"])
        #expect(run.status == 2)
        #expect(run.errors.contains("cannot read '\(missing)'"))
        #expect(run.output.contains("\(good): no problems"))
        let json = try await Self.validate(["--json", "--no-type-check", missing])
        #expect(json.status == 2)
        let diagnostics = try #require(try json.json().first?["diagnostics"] as? [[String: Any]])
        #expect(diagnostics.first?["rule"] as? String == "file")
    }

    @Test("usage errors exit 2 and say what is wrong", arguments: [
        ([String](), "no FILE given"),
        (["--bogus", "x.dot"], "unknown option '--bogus'"),
        (["x.dot", "--plugin-dir"], "needs a value"),
    ])
    func usageErrors(arguments: [String], message: String) async throws {
        let run = try await Self.validate(arguments)
        #expect(run.status == 2)
        #expect(run.errors.contains(message), "\(run.errors)")
    }

    @Test("--plugin-dir: an empty plugin folder adds nothing, a missing one is reported with exit 2")
    func pluginDirectories() async throws {
        let path = try Self.file("valid.dot", Self.valid)
        let emptyFolder = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("plugins").path
        try FileManager.default.createDirectory(atPath: emptyFolder, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o755])
        let typed = try Self.file("typed.dot", Self.valid.replacingOccurrences(of: "shape=box,", with: "type=\"no.such.type\","))
        let empty = try await Self.validate(["--json", typed, "--plugin-dir", emptyFolder])
        // An unknown type is a warning (the node runs on its shape's handler), so the exit status is 0.
        #expect(empty.status == 0, "\(empty.errors)")
        let diagnostics = try #require(try empty.json().first?["diagnostics"] as? [[String: Any]])
        #expect(diagnostics.contains { $0["rule"] as? String == "type_known" && $0["node"] as? String == "work" })
        let missing = try await Self.validate([path, "--plugin-dir", emptyFolder + "/absent"])
        #expect(missing.status == 2)
        #expect(missing.errors.contains("cannot load plugins"), "\(missing.errors)")
        #expect(missing.errors.contains(emptyFolder + "/absent"))
    }

    @Test("--plugin-dir: node types of a real C plugin are known, and their attribute schema is checked")
    func pluginTypes() async throws {
        let graph = try Self.file("plugin.dot", """
            digraph G {
              start [shape=Mdiamond]
              shout [type="cexample.uppercase", from=input]
              pause [type="cexample.wait", delay_ms=soon]
              exit [shape=Msquare]
              start -> shout -> pause -> exit
            }
            """)
        let plugins = URL(fileURLWithPath: graph).deletingLastPathComponent().appendingPathComponent("plugins").path
        try FileManager.default.createDirectory(atPath: plugins, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o755])
        let library = try CPlugin.buildExample(into: plugins)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: library)

        let withoutPlugins = try await Self.validate(["--json", graph])
        #expect(withoutPlugins.status == 0)
        let unknown = try #require(try withoutPlugins.json().first?["diagnostics"] as? [[String: Any]])
        #expect(unknown.filter { $0["rule"] as? String == "type_known" }.compactMap { $0["node"] as? String } == ["shout", "pause"])

        // delay_ms=soon is not the integer the type declares: an error, so the exit status is 1.
        let run = try await Self.validate(["--json", graph, "--plugin-dir", plugins])
        #expect(run.status == 1, "\(run.errors)")
        let diagnostics = try #require(try run.json().first?["diagnostics"] as? [[String: Any]])
        #expect(!diagnostics.contains { $0["rule"] as? String == "type_known" })
        let schema = try #require(diagnostics.first { $0["rule"] as? String == "attribute_schema" })
        #expect(schema["severity"] as? String == "error")
        #expect(schema["node"] as? String == "pause")
        #expect((schema["message"] as? String)?.contains("'delay_ms'") == true)
        #expect(schema["line"] as? Int == 4)
    }

    @Test("node types are checked against the host's types by default; an unknown type is a warning")
    func unknownType() async throws {
        let path = try Self.file("typed.dot", Self.valid.replacingOccurrences(of: "shape=box,", with: "type=\"no.such.type\","))
        let run = try await Self.validate(["--json", path])
        #expect(run.status == 0)
        let diagnostics = try #require(try run.json().first?["diagnostics"] as? [[String: Any]])
        let unknown = try #require(diagnostics.first { $0["node"] as? String == "work" })
        #expect(unknown["rule"] as? String == "type_known")
        #expect(unknown["severity"] as? String == "warning")
        #expect((unknown["message"] as? String)?.contains("runs as 'codergen'") == true)
        #expect((unknown["message"] as? String)?.contains("'no.such.type'") == true)
        #expect(unknown["line"] as? Int == 3)
        let skipped = try await Self.validate([path, "--no-type-check"])
        #expect(skipped.status == 0)
    }

    @Test("the attractor samples validate: no errors without type checks, only unknown types with them")
    func samples() async throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.samplesDirectory).filter { $0.hasSuffix(".dot") }
        #expect(names.count == 21)
        let paths = names.sorted().map { Self.samplesDirectory + "/" + $0 }
        let plain = try await Self.validate(["--no-type-check"] + paths)
        #expect(plain.status == 0, "\(plain.output)")
        let typed = try await Self.validate(["--json"] + paths)
        let files = try typed.json()
        #expect(files.count == 21)
        var anyError = false
        for file in files {
            let diagnostics = try #require(file["diagnostics"] as? [[String: Any]])
            let errors = diagnostics.filter { $0["severity"] as? String == "error" }
            anyError = anyError || !errors.isEmpty
            #expect(errors.allSatisfy { $0["rule"] as? String == "type_known" }, "\(file["file"] ?? ""): \(errors)")
        }
        #expect(typed.status == (anyError ? 1 : 0))
    }
}
