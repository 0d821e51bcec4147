import Foundation
import Testing
import TrellisEngine
import TrellisPluginHost
import TrellisTestSupport

/// The end of a plugin's life (ABI 1.2 `registrar_set_shutdown`): called once per activation, after the last
/// generation serving it is gone and its last call has finished; identical bytes loaded after
/// that run `init` again. Every plugin here appends what happens to it to a log file, so the
/// order of init, calls and shutdown is checked across images and threads.
@Suite(.timeLimit(.minutes(1))) struct LifecycleTests {
    /// `life.work` (synchronous) and `life.hold` (completes `HOLD_US` after invoke, from a timer
    /// thread), logging `init`, `invoked`, `completing` and `shutdown` lines tagged with `TAG`
    /// and a count. The shutdown function's argument is checked to be the one given.
    static let source = """
        #include <stdio.h>
        #include "trellis_plugin.h"

        static const trellis_host_api *host;
        static const trellis_timer_ext *timer;
        static int inits, shutdowns;
        static int token;

        static void record(const char *what, int count) {
            FILE *file = fopen(LOG_PATH, "a");
            if (!file) return;
            fprintf(file, "%s %s %d\\n", what, TAG, count);
            fclose(file);
        }
        static trellis_status work(void *state, trellis_call *call) {
            (void)state;
            return host->context_set_integer(call, TRELLIS_LITERAL("inits"), inits);
        }
        static void finish(void *data) {
            record("completing", inits);
            host->complete((trellis_call *)data, TRELLIS_OK, TRELLIS_LITERAL(""));
        }
        static trellis_status hold(void *state, trellis_call *call) {
            (void)state;
            record("invoked", inits);
            timer->schedule(HOLD_US, finish, call);
            return TRELLIS_PENDING;
        }
        static void stop(void *user_data);
        static trellis_status start(const trellis_host_api *api, trellis_registrar *registrar) {
            host = api;
            timer = (const trellis_timer_ext *)api->get_extension(TRELLIS_EXT_TIMER);
            inits++;
            record("init", inits);
            trellis_node_type a = {TRELLIS_HEADER_INIT(trellis_node_type), "work", "", TRELLIS_NODE_THREAD_SAFE, 0, 0, true, 0, work, 0};
            trellis_node_type b = {TRELLIS_HEADER_INIT(trellis_node_type), "hold", "", TRELLIS_NODE_THREAD_SAFE | TRELLIS_NODE_ASYNC,
                                   0, 0, true, 0, hold, 0};
            if (api->register_node_type(registrar, &a) != TRELLIS_OK) return TRELLIS_ERROR;
            if (api->register_node_type(registrar, &b) != TRELLIS_OK) return TRELLIS_ERROR;
            return api->registrar_set_shutdown(registrar, stop, &token);
        }
        static void stop(void *user_data) {
            shutdowns++;
            record(user_data == &token ? "shutdown" : "shutdown-with-wrong-user-data", shutdowns);
        }
        static const trellis_plugin_descriptor descriptor = {
            TRELLIS_HEADER_INIT(trellis_plugin_descriptor), "life", "1.0.0", "lifecycle", "", start};
        TRELLIS_EXPORT const trellis_plugin_descriptor *trellis_plugin_entry(void) { return &descriptor; }
        """

    /// The plugin built with `tag` (distinct bytes per tag), logging to `log`.
    static func library(_ tag: String, log: String, holdMicroseconds: Int = 0) throws -> String {
        try TestPlugins.library("life_\(tag)", source: source,
                                defines: ["-DTAG=\"\(tag)\"", "-DLOG_PATH=\"\(log)\"", "-DHOLD_US=\(holdMicroseconds)"])
    }

    static func lines(_ log: String) -> [String] {
        ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    @Test func shutdownFollowsTheLastGenerationAndIdenticalBytesInitAgain() async throws {
        let sandbox = try PluginSandbox()
        let log = sandbox.root + "/life.log"
        let first = try Self.library("a", log: log)
        let second = try Self.library("b", log: log)
        try sandbox.install(first, as: "liblife.so")
        let host = sandbox.host()
        host.reload()
        #expect(Self.lines(log) == ["init a 1"])

        // Another host loading the same bytes while they serve shares the activation: no second init.
        let neighbour = try PluginSandbox()
        try neighbour.install(first, as: "liblife.so")
        let neighbourHost = neighbour.host()
        neighbourHost.reload()
        #expect(Self.lines(log) == ["init a 1"])
        try FileManager.default.removeItem(atPath: neighbour.plugins + "/liblife.so")
        neighbourHost.reload()

        // A run that took the first generation keeps it: no shutdown while it may still call.
        var held: HandlerRegistry? = host.current.registry
        try sandbox.install(second, as: "liblife.so")
        host.reload()
        try await Task.sleep(for: .milliseconds(200))
        #expect(!Self.lines(log).contains("shutdown a 1"), "\(Self.lines(log))")
        let outcome = try await invoke(held!, "life.work")
        #expect(outcome.contextUpdates["inits"] == .integer(1))

        held = nil
        try await waitUntil(timeout: .seconds(10), "the first activation's shutdown") { Self.lines(log).contains("shutdown a 1") }
        #expect(Self.lines(log).filter { $0.hasPrefix("shutdown a") } == ["shutdown a 1"])

        // The same bytes again, after their shutdown: init runs again (a new activation), and
        // the activation they replace is shut down in turn.
        try sandbox.install(first, as: "liblife.so")
        host.reload()
        #expect(Self.lines(log).contains("init a 2"), "\(Self.lines(log))")
        let again = try await invoke(host.current.registry, "life.work")
        #expect(again.contextUpdates["inits"] == .integer(2))
        try await waitUntil(timeout: .seconds(10), "the second image's shutdown") { Self.lines(log).contains("shutdown b 1") }
        withExtendedLifetime((host, neighbourHost)) {}
    }

    @Test func aPendingCallDelaysShutdownUntilThePluginCompletesIt() async throws {
        let sandbox = try PluginSandbox()
        let log = sandbox.root + "/hold.log"
        let holding = try Self.library("c", log: log, holdMicroseconds: 1_500_000)
        try sandbox.install(holding, as: "libhold.so")
        let host = sandbox.host()
        host.reload()
        // The run gives up on the call (its task is cancelled) while the plugin completes it
        // 1.5 s after invoke.
        let run = Task { [host] in try await invoke(host.current.registry, "life.hold") }
        try await waitUntil(timeout: .seconds(10), "the plugin's invoke") { Self.lines(log).contains("invoked c 1") }
        run.cancel()
        let outcome = try await run.value
        #expect(outcome.status == .fail && outcome.failureReason?.contains("was cancelled") == true, "\(outcome)")

        // Nothing serves the activation any more but the pending call's slot.
        try FileManager.default.removeItem(atPath: sandbox.plugins + "/libhold.so")
        host.reload()
        try await waitUntil(timeout: .seconds(10), "the shutdown after the late completion") { Self.lines(log).contains("shutdown c 1") }
        let lines = Self.lines(log)
        let completing = try #require(lines.firstIndex(of: "completing c 1"), "\(lines)")
        let shutdown = try #require(lines.firstIndex(of: "shutdown c 1"))
        #expect(completing < shutdown, "shutdown ran while the plugin still had a pending call: \(lines)")
        withExtendedLifetime(host) {}
    }
}
