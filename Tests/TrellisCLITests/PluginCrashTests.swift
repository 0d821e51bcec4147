import Foundation
import Testing
import TrellisTestSupport

/// Crash reports that name the culprit, with real crashing C plugins in real `trellis`
/// processes: a fatal signal in a node's invoke prints the plugin's file and id, the node
/// type, node and session before the process dies by that signal, one in an adapter's
/// operation the adapter and the operation; `plugins list` and
/// `plugins inspect` survive a plugin whose init crashes (they scan it in a child first).
@Suite(.timeLimit(.minutes(5))) struct PluginCrashTests {
    /// `crashy.segv` writes through a null pointer, `crashy.abort` aborts, the LLM adapter
    /// `crashy.llm` writes through a null pointer when asked for a completion,
    /// `crashy.segv_after_llm` after asking the run's adapter (`crashy.echo` answers at once),
    /// `crashy.segv_later` from a timer callback; built with `-DCRASH_IN_INIT`, init itself
    /// writes through a null pointer.
    static let source = #"""
    #include <stdlib.h>
    #include "trellis_plugin.h"

    static int *volatile nowhere = NULL;

    static trellis_status segv_invoke(void *state, trellis_call *call) {
        (void)state; (void)call;
        *nowhere = 42;
        return TRELLIS_OK;
    }

    static trellis_status abort_invoke(void *state, trellis_call *call) {
        (void)state; (void)call;
        abort();
    }

    static trellis_status segv_complete(void *state, trellis_string request, trellis_reply *reply) {
        (void)state; (void)request; (void)reply;
        *nowhere = 7;
        return TRELLIS_OK;
    }

    static const trellis_host_api *host;

    static trellis_status echo_complete(void *state, trellis_string request, trellis_reply *reply) {
        (void)state; (void)request;
        static const char answer[] = "{\"content\":\"hello\"}";
        host->adapter_reply(reply, TRELLIS_OK, (trellis_string){answer, sizeof answer - 1}, (trellis_string){NULL, 0});
        return TRELLIS_OK;
    }

    static void ignore_result(void *user_data, trellis_status status, trellis_string result, trellis_string error) {
        (void)user_data; (void)status; (void)result; (void)error;
    }

    static void segv_timer(void *user_data) {
        (void)user_data;
        *nowhere = 11;
    }

    /* Leaves the call pending and crashes from a timer callback a millisecond later. */
    static trellis_status segv_later_invoke(void *state, trellis_call *call) {
        (void)state; (void)call;
        const trellis_timer_ext *timer = host->get_extension(TRELLIS_EXT_TIMER);
        timer->schedule(1000, segv_timer, NULL);
        return TRELLIS_PENDING;
    }

    /* Asks the run's LLM adapter (crashy.echo answers at once, inside the call), then crashes:
     * the report must name this node again, not the adapter. */
    static trellis_status segv_after_llm_invoke(void *state, trellis_call *call) {
        (void)state;
        const trellis_llm_ext *llm = host->get_extension(TRELLIS_EXT_LLM);
        static const char request[] = "{\"prompt\":\"hi\"}";
        llm->complete(call, (trellis_string){request, sizeof request - 1}, ignore_result, NULL);
        *nowhere = 9;
        return TRELLIS_PENDING;
    }

    static trellis_status init(const trellis_host_api *api, trellis_registrar *registrar) {
    #ifdef CRASH_IN_INIT
        *nowhere = 1;
    #endif
        trellis_node_type segv = { TRELLIS_HEADER_INIT(trellis_node_type), "segv", "crashes", 0, NULL, 0, true, NULL, segv_invoke, NULL };
        trellis_node_type stop = { TRELLIS_HEADER_INIT(trellis_node_type), "abort", "aborts", 0, NULL, 0, true, NULL, abort_invoke, NULL };
        trellis_node_type after = { TRELLIS_HEADER_INIT(trellis_node_type), "segv_after_llm", "asks the model, then crashes",
                                    TRELLIS_NODE_ASYNC, NULL, 0, true, NULL, segv_after_llm_invoke, NULL };
        trellis_adapter llm = { TRELLIS_HEADER_INIT(trellis_adapter), TRELLIS_ADAPTER_LLM, "llm", "crashes in llm_complete", NULL,
                                segv_complete, NULL, NULL, NULL, NULL, 0 };
        trellis_adapter echo = { TRELLIS_HEADER_INIT(trellis_adapter), TRELLIS_ADAPTER_LLM, "echo", "answers at once", NULL,
                                 echo_complete, NULL, NULL, NULL, NULL, 0 };
        trellis_node_type later = { TRELLIS_HEADER_INIT(trellis_node_type), "segv_later", "crashes from a timer callback",
                                    TRELLIS_NODE_ASYNC, NULL, 0, true, NULL, segv_later_invoke, NULL };
        host = api;
        if (api->register_node_type(registrar, &segv) != TRELLIS_OK || api->register_node_type(registrar, &after) != TRELLIS_OK
            || api->register_node_type(registrar, &later) != TRELLIS_OK) return TRELLIS_ERROR;
        if (api->register_adapter(registrar, &llm) != TRELLIS_OK || api->register_adapter(registrar, &echo) != TRELLIS_OK) return TRELLIS_ERROR;
        return api->register_node_type(registrar, &stop);
    }

    TRELLIS_EXPORT const trellis_plugin_descriptor *trellis_plugin_entry(void) {
        static const trellis_plugin_descriptor descriptor = { TRELLIS_HEADER_INIT(trellis_plugin_descriptor),
            "crashy", "1.0.0", "crashes on purpose", NULL, init };
        return &descriptor;
    }
    """#

    /// A directory with `plugins/libcrashy.so` (crashing in invoke, or in init) beside the C example.
    private func workspace(crashInInit: Bool = false) throws -> (root: String, plugins: String) {
        let root = try TemporaryDirectory.make("plugin-crash")
        let plugins = root + "/plugins"
        try FileManager.default.createDirectory(atPath: plugins, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: root)
        try CPlugin.build(source: Self.source, name: "crashy", into: plugins, defines: crashInInit ? ["-DCRASH_IN_INIT"] : [])
        try CPlugin.buildExample(into: plugins)
        return (root, plugins)
    }

    /// `start -> NODE -> done` as a graph file in `root`, `NODE` written as `node` (its id and attributes).
    private func oneNodeGraph(_ node: String, in root: String) throws -> String {
        let graph = root + "/one-node.dot"
        try """
        digraph one_node {
            start [shape=Mdiamond]
            \(node)
            done [shape=Msquare]
            start -> \(node.prefix { $0 != " " }) -> done
        }
        """.write(toFile: graph, atomically: true, encoding: .utf8)
        return graph
    }

    /// `trellis run` of `start -> NODE -> done` with the crashing plugins, and `arguments` after.
    private func runOneNode(_ node: String, _ arguments: [String] = []) async throws -> (result: ChildProcess.Result, plugins: String) {
        let (root, plugins) = try workspace()
        let graph = try oneNodeGraph(node, in: root)
        let result = try await ChildProcess.runOffThePool(try BuiltProducts.trellis(), ["run", graph, "--plugin-dir", plugins] + arguments,
                                                          in: root, environment: environment(root), timeout: .seconds(120))
        return (result, plugins)
    }

    private func environment(_ root: String) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasSuffix("_API_KEY") }
        environment["XDG_DATA_HOME"] = root + "/data"
        environment["XDG_CONFIG_HOME"] = root + "/config"
        environment["XDG_CACHE_HOME"] = root + "/cache"
        return environment
    }

    @Test(arguments: [("segv", SIGSEGV, "SIGSEGV"), ("abort", SIGABRT, "SIGABRT")])
    func aFatalSignalInInvokeNamesThePluginAndNode(type: String, signal: Int32, name: String) async throws {
        let (result, plugins) = try await runOneNode("boom [type=\"crashy.\(type)\"]", ["--llm", "simulated"])
        #expect(result.status == signal, "the process should die by \(name) after the report, status \(result.status); stderr: \(result.errors)")
        #expect(result.errors.contains("trellis: fatal signal \(name) in plugin code: plugin 'crashy' (\(plugins)/libcrashy.so), "
                                       + "node type 'crashy.\(type)', node 'boom', session (none"), "\(result.errors)")
        #expect(result.errors.contains("in-process plugins share the host's fate"))
    }

    @Test func aFatalSignalInAnAdapterNamesThePluginAdapterAndOperation() async throws {
        let (result, plugins) = try await runOneNode("ask [prompt=\"Say hello\"]", ["--adapter", "crashy.llm"])
        #expect(result.status == SIGSEGV, "status \(result.status); stderr: \(result.errors)")
        #expect(result.errors.contains("trellis: fatal signal SIGSEGV in plugin code: plugin 'crashy' (\(plugins)/libcrashy.so), "
                                       + "adapter 'crashy.llm', in llm_complete\n"), "\(result.errors)")
    }

    @Test func aCrashAfterAnAdapterCallNamesTheNodeAgain() async throws {
        let (result, plugins) = try await runOneNode("boom [type=\"crashy.segv_after_llm\"]", ["--adapter", "crashy.echo"])
        #expect(result.status == SIGSEGV, "status \(result.status); stderr: \(result.errors)")
        #expect(result.errors.contains("in plugin code: plugin 'crashy' (\(plugins)/libcrashy.so), node type 'crashy.segv_after_llm', "
                                       + "node 'boom', session (none"), "\(result.errors)")
    }

    @Test func aFatalSignalInATimerCallbackNamesThePlugin() async throws {
        let (result, plugins) = try await runOneNode("wait [type=\"crashy.segv_later\"]")
        #expect(result.status == SIGSEGV, "status \(result.status); stderr: \(result.errors)")
        #expect(result.errors.contains("trellis: fatal signal SIGSEGV in plugin code: plugin 'crashy' (\(plugins)/libcrashy.so), "
                                       + "in timer callback\n"), "\(result.errors)")
    }

    @Test func aCrashInASessionTurnNamesTheSession() async throws {
        let (root, plugins) = try workspace()
        let graph = try oneNodeGraph("boom [type=\"crashy.segv\"]", in: root)
        let requests = """
        {"jsonrpc":"2.0","id":1,"method":"session.create","params":{"session_id":"s-crash"}}
        {"jsonrpc":"2.0","id":2,"method":"session.send","params":{"session_id":"s-crash","message":"hello"}}

        """
        let result = try await ChildProcess.runOffThePool(try BuiltProducts.trellis(),
                                          ["serve", "--stdio", "--llm", "simulated", "--memory", "in_memory", "--no-heartbeats",
                                           "--turn-graph", graph, "--plugin-dir", plugins],
                                          in: root, input: requests, environment: environment(root), timeout: .seconds(120))
        #expect(result.status == SIGSEGV, "status \(result.status); stderr: \(result.errors)")
        #expect(result.errors.contains("in plugin code: plugin 'crashy' (\(plugins)/libcrashy.so), node type 'crashy.segv', "
                                       + "node 'boom', session 's-crash'"), "\(result.errors)")
    }

    @Test func listAndInspectSurviveAPluginWhoseInitCrashes() async throws {
        let (root, plugins) = try workspace(crashInInit: true)
        let list = try await ChildProcess.runOffThePool(try BuiltProducts.trellis(), ["plugins", "list", "--plugin-dir", plugins],
                                        in: root, environment: environment(root), timeout: .seconds(120))
        #expect(list.status == 1, "list reports the broken plugin and exits 1 (not by a signal); stderr: \(list.errors)")
        #expect(list.output.contains("cexample.uppercase"), "the other plugin is still listed: \(list.output)")
        #expect(list.errors.contains("\(plugins)/libcrashy.so: loading it crashed a scanning child process with signal \(SIGSEGV)"),
                "\(list.errors)")
        #expect(list.errors.contains("plugin 'crashy' (\(plugins)/libcrashy.so), in init"), "the child's report is passed on: \(list.errors)")

        let inspect = try await ChildProcess.runOffThePool(try BuiltProducts.trellis(), ["plugins", "inspect", plugins + "/libcrashy.so"],
                                           in: root, environment: environment(root), timeout: .seconds(120))
        #expect(inspect.status == 1, "stderr: \(inspect.errors)")
        #expect(inspect.errors.contains("crashed a scanning child process"), "\(inspect.errors)")
    }
}
