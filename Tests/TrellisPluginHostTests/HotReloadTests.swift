import Foundation
import Synchronization
import Testing
import TrellisDOT
import TrellisEngine
import TrellisPluginHost
import TrellisTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Hot reload: libraries replaced, broken and removed under a watching host while runs go on.
@Suite(.timeLimit(.minutes(1))) struct HotReloadTests {
    /// The `swap` plugin compiled to return `variant`.
    static func variant(_ variant: Int) throws -> String {
        try TestPlugins.library("swap\(variant)", source: CorpusSources.variant, defines: ["-DVARIANT=\(variant)"])
    }

    /// Overwrites `path` in place with the bytes of `library` (the way `cp` does), keeping its inode.
    static func overwrite(_ path: String, with library: String) throws {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: library))
        let descriptor = open(path, O_WRONLY | O_TRUNC)
        guard descriptor >= 0 else { throw TestPlugins.CompileFailure(message: "cannot open \(path)") }
        defer { close(descriptor) }
        _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    }

    static let graph: Graph = {
        let dot = """
            digraph swap {
                start [shape=Mdiamond]
                a [type="swap.value", key="first"]
                b [type="swap.value", key="second"]
                c [type="swap.value", key="third"]
                done [shape=Msquare]
                start -> a -> b -> c -> done
            }
            """
        return DOTParser.parse(dot, file: "swap.dot").graph!
    }()

    @Test func reloadWhileEightRunsLoop() async throws {
        let sandbox = try PluginSandbox()
        let watched = try sandbox.install(Self.variant(0), as: "libswap.so")
        let variants = try (1...10).map { try Self.variant($0) }
        let host = sandbox.host()
        host.reload()
        let watcher = host.watch { _, _ in }
        defer { watcher.stop() }

        let stop = StopFlag()
        let results = try await withThrowingTaskGroup(of: [Int].self) { group in
            for _ in 0..<8 {
                group.addTask {
                    var seen: [Int] = []
                    var compiled: CompiledGraph?
                    // Each run goes on until the last swap is announced and it has itself run on the last variant;
                    // the deadline ends it with a clear message before the suite's time limit would.
                    let deadline = ContinuousClock.now + .seconds(50)
                    while !(stop.isSet && seen.last == variants.count) {
                        // A failed wait in the swapping loop cancels the group: stop at once.
                        try Task.checkCancellation()
                        guard ContinuousClock.now < deadline else {
                            throw TestPlugins.CompileFailure(message: "a run never saw the last variant; it saw \(seen.suffix(5))")
                        }
                        let generation = host.current
                        if compiled?.registryGeneration != generation.number {
                            compiled = try GraphCompiler.compile(Self.graph, registry: generation.registry)
                        }
                        let result = await Engine().run(compiled!)
                        guard result.status == .success else {
                            throw TestPlugins.CompileFailure(message: "a run failed: \(result.failureReason ?? "")")
                        }
                        let values = ["first", "second", "third"].map { result.context[$0] }
                        guard case .integer(let value)? = values[0], values.allSatisfy({ $0 == values[0] }) else {
                            throw TestPlugins.CompileFailure(message: "a run mixed generations: \(values)")
                        }
                        seen.append(value)
                        await Task.yield()
                    }
                    return seen
                }
            }
            for (index, library) in variants.enumerated() {
                try Self.overwrite(watched, with: library)
                let expected = index + 1
                try await waitUntil("variant \(expected) to be served after its swap", interval: .milliseconds(5)) {
                    let outcome = try await invoke(host.current.registry, "swap.value")
                    return outcome.contextUpdates["value"] == .integer(expected)
                }
                // Let the runs go through the new generation before the next swap.
                try await Task.sleep(for: .milliseconds(30))
            }
            stop.set()
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 8)
        for seen in results {
            #expect(!seen.isEmpty)
            #expect(seen.last == 10, "every run ends on the last variant")
            #expect(seen == seen.sorted(), "a run never goes back to an older generation")
        }
        #expect(host.current.number >= 11)
    }

    @Test func brokenReplacementLeavesPreviousVersionServing() async throws {
        let sandbox = try PluginSandbox()
        let watched = try sandbox.install(Self.variant(1), as: "libswap.so")
        let host = sandbox.host()
        host.reload()
        let before = host.current.number
        try "garbage".write(toFile: watched, atomically: false, encoding: .utf8)
        let report = try #require(host.reload().first { $0.path == watched })
        #expect(report.status == .failed && report.previousVersionServing)
        #expect(report.message.contains("not an ELF shared library"))
        #expect(host.current.number == before, "no new generation for a failed load")
        let outcome = try await invoke(host.current.registry, "swap.value")
        #expect(outcome.contextUpdates["value"] == .integer(1))
    }

    @Test func removedLibraryLeavesTheNextGeneration() async throws {
        let sandbox = try PluginSandbox()
        let watched = try sandbox.install(Self.variant(2), as: "libswap.so")
        let host = sandbox.host()
        host.reload()
        let pinned = host.current
        try FileManager.default.removeItem(atPath: watched)
        let report = try #require(host.reload().first { $0.path == watched })
        #expect(report.status == .removed)
        #expect(host.current.registry.handler(for: "swap.value") == nil)
        let outcome = try await invoke(pinned.registry, "swap.value")
        #expect(outcome.contextUpdates["value"] == .integer(2), "a pinned generation keeps serving its calls")
    }

    @Test func pollingFallbackPicksUpChanges() async throws {
        let sandbox = try PluginSandbox()
        let watched = try sandbox.install(Self.variant(3), as: "libswap.so")
        let host = sandbox.host()
        host.reload()
        let changes = Mutex<[UInt64]>([])
        let watcher = host.watch(mode: .polling(.milliseconds(20))) { generation, _ in changes.withLock { $0.append(generation.number) } }
        defer { watcher.stop() }
        #expect(!watcher.usesInotify)
        try Self.overwrite(watched, with: Self.variant(4))
        try await waitUntil("the polling watcher to serve variant 4", interval: .milliseconds(5)) {
            try await invoke(host.current.registry, "swap.value").contextUpdates["value"] == .integer(4)
        }
        #expect(changes.withLock { !$0.isEmpty })
    }
}

/// A flag the main test task raises to end the looping runs.
final class StopFlag: Sendable {
    private let raised = Atomic<Bool>(false)
    var isSet: Bool { raised.load(ordering: .acquiring) }
    func set() { raised.store(true, ordering: .releasing) }
}
