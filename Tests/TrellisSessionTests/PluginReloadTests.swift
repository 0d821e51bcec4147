import Foundation
import Testing
import TrellisEngine
import TrellisHosting
import TrellisTestSupport
@testable import TrellisSession

/// Reloading the turn graph and a plugin (a real `.so` built from the shipped C example)
/// while sessions run turns.
@Suite(.timeLimit(.minutes(1))) struct PluginReloadTests {
    /// Builds the C example plugin, made distinct by `variant`, into `directory` (replacing it by rename).
    private func buildPlugin(variant: Int, into directory: String, scratch: String) throws {
        let library = try CPlugin.buildExample(
            name: "cexample_\(variant)", into: scratch,
            prefix: "static const char trellis_test_variant[] __attribute__((used)) = \"\(variant)\";\n")
        _ = rename(library, directory + "/libcexample.so")
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
        let root = try Support.temporaryDirectory()
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
                        // A failed wait below leaves the gate shut; leaving the scope then cancels
                        // this `async let`, which ends the loop here.
                        try Task.checkCancellation()
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
