import Foundation
import Testing
import TrellisEngine
import TrellisPluginHost
import TrellisTestSupport

/// Strings a call lends its plugin (`context_get_string`) stay intact until the call ends,
/// however many it lends and however long they are (short ones share the slot's reused
/// buffer, long ones get their own), and a pending call's strings survive the other calls
/// that run meanwhile.
@Suite(.timeLimit(.minutes(1))) struct LentStringsTests {
    /// `lend.many` reads `s0`...`s9`, keeps every pointer, and only then writes what each one
    /// holds back as `k0`...`k9` (`terminated` counts those that end in a NUL). `lend.later` (async) reads
    /// `long` and `short` in invoke and writes them back from a timer callback 30 ms later.
    static let source = CorpusSources.prelude + """
        static trellis_status many(void *state, trellis_call *call) {
            (void)state;
            trellis_string kept[10];
            char key[8];
            for (int i = 0; i < 10; i++) {
                snprintf(key, sizeof key, "s%d", i);
                if (host->context_get_string(call, trellis_string_make(key, strlen(key)), &kept[i]) != TRELLIS_OK) return TRELLIS_ERROR;
            }
            // Only now, after every read, look at what each pointer holds: written back under
            // k0...k9 for the test to compare with what it sent.
            int64_t terminated = 0;
            for (int i = 0; i < 10; i++) {
                snprintf(key, sizeof key, "k%d", i);
                host->context_set_string(call, trellis_string_make(key, strlen(key)), kept[i]);
                if (kept[i].data[kept[i].length] == 0) terminated++;
            }
            host->context_set_integer(call, TRELLIS_LITERAL("terminated"), terminated);
            return TRELLIS_OK;
        }

        typedef struct later_call { trellis_call *call; trellis_string long_text, short_text; } later_call;

        static void answer_later(void *user_data) {
            later_call *later = (later_call *)user_data;
            host->context_set_string(later->call, TRELLIS_LITERAL("echo_long"), later->long_text);
            host->context_set_string(later->call, TRELLIS_LITERAL("echo_short"), later->short_text);
            host->complete(later->call, TRELLIS_OK, TRELLIS_LITERAL(""));
            free(later);
        }

        static trellis_status later(void *state, trellis_call *call) {
            (void)state;
            later_call *pending = calloc(1, sizeof *pending);
            pending->call = call;
            if (host->context_get_string(call, TRELLIS_LITERAL("long"), &pending->long_text) != TRELLIS_OK
                || host->context_get_string(call, TRELLIS_LITERAL("short"), &pending->short_text) != TRELLIS_OK) {
                free(pending);
                return TRELLIS_ERROR;
            }
            timer->schedule(30000, answer_later, pending);
            return TRELLIS_PENDING;
        }

        static trellis_status init(const trellis_host_api *api, trellis_registrar *registrar) {
            keep_host(api);
            trellis_node_type m = node_type("many", TRELLIS_NODE_THREAD_SAFE, many);
            trellis_node_type l = node_type("later", TRELLIS_NODE_THREAD_SAFE | TRELLIS_NODE_ASYNC, later);
            if (api->register_node_type(registrar, &m) != TRELLIS_OK || api->register_node_type(registrar, &l) != TRELLIS_OK)
                return TRELLIS_ERROR;
            return TRELLIS_OK;
        }

        DESCRIPTOR("lend", "1.0.0", init)
        """

    private func load() throws -> PluginHost {
        let sandbox = try PluginSandbox()
        try sandbox.install(TestPlugins.library("lend", source: Self.source), as: "liblend.so")
        let host = sandbox.host()
        #expect(host.reload().allSatisfy { $0.status == .loaded })
        return host
    }

    @Test func everyLentStringStaysIntactUntilTheCallEnds() async throws {
        let host = try load()
        // Short and long strings mixed: more than the reused buffer holds, so both kinds of copy.
        var context: [String: ContextValue] = [:]
        for index in 0..<10 {
            context["s\(index)"] = .string(index % 3 == 0 ? String(repeating: "long \(index) ", count: 40) : "short \(index)")
        }
        for _ in 0..<3 {
            let outcome = try await invoke(host.current.registry, "lend.many", context: context)
            #expect(outcome.contextUpdates["terminated"] == .integer(10), "\(outcome)")
            for index in 0..<10 { #expect(outcome.contextUpdates["k\(index)"] == context["s\(index)"], "s\(index)") }
        }
    }

    @Test func aPendingCallsStringsSurviveTheCallsThatRunMeanwhile() async throws {
        let host = try load()
        let registry = host.current.registry
        let long = String(repeating: "a pending call's long text ", count: 20)
        let pending = Task {
            try await invoke(registry, "lend.later", context: ["long": .string(long), "short": .string("kept")])
        }
        var others: [String: ContextValue] = [:]
        for index in 0..<10 { others["s\(index)"] = .string("other \(index) " + String(repeating: "x", count: index * 30)) }
        for _ in 0..<20 {
            let outcome = try await invoke(registry, "lend.many", context: others)
            #expect(outcome.contextUpdates["k9"] == others["s9"])
        }
        let answered = try await pending.value
        #expect(answered.status == .success, "\(answered)")
        #expect(answered.contextUpdates["echo_long"] == .string(long))
        #expect(answered.contextUpdates["echo_short"] == .string("kept"))
    }
}
