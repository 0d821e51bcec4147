import Foundation
import Synchronization
import Testing
import TrellisEngine
import TrellisHosting
import TrellisPluginHost
import TrellisSession

/// The wiring that composes the engine, plugin host and sessions into a running host.
@Suite struct HostingTests {
    @Test func noAdapterNamesLeaveTheModelUndecided() throws {
        let generation = PluginHost(directories: [], builtins: .builtin).current
        let adapters = try generation.adapterSet(named: [])
        // No silent simulation: PipelineModel decides, or refuses.
        #expect(adapters.llm == nil)
        #expect(adapters.memory == nil)
    }

    @Test func anUnknownAdapterNameIsRefusedWithTheReason() {
        let generation = PluginHost(directories: [], builtins: .builtin).current
        #expect {
            try generation.adapterSet(named: ["acme.llm"])
        } throws: { error in
            "\(error)" == "acme.llm: no plugin adapter of that name; no plugin loaded provides adapters (use --plugin-dir)"
        }
    }

    @Test func aMissingPluginDirectoryIsReportedAndGivesNoHost() {
        let lines = Mutex<[String]>([])
        let missing = NSTemporaryDirectory() + "trellis-hosting-tests-absent-" + UUID().uuidString
        let host = PluginSetup.loadHost(pluginDirectories: [missing]) { line in lines.withLock { $0.append(line) } }
        #expect(host == nil)
        #expect(lines.withLock { $0 }.contains { $0.hasPrefix("cannot load plugins: ") && $0.contains(missing) })
    }

    @Test func aSessionHostWithoutPluginsOrStoreServesSessions() async throws {
        var settings = SessionHost.Settings()
        settings.heartbeats = .disabled
        let host = try SessionHost(settings)
        #expect(host.plugins == nil)
        #expect(host.store == nil)
        let session = try await host.manager.create(SessionConfiguration(sessionID: "s1"))
        let reply = try await session.send("hello")
        #expect(!reply.reply.isEmpty)
        #expect(host.manager.session("s1") != nil)
        await host.shutdown()
    }
}
