import Foundation
import Testing
import TrellisDOT
import TrellisEngine
import TrellisPluginHost
import TrellisTestSupport

/// The broken-plugin corpus: each broken file is reported with its own message, and the host
/// keeps serving the good plugin next to it.
@Suite(.timeLimit(.minutes(1))) struct BrokenPluginTests {
    /// A sandbox holding the good C example plus `broken` under `name`, reloaded once.
    private func loadNextToGoodPlugin(_ broken: String?, as name: String) throws -> (PluginSandbox, PluginHost, PluginLoadReport?) {
        let sandbox = try PluginSandbox()
        try sandbox.install(TestPlugins.cExample(), as: "libcexample.so")
        if let broken { try sandbox.install(broken, as: name) }
        let host = sandbox.host()
        let reports = host.reload()
        return (sandbox, host, reports.first { $0.path == sandbox.plugins + "/" + name })
    }

    /// The good plugin still serves and runs.
    private func expectStillServes(_ host: PluginHost) async throws {
        let outcome = try await invoke(host.current.registry, "cexample.uppercase", context: ["input": .string("still here")])
        #expect(outcome.contextUpdates["output"] == .string("STILL HERE"))
    }

    @Test func notAnELFFile() async throws {
        let text = TestPlugins.buildDirectory + "/not-elf.so"
        try "just some text\n".write(toFile: text, atomically: true, encoding: .utf8)
        let (_, host, report) = try loadNextToGoodPlugin(text, as: "libtext.so")
        let found = try #require(report)
        #expect(found.status == .failed)
        #expect(found.message.contains("not an ELF shared library"), "\(found)")
        #expect(found.message.contains("'just'"), "\(found)")
        try await expectStillServes(host)
    }

    @Test func noEntrySymbol() async throws {
        let library = try TestPlugins.library("noentry", source: CorpusSources.noEntry)
        let (sandbox, host, report) = try loadNextToGoodPlugin(library, as: "libnoentry.so")
        let found = try #require(report)
        #expect(found.status == .skipped)
        #expect(found.message.contains("does not export trellis_plugin_entry"), "\(found)")
        let inspected = PluginLoader.inspect(file: sandbox.plugins + "/libnoentry.so", staging: sandbox.staging)
        guard case .failure(let error) = inspected else { Issue.record("inspect accepted a library without entry symbol"); return }
        #expect(error.kind == .noEntrySymbol)
        try await expectStillServes(host)
    }

    @Test func wrongABIMajor() async throws {
        let library = try TestPlugins.library("abimajor", source: CorpusSources.descriptor(
            size: "sizeof(trellis_plugin_descriptor)", major: "TRELLIS_ABI_MAJOR + 1", minor: "TRELLIS_ABI_MINOR"))
        let (_, host, report) = try loadNextToGoodPlugin(library, as: "libabimajor.so")
        let found = try #require(report)
        #expect(found.status == .failed)
        #expect(found.message.contains("built for plugin ABI 2.4 but this host speaks ABI 1.4"), "\(found)")
        try await expectStillServes(host)
    }

    @Test func newerABIMinor() async throws {
        let library = try TestPlugins.library("abiminor", source: CorpusSources.descriptor(
            size: "sizeof(trellis_plugin_descriptor)", major: "TRELLIS_ABI_MAJOR", minor: "TRELLIS_ABI_MINOR + 3"))
        let (_, host, report) = try loadNextToGoodPlugin(library, as: "libabiminor.so")
        let found = try #require(report)
        #expect(found.status == .failed)
        #expect(found.message.contains("built for plugin ABI 1.7, newer than this host's ABI 1.4"), "\(found)")
        try await expectStillServes(host)
    }

    @Test func descriptorTooSmall() async throws {
        let library = try TestPlugins.library("toosmall", source: CorpusSources.descriptor(
            size: "8", major: "TRELLIS_ABI_MAJOR", minor: "TRELLIS_ABI_MINOR"))
        let (_, host, report) = try loadNextToGoodPlugin(library, as: "libtoosmall.so")
        let found = try #require(report)
        #expect(found.status == .failed)
        #expect(found.message.contains("descriptor (trellis_plugin_descriptor) is 8 bytes but ABI 1.4 needs at least 48"), "\(found)")
        try await expectStillServes(host)
    }

    @Test func nodeTypeStructTooSmall() async throws {
        let library = try TestPlugins.library("smalltype", source: CorpusSources.smallNodeType)
        let (_, host, report) = try loadNextToGoodPlugin(library, as: "libsmalltype.so")
        let found = try #require(report)
        #expect(found.status == .failed)
        #expect(found.message.contains("node type #1 (trellis_node_type) is 16 bytes but ABI 1.4 needs at least"), "\(found)")
        try await expectStillServes(host)
    }

    @Test func toolchainMismatchNamesBothVersions() async throws {
        let library = try TestPlugins.library("toolchain", source: CorpusSources.descriptor(
            size: "sizeof(trellis_plugin_descriptor)", major: "TRELLIS_ABI_MAJOR", minor: "TRELLIS_ABI_MINOR", toolchain: "swift-5.9.0"))
        let (_, host, report) = try loadNextToGoodPlugin(library, as: "libtoolchain.so")
        let found = try #require(report)
        #expect(found.status == .failed)
        #expect(found.message.contains("built with swift-5.9.0 but this host was built with \(SwiftToolchain.identity)"), "\(found)")
        try await expectStillServes(host)
    }

    @Test func initFailsWithAMessage() async throws {
        let library = try TestPlugins.library("initfails", source: CorpusSources.initFails)
        let (_, host, report) = try loadNextToGoodPlugin(library, as: "libinitfails.so")
        let found = try #require(report)
        #expect(found.status == .failed)
        #expect(found.message.contains("plugin 'initfails': init failed: cannot open /nonexistent/model.bin: no such file"), "\(found)")
        try await expectStillServes(host)
    }

    @Test func duplicateTypeIDNamesBothFiles() async throws {
        let first = try TestPlugins.library("dup_a", source: CorpusSources.duplicate(version: "1.0.0"))
        let second = try TestPlugins.library("dup_b", source: CorpusSources.duplicate(version: "2.0.0"))
        let (sandbox, host, _) = try loadNextToGoodPlugin(nil, as: "unused")
        let fileA = try sandbox.install(first, as: "liba.so")
        let fileB = try sandbox.install(second, as: "libb.so")
        let reports = host.reload()
        let refused = try #require(reports.first { $0.path == fileB })
        #expect(refused.status == .failed)
        #expect(refused.message.contains("'dup.value' is already registered by \(fileA)"), "\(refused)")
        #expect(refused.message.contains(fileA) && refused.path == fileB)
        let outcome = try await invoke(host.current.registry, "dup.value")
        #expect(outcome.contextUpdates["from"] == .string("1.0.0"), "the file that sorts first keeps serving")
        try await expectStillServes(host)
    }

    @Test func handlerReturnsAnError() async throws {
        let library = try TestPlugins.library("fails", source: CorpusSources.fails)
        let (_, host, report) = try loadNextToGoodPlugin(library, as: "libfails.so")
        #expect(report?.status == .loaded)
        let outcome = try await invoke(host.current.registry, "fails.always")
        #expect(outcome.status == .fail)
        #expect(outcome.failureReason == "the input is bad: field 'x' is missing")
        try await expectStillServes(host)
    }

    @Test func doubleCompletionIsIgnoredAndLogged() async throws {
        let library = try TestPlugins.library("twice", source: CorpusSources.twice)
        let (_, host, _) = try loadNextToGoodPlugin(library, as: "libtwice.so")
        let outcome = try await invoke(host.current.registry, "twice.done")
        #expect(outcome.status == .success, "the first completion wins")
        #expect(outcome.contextUpdates["first"] == .string("kept"))
        try await waitUntil("the second completion to be logged", interval: .milliseconds(5)) {
            PluginLog.recent.contains { $0.pluginID == "twice" && $0.message.contains("already completed") && $0.message.contains("ignored") }
        }
        try await expectStillServes(host)
    }

    @Test func neverCompletingCallIsEndedByCancellation() async throws {
        let library = try TestPlugins.library("never", source: CorpusSources.never)
        let (_, host, _) = try loadNextToGoodPlugin(library, as: "libnever.so")
        let registry = host.current.registry
        let task = Task { try await invoke(registry, "never.hang") }
        // Cancel only once the plugin holds the call (PENDING), as a node timeout would.
        try await waitUntil("the plugin to hold the call") {
            PluginLog.recent.contains { $0.nodeID == "n_never_hang" && $0.message == "never.hang: invoked" }
        }
        task.cancel()
        let outcome = try await task.value
        #expect(outcome.status == .fail)
        #expect(outcome.failureReason?.contains("was cancelled before the plugin completed it") == true, "\(outcome)")
        #expect(PluginLog.recent.contains { $0.nodeID == "n_never_hang" && $0.message == "never.hang: cancel called" })
        try await expectStillServes(host)
    }

    @Test func neverCompletingNodeIsEndedByTheEngineTimeout() async throws {
        let library = try TestPlugins.library("never", source: CorpusSources.never)
        let (_, host, _) = try loadNextToGoodPlugin(library, as: "libnever.so")
        let dot = """
            digraph hang {
                start [shape=Mdiamond]
                stuck [type="never.hang", timeout="50ms"]
                done [shape=Msquare]
                start -> stuck -> done
            }
            """
        let graph = try #require(DOTParser.parse(dot, file: "hang.dot").graph)
        let compiled = try GraphCompiler.compile(graph, registry: host.current.registry)
        let result = await Engine().run(compiled)
        #expect(result.status == .fail)
        #expect(result.failureReason?.contains("stuck") == true, "\(result.failureReason ?? "")")
        #expect(result.completedNodes.contains("done") == false)
        try await expectStillServes(host)
    }

    @Test func worldWritableDirectoryIsRefused() async throws {
        let (sandbox, host, _) = try loadNextToGoodPlugin(nil, as: "unused")
        let unsafe = sandbox.root + "/open"
        try FileManager.default.createDirectory(atPath: unsafe, withIntermediateDirectories: true)
        chmod(unsafe, 0o777)
        try FileManager.default.copyItem(atPath: TestPlugins.library("fails", source: CorpusSources.fails), toPath: unsafe + "/libfails.so")
        let both = PluginHost(directories: [sandbox.plugins, unsafe], builtins: .builtin, staging: sandbox.staging)
        let reports = both.reload()
        let refused = try #require(reports.first { $0.path == unsafe })
        #expect(refused.status == .failed)
        #expect(refused.message.contains("is writable by every user (mode 0777)"), "\(refused)")
        #expect(both.current.registry.handler(for: "fails.always") == nil)
        try await expectStillServes(both)
        try await expectStillServes(host)
    }

    @Test func linkIntoAWritableDirectoryIsRefused() async throws {
        let (sandbox, _, _) = try loadNextToGoodPlugin(nil, as: "unused")
        let unsafe = sandbox.root + "/open"
        try FileManager.default.createDirectory(atPath: unsafe, withIntermediateDirectories: true)
        chmod(unsafe, 0o777)
        try FileManager.default.copyItem(atPath: TestPlugins.library("fails", source: CorpusSources.fails), toPath: unsafe + "/libfails.so")
        chmod(unsafe + "/libfails.so", 0o755)
        try FileManager.default.createSymbolicLink(atPath: sandbox.plugins + "/liblinked.so", withDestinationPath: unsafe + "/libfails.so")
        let host = sandbox.host()
        let reports = host.reload()
        let refused = try #require(reports.first { $0.path == sandbox.plugins + "/liblinked.so" })
        #expect(refused.status == .failed)
        #expect(refused.message.contains("(a link to \(unsafe)/libfails.so) lies in an unsafe place"), "\(refused)")
        #expect(host.current.registry.handler(for: "fails.always") == nil)
        try await expectStillServes(host)
    }

    @Test func groupWritableFileIsRefused() async throws {
        let (sandbox, host, _) = try loadNextToGoodPlugin(nil, as: "unused")
        let file = try sandbox.install(TestPlugins.library("fails", source: CorpusSources.fails), as: "libfails.so")
        chmod(file, 0o775)
        let report = try #require(host.reload().first { $0.path == file })
        #expect(report.status == .failed)
        #expect(report.message.contains("is writable by its group (mode 0775)"), "\(report)")
        try await expectStillServes(host)
    }
}
