import Foundation
import Testing
import TrellisDOT
import TrellisEngine
import TrellisPluginHost
import TrellisTestSupport

/// A real plugin (`Tests/PluginABIFixtures/misbehave_plugin.c`, built during the run) breaks the
/// ABI contract on purpose in each way the header documents a result for; each misuse gets
/// that result, nothing it touches changes, and the good plugin next to it keeps serving.
@Suite(.timeLimit(.minutes(2)), .serialized) struct ContractMisuseTests {
    private static let source = Repository.path("Tests/PluginABIFixtures/misbehave_plugin.c")

    private func sandbox(callTimeout: Duration? = PluginHost.defaultCallTimeout, defines: [String] = [])
        throws -> (PluginSandbox, PluginHost, [PluginLoadReport]) {
        let sandbox = try PluginSandbox()
        try sandbox.install(TestPlugins.cExample(), as: "libcexample.so")
        let name = defines.isEmpty ? "misbehave" : "misbehave_flags"
        try sandbox.install(TestPlugins.library(name, source: String(contentsOfFile: Self.source, encoding: .utf8), defines: defines),
                            as: "libmisbehave.so")
        let host = PluginHost(directories: [sandbox.plugins], builtins: .builtin, staging: sandbox.staging, callTimeout: callTimeout)
        return (sandbox, host, host.reload())
    }

    private func expectStillServes(_ host: PluginHost) async throws {
        let outcome = try await invoke(host.current.registry, "cexample.uppercase", context: ["input": .string("still here")])
        #expect(outcome.contextUpdates["output"] == .string("STILL HERE"))
    }

    private func status(_ outcome: Outcome, _ key: String) -> Int? {
        if case .integer(let value)? = outcome.contextUpdates[key] { return value }
        return nil
    }

    private static let ok = 0, error = 1, unavailable = 5, invalid = 6

    @Test func staleHandlesAreUnavailableAndTouchNothing() async throws {
        let (_, host, reports) = try sandbox()
        #expect(reports.allSatisfy { $0.status == .loaded }, "\(reports)")
        let registry = host.current.registry
        let stashed = try await invoke(registry, "misbehave.stash")
        #expect(stashed.status == .success && stashed.contextUpdates["stashed"] == .string("yes"))
        let stashedAsync = try await invoke(registry, "misbehave.stash_async")
        #expect(stashedAsync.status == .success && stashedAsync.contextUpdates["stashed"] == .string("async"))

        // The next call reuses the finished calls' slot: the stale writes must not land in it.
        let stale = try await invoke(registry, "misbehave.stale")
        #expect(stale.status == .success, "\(stale)")
        #expect(stale.contextUpdates["leak"] == nil, "a stale handle wrote into a live call")
        for prefix in ["sync", "async"] {
            #expect(status(stale, prefix + "_set") == Self.unavailable, "\(prefix): \(stale.contextUpdates)")
            #expect(status(stale, prefix + "_outcome") == Self.unavailable)
            #expect(status(stale, prefix + "_attribute") == Self.unavailable)
            #expect(status(stale, prefix + "_get") == Self.unavailable)
        }
        let fromThread = try await invoke(registry, "misbehave.stale_thread")
        #expect(fromThread.status == .success, "\(fromThread)")
        #expect(fromThread.contextUpdates["leak"] == nil)
        #expect(status(fromThread, "thread_set") == Self.unavailable)
        #expect(status(fromThread, "thread_outcome") == Self.unavailable)
        #expect(PluginLog.recent.contains { $0.message.contains("complete() called with a call handle that is not live") })
        try await expectStillServes(host)
    }

    @Test func registrarOutsideInitIsAnError() async throws {
        let (_, host, _) = try sandbox()
        let outcome = try await invoke(host.current.registry, "misbehave.register_late")
        #expect(status(outcome, "register_status") == Self.error, "\(outcome)")
        #expect(host.current.registry.handler(for: "misbehave.late") == nil)
        #expect(PluginLog.recent.contains { $0.message.contains("register_node_type called with a registrar that is not in use") })
        try await expectStillServes(host)
    }

    @Test func invalidUTF8IsRefused() async throws {
        let (_, host, _) = try sandbox()
        let outcome = try await invoke(host.current.registry, "misbehave.bad_utf8")
        #expect(status(outcome, "value_status") == Self.invalid, "\(outcome)")
        #expect(status(outcome, "key_status") == Self.invalid)
        #expect(status(outcome, "reason_status") == Self.invalid)
        #expect(outcome.contextUpdates["value"] == nil, "nothing is written when the value is refused")
        #expect(outcome.failureReason == nil)
        try await expectStillServes(host)
    }

    @Test func eventKindsAndReservedFieldsAreRefused() async throws {
        let (_, host, _) = try sandbox()
        let sink = CollectingSink()
        let outcome = try await invoke(host.current.registry, "misbehave.events", events: sink)
        #expect(status(outcome, "host_kind") == Self.invalid, "\(outcome)")
        #expect(status(outcome, "bad_kind") == Self.invalid)
        #expect(status(outcome, "reserved_key") == Self.invalid)
        #expect(status(outcome, "good") == Self.ok)
        let kinds = sink.events.map(\.kind.rawValue)
        #expect(kinds == ["misbehave_note"], "only the good event is emitted: \(kinds)")
        #expect(sink.events.first?.fields["count"] == .integer(2))
        #expect(sink.events.first?.fields["plugin"] == .string("misbehave"))
    }

    @Test func completeWithAnUnknownStatusSaysSo() async throws {
        let (_, host, _) = try sandbox()
        let outcome = try await invoke(host.current.registry, "misbehave.complete42")
        #expect(outcome.status == .fail)
        #expect(outcome.failureReason == "node type 'misbehave.complete42' passed unknown status 42 to complete() (expected TRELLIS_OK or TRELLIS_ERROR)",
                "\(outcome)")
        try await expectStillServes(host)
    }

    /// A completion from the plugin's own thread may land while invoke runs, between its
    /// return and the host's wait, or during the wait: every order answers the node once, with
    /// what the plugin wrote.
    @Test func aCompletionRacingTheHostsWaitIsNeverLost() async throws {
        let (_, host, _) = try sandbox()
        let registry = host.current.registry
        let outcomes = try await withThrowingTaskGroup(of: [Outcome].self) { group in
            for _ in 0..<4 {
                group.addTask {
                    var outcomes: [Outcome] = []
                    for _ in 0..<250 { outcomes.append(try await invoke(registry, "misbehave.racing")) }
                    return outcomes
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(outcomes.count == 1_000)
        let wrong = outcomes.filter { $0.status != .success || $0.contextUpdates["raced"] != .integer(1) }
        #expect(wrong.isEmpty, "\(wrong.count) calls answered wrongly, the first: \(String(describing: wrong.first))")
        try await expectStillServes(host)
    }

    @Test func aForgottenCompleteTimesOutByDefault() async throws {
        let (_, host, _) = try sandbox(callTimeout: .milliseconds(300))
        let registry = host.current.registry
        let before = status(try await invoke(registry, "misbehave.cancels"), "cancels") ?? -1
        let began = ContinuousClock.now
        let outcome = try await invoke(registry, "misbehave.forgets")
        #expect(outcome.status == .fail)
        let reason = outcome.failureReason ?? ""
        #expect(reason.contains("node 'n_misbehave_forgets' (type 'misbehave.forgets') did not complete within 300ms"), "\(reason)")
        #expect(ContinuousClock.now - began < .seconds(60))
        // The node has already failed when cancel is called (the header's order), so the
        // cancel may still be on its way: read the count until it moves, for at most 10 s.
        var after = before
        let clock = ContinuousClock()
        let patience = clock.now + .seconds(10)
        while after == before, clock.now < patience {
            try await Task.sleep(for: .milliseconds(5))
            after = status(try await invoke(registry, "misbehave.cancels"), "cancels") ?? -1
        }
        #expect(after == before + 1, "the plugin's cancel ran once")
        // A node with its own timeout attribute is the engine's to time out: no default then.
        try await expectStillServes(host)
    }

    /// Call deadlines share one sweep of the shared timer: a call with a shorter limit than the
    /// sweep already scheduled still times out on time, and the sweep does not end a call whose
    /// own deadline has not come.
    @Test func aShortDeadlineAfterALongOneStillFiresAndSparesTheLongOne() async throws {
        let (_, patient, _) = try sandbox(callTimeout: .seconds(120))
        let (_, hasty, _) = try sandbox(callTimeout: .milliseconds(200))
        final class Ended: @unchecked Sendable {
            let lock = NSLock()
            var outcome: Outcome?
        }
        let ended = Ended()
        let long = Task {
            let outcome = try await invoke(patient.current.registry, "misbehave.forgets")
            ended.lock.withLock { ended.outcome = outcome }
        }
        try await Task.sleep(for: .milliseconds(50))
        let began = ContinuousClock.now
        let short = try await invoke(hasty.current.registry, "misbehave.forgets")
        #expect(short.failureReason?.contains("did not complete within 200ms") == true, "\(short)")
        #expect(ContinuousClock.now - began < .seconds(30))
        try await Task.sleep(for: .milliseconds(300))
        #expect(ended.lock.withLock { ended.outcome } == nil, "the 120 s call was ended by another call's deadline")
        long.cancel()
        _ = await long.result
        let outcome = try #require(ended.lock.withLock { ended.outcome })
        #expect(outcome.failureReason?.contains("did not complete within") != true, "\(outcome)")
    }

    @Test func typedAttributeGetters() async throws {
        let (_, host, _) = try sandbox()
        let outcome = try await invoke(host.current.registry, "misbehave.typed",
                                       attributes: [("count", "42"), ("wait", "1500ms"), ("ratio", "0.25"), ("loud", "true"), ("label", "not a number")])
        #expect(outcome.status == .success, "\(outcome)")
        for key in ["count_status", "wait_status", "ratio_status", "loud_status"] { #expect(status(outcome, key) == Self.ok, "\(key)") }
        #expect(status(outcome, "count") == 42)
        #expect(status(outcome, "wait_ms") == 1500)
        #expect(outcome.contextUpdates["ratio"] == .double(0.25))
        #expect(outcome.contextUpdates["loud"] == .boolean(true))
        #expect(status(outcome, "missing_status") == 3, "TRELLIS_NOT_FOUND")
        #expect(status(outcome, "wrong_status") == 4, "TRELLIS_WRONG_TYPE")
    }

    @Test func unknownFlagBitsRefuseTheType() throws {
        let (sandbox, host, reports) = try sandbox(defines: ["-DMISBEHAVE_UNKNOWN_FLAG"])
        let report = try #require(reports.first { $0.path == sandbox.plugins + "/libmisbehave.so" })
        #expect(report.status == .failed)
        #expect(report.message.contains("node type 'misbehave.flagged' sets unknown flag bits 0x80"), "\(report)")
        #expect(host.current.registry.handler(for: "cexample.uppercase") != nil)
    }

    @Test func wrongAndMissingAttributesAreValidationErrors() throws {
        let (sandbox, host, _) = try sandbox()
        let source = """
            digraph Typed {
                start [shape=Mdiamond]
                a [type="misbehave.typed", count="fifty"]
                b [type="misbehave.typed"]
                exit [shape=Msquare]
                start -> a -> b -> exit
            }
            """
        let file = sandbox.root + "/typed.dot"
        try source.write(toFile: file, atomically: true, encoding: .utf8)
        do {
            _ = try PipelineLoader.load(path: file, registry: host.current.registry)
            Issue.record("a graph with a wrong attribute type was accepted for running")
        } catch {
            let errors = error.diagnostics.filter { $0.severity == .error && $0.rule == "attribute_schema" }.map(\.message)
            #expect(errors.contains { $0.contains("attribute 'count' of node 'a' (type misbehave.typed) should be an integer, not 'fifty'") }, "\(errors)")
            #expect(errors.contains { $0.contains("node 'b' (type misbehave.typed) lacks the required attribute 'count'") }, "\(errors)")
        }
    }

    @Test func anAliasTwoPluginsDefineIsAmbiguousNamingBoth() throws {
        let (sandbox, host, _) = try sandbox()
        let twin = try TestPlugins.library("misbehave_twin", source: String(contentsOfFile: Self.source, encoding: .utf8),
                                           defines: ["-DMISBEHAVE_ID=\"twin\""])
        try sandbox.install(twin, as: "libtwin.so")
        let reports = host.reload()
        let twinReport = try #require(reports.first { $0.path.hasSuffix("/libtwin.so") })
        #expect(twinReport.status == .loaded)
        #expect(twinReport.message.contains("no alias 'stash' for 'twin.stash': misbehave.stash and twin.stash both define it"), "\(twinReport)")
        let registry = host.current.registry
        #expect(registry.handler(for: "stash") == nil, "neither plugin silently wins")
        #expect(registry.handler(for: "uppercase") != nil, "an alias only one plugin defines stays")
        let file = sandbox.root + "/ambiguous.dot"
        try """
            digraph Ambiguous {
                start [shape=Mdiamond]
                a [type="stash"]
                exit [shape=Msquare]
                start -> a -> exit
            }
            """.write(toFile: file, atomically: true, encoding: .utf8)
        do {
            _ = try PipelineLoader.load(path: file, registry: registry)
            Issue.record("a graph using an ambiguous alias was accepted")
        } catch {
            let messages = error.diagnostics.filter { $0.severity == .error }.map(\.message)
            #expect(messages.contains { $0.contains("node 'a' has ambiguous type 'stash': misbehave.stash (") && $0.contains("twin.stash (") }, "\(messages)")
        }
    }

    @Test func pluginsBuiltAgainstABI11KeepLoading() async throws {
        let old = Repository.path("Tests/PluginABIFixtures/trellis_plugin_abi_1_1.h")
        let library = try TestPlugins.library("cexample_abi11", source: String(contentsOfFile: Repository.cExampleSource, encoding: .utf8),
                                             defines: ["-include", old])
        let sandbox = try PluginSandbox()
        try sandbox.install(library, as: "libcexample.so")
        let host = sandbox.host()
        let reports = host.reload()
        #expect(reports.allSatisfy { $0.status == .loaded }, "\(reports)")
        let info = try #require(host.current.plugins.first)
        #expect(info.abiMajor == 1 && info.abiMinor == 1)
        let outcome = try await invoke(host.current.registry, "cexample.uppercase", context: ["input": .string("old abi")])
        #expect(outcome.contextUpdates["output"] == .string("OLD ABI"))
        let waited = try await invoke(host.current.registry, "cexample.wait", attributes: [("delay_ms", "5")])
        #expect(waited.status == .success, "\(waited)")
    }
}
