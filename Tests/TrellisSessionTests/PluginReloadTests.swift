import Foundation
import Testing
import TrellisEngine
import TrellisHosting
@testable import TrellisSession

/// Reloading the turn graph and a plugin (a real `.so` built from the shipped C example)
/// while sessions run turns.
@Suite struct PluginReloadTests {
    private static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// Builds the C example plugin, made distinct by `variant`, into `directory` (replacing it by rename).
    private func buildPlugin(variant: Int, into directory: String, scratch: String) throws {
        let source = try String(contentsOfFile: Self.repositoryRoot + "/Plugins/CExample/example_plugin.c", encoding: .utf8)
        let sourcePath = scratch + "/example_\(variant).c"
        try ("static const char trellis_test_variant[] __attribute__((used)) = \"\(variant)\";\n" + source)
            .write(toFile: sourcePath, atomically: true, encoding: .utf8)
        let output = scratch + "/libcexample_\(variant).so"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["cc", "-std=c11", "-O1", "-shared", "-fPIC", "-I", Self.repositoryRoot + "/Sources/CTrellisPlugin/include",
                             sourcePath, "-o", output, "-lpthread"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let text = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            Issue.record("cc failed: \(String(decoding: text, as: UTF8.self))")
            return
        }
        chmod(output, 0o755)
        _ = rename(output, directory + "/libcexample.so")
    }

    private func turnGraph(version: Int) -> String {
        """
        digraph turn {
            start [shape=Mdiamond]
            shout [type="cexample.uppercase", from="session.input", to="shouted"]
            call_llm [type="session.llm_call"]
            format [type="session.format", prefix="v\(version) "]
            done [shape=Msquare]
            start -> shout -> call_llm -> format -> done
        }
        """
    }

    @Test func reloadingTheGraphAndAPluginTenTimesUnderLoadLosesNoTurn() async throws {
        let root = Support.temporaryDirectory()
        let pluginDirectory = root + "/plugins"
        let scratch = root + "/build"
        for path in [pluginDirectory, scratch] {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        }
        chmod(root, 0o755)
        try buildPlugin(variant: 0, into: pluginDirectory, scratch: scratch)
        let graphPath = root + "/turn.dot"
        try turnGraph(version: 0).write(toFile: graphPath, atomically: true, encoding: .utf8)

        let catalog = AdapterCatalog()
        let plugins = SessionPlugins(directories: [pluginDirectory], builtins: SessionHandlers.registry, catalog: catalog)
        #expect(plugins.registry.handler(for: "cexample.uppercase") != nil, "the C plugin did not load")
        let manager = try SessionManager(
            options: SessionManagerOptions(turnGraphPath: graphPath, watchGraphs: false, heartbeats: .disabled),
            registry: plugins.registry, adapterCatalog: catalog)
        plugins.attach(to: manager)
        let sessions = try await (0..<50).asyncMap { index in try await manager.create(SessionConfiguration(sessionID: "p\(index)")) }
        let stop = Gate()
        async let load: [Int] = withThrowingTaskGroup(of: Int.self) { group in
            for session in sessions {
                group.addTask {
                    var turns = 0
                    while !stop.isOpen || turns < 5 {
                        let reply = try await session.send("turn \(turns + 1)")
                        turns += 1
                        guard reply.turnCount == turns, reply.reply.hasSuffix("Response \(turns)") else {
                            throw SessionError.turnFailed("unexpected reply \(reply.reply) at turn \(turns)")
                        }
                    }
                    return turns
                }
            }
            var counts: [Int] = []
            for try await count in group { counts.append(count) }
            return counts
        }
        var generations: [UInt64] = []
        for version in 1...10 {
            try buildPlugin(variant: version, into: pluginDirectory, scratch: scratch)
            let outcome = plugins.reload()
            generations.append(outcome.generation)
            #expect(outcome.graphs?.succeeded != false)
            try turnGraph(version: version).write(toFile: graphPath, atomically: true, encoding: .utf8)
            #expect(manager.reloadGraphs().succeeded)
        }
        stop.open()
        let counts = try await load
        #expect(counts.count == 50)
        for (session, count) in zip(sessions, counts.sorted()) { _ = session; #expect(count >= 5) }
        for session in sessions {
            let state = await session.state()
            #expect(state.messages.count == 2 * state.turnCount)
        }
        #expect(generations == generations.sorted())
        #expect(Set(generations).count >= 2, "the plugin was never republished: \(generations)")
        let after = try await sessions[0].send("last")
        #expect(after.reply.hasPrefix("v10 "))
        manager.shutdown()
    }
}
