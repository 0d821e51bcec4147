import Foundation
import Testing
import TrellisEngine
import TrellisHosting
import TrellisTestSupport
@testable import TrellisSession

/// Sessions whose LLM adapter comes from a plugin follow a reload of that plugin at their next
/// turn boundary, never mid-turn (a real `.so` built from C, swapped while sessions run turns).
@Suite(.timeLimit(.minutes(2))) struct PluginAdapterReloadTests {
    /// `genllm.llm` answers "gen <VARIANT>"; `genllm.check` fails the turn unless the model's
    /// answer came from its own generation's adapter (a turn mixing generations fails).
    static func source(variant: Int) -> String {
        #"""
        #include <stdio.h>
        #include <string.h>
        #include "trellis_plugin.h"
        #define VARIANT "\#(variant)"

        static const trellis_host_api *host;

        static trellis_status llm_complete(void *state, trellis_string request, trellis_reply *reply) {
            (void)state; (void)request;
            const char *json = "{\"content\":\"gen " VARIANT "\",\"tool_calls\":[]}";
            host->adapter_reply(reply, TRELLIS_OK, trellis_string_make(json, strlen(json)), trellis_string_make(NULL, 0));
            return TRELLIS_OK;
        }

        static trellis_status check_invoke(void *state, trellis_call *call) {
            (void)state;
            trellis_string content;
            const char *expected = "gen " VARIANT;
            if (host->context_get_string(call, TRELLIS_LITERAL("llm.content"), &content) != TRELLIS_OK
                || content.length != strlen(expected) || memcmp(content.data, expected, content.length) != 0) {
                char message[200];
                snprintf(message, sizeof message, "mixed generations: node type of generation " VARIANT " saw the answer '%.*s'",
                         (int)(content.length < 100 ? content.length : 100), content.data ? content.data : "");
                host->outcome_set_failure(call, trellis_string_make(message, strlen(message)));
                return TRELLIS_ERROR;
            }
            return TRELLIS_OK;
        }

        static trellis_status init(const trellis_host_api *api, trellis_registrar *registrar) {
            host = api;
            trellis_node_type check = { TRELLIS_HEADER_INIT(trellis_node_type), "check", "checks the answer's generation",
                TRELLIS_NODE_THREAD_SAFE, NULL, 0, true, NULL, check_invoke, NULL };
            if (api->register_node_type(registrar, &check) != TRELLIS_OK) return TRELLIS_ERROR;
            trellis_adapter llm;
            memset(&llm, 0, sizeof llm);
            llm.struct_size = sizeof llm;
            llm.abi_major = TRELLIS_ABI_MAJOR;
            llm.abi_minor = TRELLIS_ABI_MINOR;
            llm.kind = TRELLIS_ADAPTER_LLM;
            llm.name = "llm";
            llm.description = "answers with its generation";
            llm.llm_complete = llm_complete;
            return api->register_adapter(registrar, &llm);
        }

        TRELLIS_EXPORT const trellis_plugin_descriptor *trellis_plugin_entry(void) {
            static const trellis_plugin_descriptor descriptor = { TRELLIS_HEADER_INIT(trellis_plugin_descriptor),
                "genllm", "1.0." VARIANT, "an LLM adapter that says its generation", NULL, init };
            return &descriptor;
        }
        """#
    }

    private static let turnGraph = """
        digraph turn {
            start [shape=Mdiamond]
            call_llm [type="session.llm_call"]
            check [type="genllm.check"]
            format [type="session.format"]
            done [shape=Msquare]
            start -> call_llm -> check -> format -> done
        }
        """

    private func install(variant: Int, into directory: String, scratch: String) throws {
        let library = try CPlugin.build(source: Self.source(variant: variant), name: "genllm_\(variant)", into: scratch)
        _ = rename(library, directory + "/libgenllm.so")
    }

    @Test func pluginAdaptersFollowAReloadAtTheNextTurnUnderLoad() async throws {
        let root = try Support.temporaryDirectory()
        let pluginDirectory = root + "/plugins"
        let scratch = root + "/build"
        for path in [pluginDirectory, scratch] {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        }
        chmod(root, 0o755)
        try install(variant: 1, into: pluginDirectory, scratch: scratch)
        let graphPath = root + "/turn.dot"
        try Self.turnGraph.write(toFile: graphPath, atomically: true, encoding: .utf8)

        let catalog = AdapterCatalog()
        let plugins = SessionPlugins(directories: [pluginDirectory], builtins: SessionHandlers.registry, catalog: catalog)
        let manager = try SessionManager(
            options: SessionManagerOptions(turnGraphPath: graphPath, watchGraphs: false, heartbeats: .disabled),
            registry: plugins.registry, adapterCatalog: catalog)
        plugins.attach(to: manager)
        let sessions = try await (0..<20).asyncMap { index in
            try await manager.create(SessionConfiguration(sessionID: "a\(index)", config: ["llm_adapter": .string("genllm.llm")]))
        }
        let firstGeneration = try #require(await sessions[0].state().adapterPluginGeneration, "the adapter comes from the plugin")
        #expect(try await sessions[0].send("before").reply == "gen 1")

        // Every session sends turns until told to stop; every reply is one generation's answer,
        // and a turn mixing generations fails (genllm.check), which fails the test.
        let stop = Gate()
        async let load: [[String]] = withThrowingTaskGroup(of: [String].self) { group in
            for session in sessions {
                group.addTask {
                    var replies: [String] = []
                    while !stop.isOpen || replies.count < 3 {
                        try Task.checkCancellation()
                        replies.append(try await session.send("turn \(replies.count + 1)").reply)
                    }
                    return replies
                }
            }
            var all: [[String]] = []
            for try await replies in group { all.append(replies) }
            return all
        }
        try await Task.sleep(for: .milliseconds(200))
        try install(variant: 2, into: pluginDirectory, scratch: scratch)
        let outcome = plugins.reload()
        #expect(outcome.graphs?.succeeded == true)
        #expect(outcome.generation > firstGeneration)
        // Turns started after the swap answer from the new adapter.
        var afterSwap: [String] = []
        for session in sessions { afterSwap.append(try await session.send("after the swap").reply) }
        stop.open()
        let replies = try await load

        #expect(afterSwap.allSatisfy { $0 == "gen 2" }, "\(afterSwap)")
        #expect(replies.joined().allSatisfy { $0 == "gen 1" || $0 == "gen 2" })
        for session in sessions {
            let state = await session.state()
            #expect(state.adapterPluginGeneration == outcome.generation)
            #expect(state.messages.count == 2 * state.turnCount, "a turn was lost in session \(state.sessionID)")
        }
        manager.shutdown()
    }
}
