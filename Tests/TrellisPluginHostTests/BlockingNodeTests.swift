import Foundation
import Testing
import TrellisEngine
import TrellisPluginHost
import TrellisTestSupport

/// `TRELLIS_NODE_BLOCKING`: invokes that block their thread run on the host's blocking pool,
/// so they do not starve the cooperative pool that timer nodes (and every run) need.
@Suite(.timeLimit(.minutes(3))) struct BlockingNodeTests {
    /// `blocker.sleep`: writes a marker file (`marker` attribute), records its thread's name,
    /// then blocks in invoke — the call the flag is for — until the file `release` exists
    /// (polling every 10 ms, for at most two minutes).
    static let source = #"""
    #define _GNU_SOURCE
    #include <fcntl.h>
    #include <pthread.h>
    #include <stdio.h>
    #include <stdlib.h>
    #include <string.h>
    #include <time.h>
    #include <unistd.h>
    #include "trellis_plugin.h"

    static const trellis_host_api *host;

    static void attribute(trellis_call *call, const char *name, char *out, size_t size) {
        trellis_string value;
        out[0] = '\0';
        if (host->node_attribute(call, trellis_string_make(name, strlen(name)), &value) == TRELLIS_OK && value.length < size) {
            memcpy(out, value.data, value.length);
            out[value.length] = '\0';
        }
    }

    static trellis_status sleep_invoke(void *state, trellis_call *call) {
        (void)state;
        char marker[512], release[512], name[32] = "";
        attribute(call, "marker", marker, sizeof marker);
        attribute(call, "release", release, sizeof release);
        pthread_getname_np(pthread_self(), name, sizeof name);
        host->context_set_string(call, TRELLIS_LITERAL("thread_name"), trellis_string_make(name, strlen(name)));
        if (marker[0] != '\0') close(open(marker, O_CREAT | O_WRONLY, 0644));
        struct timespec pause = { 0, 10 * 1000000L };
        for (int waited = 0; waited < 12000 && access(release, F_OK) != 0; waited++) nanosleep(&pause, NULL);
        return TRELLIS_OK;
    }

    static trellis_status init(const trellis_host_api *api, trellis_registrar *registrar) {
        host = api;
        trellis_node_type type = { TRELLIS_HEADER_INIT(trellis_node_type), "sleep", "sleeps in invoke",
            TRELLIS_NODE_THREAD_SAFE | TRELLIS_NODE_BLOCKING, NULL, 0, true, NULL, sleep_invoke, NULL };
        return api->register_node_type(registrar, &type);
    }

    TRELLIS_EXPORT const trellis_plugin_descriptor *trellis_plugin_entry(void) {
        static const trellis_plugin_descriptor descriptor = { TRELLIS_HEADER_INIT(trellis_plugin_descriptor),
            "blocker", "1.0.0", "blocks in invoke", NULL, init };
        return &descriptor;
    }
    """#

    @Test func blockingInvokesDoNotDelayTimerNodes() async throws {
        let sandbox = try PluginSandbox()
        try sandbox.install(try TestPlugins.library("blocker", source: Self.source), as: "libblocker.so")
        try sandbox.install(try TestPlugins.cExample(), as: "libcexample.so")
        let host = sandbox.host()
        let failures = host.reload().filter { $0.status == .failed }
        #expect(failures.isEmpty, "\(failures.map(\.description))")
        let registry = host.current.registry
        let blocker = try #require(host.current.plugins.first { $0.id == "blocker" })
        #expect(blocker.nodeTypes.map(\.isBlocking) == [true], "plugins inspect shows the flag")

        // More blocking invokes than the cooperative pool has threads (so without the flag the
        // last one could not even start, nor could a timer node), but no more than the pool's 8.
        let blockers = min(ProcessInfo.processInfo.activeProcessorCount + 1, 8)
        let release = sandbox.root + "/release"
        let finished = LockedCount()
        var sleeping: [Task<Outcome, any Error>] = []
        for index in 0..<blockers {
            let marker = sandbox.root + "/started-\(index)"
            sleeping.append(Task {
                let outcome = try await invoke(registry, "blocker.sleep", attributes: [("marker", marker), ("release", release)])
                finished.increment()
                return outcome
            })
        }
        // Whatever happens below, the blocking invokes end (they also give up after two minutes).
        defer { _ = FileManager.default.createFile(atPath: release, contents: nil) }
        try await waitUntil(timeout: .seconds(30), "every blocking invoke started") {
            (0..<blockers).allSatisfy { FileManager.default.fileExists(atPath: sandbox.root + "/started-\($0)") }
        }

        // Two timer nodes while every blocking invoke is held: they finish, and none of the held
        // invokes could have ended meanwhile. 30 s is a generous bound for two 50 ms timers
        // (the cooperative pool stretches under load and the thread sanitizer).
        let clock = ContinuousClock()
        let start = clock.now
        async let first = invoke(registry, "cexample.wait", attributes: [("delay_ms", "50")])
        async let second = invoke(registry, "cexample.wait", attributes: [("delay_ms", "50")])
        let timers = try await [first, second]
        let elapsed = clock.now - start
        #expect(timers.allSatisfy { $0.status == .success }, "\(timers.map(\.failureReason))")
        #expect(finished.value == 0, "a blocking invoke ended before it was released")
        #expect(elapsed < .seconds(30), "two 50 ms timer nodes took \(elapsed) beside blocking invokes")
        _ = FileManager.default.createFile(atPath: release, contents: nil)

        for task in sleeping {
            let outcome = try await task.value
            #expect(outcome.status == .success, "\(outcome.failureReason ?? "")")
            let thread = outcome.contextUpdates["thread_name"]?.stringValue ?? ""
            #expect(thread.hasPrefix("trellis-block-"), "a blocking invoke ran on '\(thread)', not the blocking pool")
        }
    }
}

/// A counter shared between tasks (an NSLock: the thread sanitizer sees a pthread mutex).
private final class LockedCount: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
