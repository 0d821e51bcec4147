/// C sources of the test plugins: well-behaved ones exercising the API, and the broken-plugin
/// corpus. Each is compiled by `TestPlugins.library` during the test run.
enum CorpusSources {
    /// Shared by every corpus plugin: keeps the host table, builds node types and adapters,
    /// defines the descriptor.
    static let prelude = """
        #define _POSIX_C_SOURCE 200809L
        #define _DEFAULT_SOURCE
        #include <pthread.h>
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        #include "trellis_plugin.h"

        static const trellis_host_api *host;
        static const trellis_timer_ext *timer;

        static inline trellis_node_type node_type(const char *name, uint32_t flags, trellis_status (*invoke)(void *, trellis_call *)) {
            trellis_node_type t;
            memset(&t, 0, sizeof t);
            t.struct_size = sizeof t;
            t.abi_major = TRELLIS_ABI_MAJOR;
            t.abi_minor = TRELLIS_ABI_MINOR;
            t.name = name;
            t.flags = flags;
            t.invoke = invoke;
            t.allows_unlisted_attributes = true;
            return t;
        }

        static inline trellis_adapter adapter_of(int32_t kind, const char *name) {
            trellis_adapter a;
            memset(&a, 0, sizeof a);
            a.struct_size = sizeof a;
            a.abi_major = TRELLIS_ABI_MAJOR;
            a.abi_minor = TRELLIS_ABI_MINOR;
            a.kind = kind;
            a.name = name;
            return a;
        }

        static inline void keep_host(const trellis_host_api *api) {
            host = api;
            timer = (const trellis_timer_ext *)api->get_extension(TRELLIS_EXT_TIMER);
        }

        #define DESCRIPTOR(ID, VERSION, INIT) \\
            static const trellis_plugin_descriptor descriptor = { \\
                TRELLIS_HEADER_INIT(trellis_plugin_descriptor), ID, VERSION, "test plugin", "", INIT}; \\
            TRELLIS_EXPORT const trellis_plugin_descriptor *trellis_plugin_entry(void) { return &descriptor; }

        """

    /// `types.roundtrip`: every typed context accessor, messages, attributes, events, outcome fields.
    static let types = prelude + """
        static trellis_status roundtrip(void *state, trellis_call *call) {
            (void)state;
            int64_t i = 0; double d = 0; bool b = false; trellis_string j, role, content, mode;
            if (host->context_get_integer(call, TRELLIS_LITERAL("i"), &i) != TRELLIS_OK) return TRELLIS_ERROR;
            if (host->context_get_double(call, TRELLIS_LITERAL("d"), &d) != TRELLIS_OK) return TRELLIS_ERROR;
            if (host->context_get_boolean(call, TRELLIS_LITERAL("b"), &b) != TRELLIS_OK) return TRELLIS_ERROR;
            if (host->context_get_json(call, TRELLIS_LITERAL("j"), &j) != TRELLIS_OK) return TRELLIS_ERROR;
            host->context_set_integer(call, TRELLIS_LITERAL("i2"), i + 1);
            host->context_set_double(call, TRELLIS_LITERAL("d2"), d * 2);
            host->context_set_boolean(call, TRELLIS_LITERAL("b2"), !b);
            host->context_set_json(call, TRELLIS_LITERAL("j2"), j);
            host->context_set_integer(call, TRELLIS_LITERAL("n"), host->context_list_count(call, TRELLIS_LITERAL("j")));
            host->context_set_integer(call, TRELLIS_LITERAL("wrong_type"),
                host->context_get_integer(call, TRELLIS_LITERAL("b"), &i) == TRELLIS_WRONG_TYPE);
            host->context_set_integer(call, TRELLIS_LITERAL("missing"),
                host->context_get_integer(call, TRELLIS_LITERAL("nope"), &i) == TRELLIS_NOT_FOUND);
            int64_t count = host->messages_count(call);
            host->context_set_integer(call, TRELLIS_LITERAL("messages"), count);
            if (count > 0 && host->message_at(call, count - 1, &role, &content) == TRELLIS_OK) {
                host->context_set_string(call, TRELLIS_LITERAL("last_role"), role);
                host->context_set_string(call, TRELLIS_LITERAL("last_content"), content);
            }
            if (host->node_attribute(call, TRELLIS_LITERAL("mode"), &mode) == TRELLIS_OK)
                host->context_set_string(call, TRELLIS_LITERAL("mode"), mode);
            host->emit_event(call, TRELLIS_LITERAL("types_seen"), TRELLIS_LITERAL("{\\"count\\": 1}"));
            host->outcome_set_preferred_label(call, TRELLIS_LITERAL("done"));
            host->outcome_set_notes(call, TRELLIS_LITERAL("round trip"));
            return TRELLIS_OK;
        }

        static trellis_status init(const trellis_host_api *api, trellis_registrar *registrar) {
            keep_host(api);
            static const trellis_attribute_spec attributes[] = {
                {TRELLIS_HEADER_INIT(trellis_attribute_spec), "mode", TRELLIS_ATTR_STRING, true, "a mode"},
                {TRELLIS_HEADER_INIT(trellis_attribute_spec), "limit", TRELLIS_ATTR_DURATION, false, "how long"},
            };
            trellis_node_type t = node_type("roundtrip", TRELLIS_NODE_THREAD_SAFE, roundtrip);
            t.description = "reads and writes every value type";
            t.attributes = attributes;
            t.attribute_count = 2;
            t.allows_unlisted_attributes = false;
            return api->register_node_type(registrar, &t);
        }
        DESCRIPTOR("types", "2.1.0", init)
        """

    /// `threads.hop`: asynchronous; completes from a thread the plugin starts itself (a thread
    /// the Swift runtime has never seen), and records that it differs from the invoking one.
    /// That thread also reads the context, long after invoke returned, and writes back `input`
    /// as `echo`: the call must still reach its request then.
    static let threads = prelude + """
        #include <unistd.h>
        typedef struct hop { trellis_call *call; pthread_t invoker; } hop;

        static void *worker(void *data) {
            hop *h = (hop *)data;
            usleep(1000);
            trellis_string input = {0};
            if (host->context_get_string(h->call, TRELLIS_LITERAL("input"), &input) == TRELLIS_OK)
                host->context_set_string(h->call, TRELLIS_LITERAL("echo"), input);
            host->context_set_boolean(h->call, TRELLIS_LITERAL("other_thread"), !pthread_equal(h->invoker, pthread_self()));
            host->context_set_string(h->call, TRELLIS_LITERAL("hopped"), TRELLIS_LITERAL("yes"));
            trellis_call *call = h->call;
            free(h);
            host->complete(call, TRELLIS_OK, TRELLIS_LITERAL(""));
            return NULL;
        }

        static trellis_status start(void *state, trellis_call *call) {
            (void)state;
            hop *h = (hop *)malloc(sizeof *h);
            h->call = call;
            h->invoker = pthread_self();
            pthread_t thread;
            if (pthread_create(&thread, NULL, worker, h) != 0) {
                free(h);
                host->outcome_set_failure(call, TRELLIS_LITERAL("cannot start a thread"));
                return TRELLIS_ERROR;
            }
            pthread_detach(thread);
            return TRELLIS_PENDING;
        }

        static trellis_status init(const trellis_host_api *api, trellis_registrar *registrar) {
            keep_host(api);
            trellis_node_type t = node_type("hop", TRELLIS_NODE_THREAD_SAFE | TRELLIS_NODE_ASYNC, start);
            return api->register_node_type(registrar, &t);
        }
        DESCRIPTOR("threads", "1.0.0", init)
        """

    /// `fails.always`: returns an error with a reason.
    static let fails = prelude + """
        static trellis_status always(void *state, trellis_call *call) {
            (void)state;
            host->outcome_set_failure(call, TRELLIS_LITERAL("the input is bad: field 'x' is missing"));
            return TRELLIS_ERROR;
        }
        static trellis_status init(const trellis_host_api *api, trellis_registrar *registrar) {
            keep_host(api);
            trellis_node_type t = node_type("always", 0, always);
            return api->register_node_type(registrar, &t);
        }
        DESCRIPTOR("fails", "1.0.0", init)
        """

    /// `twice.done`: completes, then completes again (the second must be ignored and logged).
    static let twice = prelude + """
        static void fired(void *data) {
            trellis_call *call = (trellis_call *)data;
            host->context_set_string(call, TRELLIS_LITERAL("first"), TRELLIS_LITERAL("kept"));
            host->complete(call, TRELLIS_OK, TRELLIS_LITERAL(""));
            host->complete(call, TRELLIS_ERROR, TRELLIS_LITERAL("second completion must be ignored"));
        }
        static trellis_status start(void *state, trellis_call *call) {
            (void)state;
            timer->schedule(1000, fired, call);
            return TRELLIS_PENDING;
        }
        static trellis_status init(const trellis_host_api *api, trellis_registrar *registrar) {
            keep_host(api);
            trellis_node_type t = node_type("done", TRELLIS_NODE_THREAD_SAFE | TRELLIS_NODE_ASYNC, start);
            return api->register_node_type(registrar, &t);
        }
        DESCRIPTOR("twice", "1.0.0", init)
        """

    /// `never.hang`: never completes by itself; its cancel function logs and completes.
    static let never = prelude + """
        static trellis_status start(void *state, trellis_call *call) {
            (void)state;
            host->log(call, TRELLIS_LOG_DEBUG, TRELLIS_LITERAL("never.hang: invoked"));
            return TRELLIS_PENDING;
        }
        static void stop(void *state, trellis_call *call) {
            (void)state;
            host->log(call, TRELLIS_LOG_INFO, TRELLIS_LITERAL("never.hang: cancel called"));
            host->complete(call, TRELLIS_ERROR, TRELLIS_LITERAL("stopped"));
        }
        static trellis_status init(const trellis_host_api *api, trellis_registrar *registrar) {
            keep_host(api);
            trellis_node_type t = node_type("hang", TRELLIS_NODE_THREAD_SAFE | TRELLIS_NODE_ASYNC, start);
            t.cancel = stop;
            return api->register_node_type(registrar, &t);
        }
        DESCRIPTOR("never", "1.0.0", init)
        """

    /// A descriptor with a custom header, for the version corpus.
    static func descriptor(size: String, major: String, minor: String, toolchain: String = "") -> String {
        prelude + """
            static trellis_status init(const trellis_host_api *api, trellis_registrar *registrar) {
                (void)api; (void)registrar;
                return TRELLIS_OK;
            }
            static const trellis_plugin_descriptor odd = {
                (uint32_t)(\(size)), (uint16_t)(\(major)), (uint16_t)(\(minor)), "odd", "1.0.0", "test plugin", "\(toolchain)", init};
            TRELLIS_EXPORT const trellis_plugin_descriptor *trellis_plugin_entry(void) { return &odd; }
            """
    }

    /// init fails with a message.
    static let initFails = prelude + """
        static trellis_status init(const trellis_host_api *api, trellis_registrar *registrar) {
            api->registrar_set_error(registrar, TRELLIS_LITERAL("cannot open /nonexistent/model.bin: no such file"));
            return TRELLIS_ERROR;
        }
        DESCRIPTOR("initfails", "1.0.0", init)
        """

    /// A node type struct that claims to be 16 bytes.
    static let smallNodeType = prelude + """
        static trellis_status nothing(void *state, trellis_call *call) { (void)state; (void)call; return TRELLIS_OK; }
        static trellis_status init(const trellis_host_api *api, trellis_registrar *registrar) {
            keep_host(api);
            trellis_node_type t = node_type("tiny", 0, nothing);
            t.struct_size = 16;
            api->register_node_type(registrar, &t);
            return TRELLIS_OK;
        }
        DESCRIPTOR("smalltype", "1.0.0", init)
        """

    /// Plugin `dup` with type `value`; `version` makes the bytes (and the staged copy) differ.
    static func duplicate(version: String) -> String {
        prelude + """
            static trellis_status value(void *state, trellis_call *call) {
                (void)state;
                host->context_set_string(call, TRELLIS_LITERAL("from"), TRELLIS_LITERAL("\(version)"));
                return TRELLIS_OK;
            }
            static trellis_status init(const trellis_host_api *api, trellis_registrar *registrar) {
                keep_host(api);
                trellis_node_type t = node_type("value", TRELLIS_NODE_THREAD_SAFE, value);
                return api->register_node_type(registrar, &t);
            }
            DESCRIPTOR("dup", "\(version)", init)
            """
    }

    /// A shared library that is not a plugin.
    static let noEntry = """
        int not_a_plugin(void) { return 42; }
        """

    /// Plugin `swap`, type `value`: writes the integer VARIANT under the key named by `key`.
    static let variant = prelude + """
        #ifndef VARIANT
        #define VARIANT 0
        #endif
        static trellis_status value(void *state, trellis_call *call) {
            (void)state;
            trellis_string key;
            if (host->node_attribute(call, TRELLIS_LITERAL("key"), &key) != TRELLIS_OK) key = TRELLIS_LITERAL("value");
            host->context_set_integer(call, key, VARIANT);
            return TRELLIS_OK;
        }
        static trellis_status init(const trellis_host_api *api, trellis_registrar *registrar) {
            keep_host(api);
            trellis_node_type t = node_type("value", TRELLIS_NODE_THREAD_SAFE, value);
            return api->register_node_type(registrar, &t);
        }
        DESCRIPTOR("swap", "1.0.0", init)
        """

    /// A plugin providing an LLM adapter that answers from the timer thread, and a node type
    /// calling the run's LLM adapter through `trellis.llm/1`.
    static let adapters = prelude + """
        static void answer(void *data) {
            trellis_reply *reply = (trellis_reply *)data;
            host->adapter_reply(reply, TRELLIS_OK, TRELLIS_LITERAL("{\\"content\\": \\"echo from C\\", \\"tool_calls\\": []}"), TRELLIS_LITERAL(""));
        }
        static trellis_status complete(void *state, trellis_string request, trellis_reply *reply) {
            (void)state; (void)request;
            timer->schedule(500, answer, reply);
            return TRELLIS_OK;
        }

        static void got_answer(void *data, trellis_status status, trellis_string result, trellis_string error) {
            trellis_call *call = (trellis_call *)data;
            if (status == TRELLIS_OK) {
                host->context_set_json(call, TRELLIS_LITERAL("llm_answer"), result);
                host->complete(call, TRELLIS_OK, TRELLIS_LITERAL(""));
            } else {
                host->complete(call, TRELLIS_ERROR, error);
            }
        }
        static trellis_status ask(void *state, trellis_call *call) {
            (void)state;
            const trellis_llm_ext *llm = (const trellis_llm_ext *)host->get_extension(TRELLIS_EXT_LLM);
            trellis_status started = llm->complete(call, TRELLIS_LITERAL("{\\"prompt\\": \\"hi\\", \\"use_session_messages\\": true}"), got_answer, call);
            if (started != TRELLIS_OK) {
                host->outcome_set_failure(call, TRELLIS_LITERAL("no LLM adapter in this run"));
                return TRELLIS_ERROR;
            }
            return TRELLIS_PENDING;
        }

        static trellis_status init(const trellis_host_api *api, trellis_registrar *registrar) {
            keep_host(api);
            trellis_adapter a = adapter_of(TRELLIS_ADAPTER_LLM, "echo");
            a.description = "answers 'echo from C'";
            a.llm_complete = complete;
            if (api->register_adapter(registrar, &a) != TRELLIS_OK) return TRELLIS_ERROR;
            trellis_node_type t = node_type("ask", TRELLIS_NODE_THREAD_SAFE | TRELLIS_NODE_ASYNC, ask);
            return api->register_node_type(registrar, &t);
        }
        DESCRIPTOR("adapters", "1.0.0", init)
        """

    /// Memory and tools adapters answered synchronously, and a node using `trellis.memory/1`
    /// then `trellis.tools/1` from the callbacks (no threads of its own).
    static let memoryAndTools = prelude + """
        static trellis_status recall(void *state, trellis_string agent, trellis_string query, trellis_reply *reply) {
            (void)state; (void)query;
            char json[128];
            int n = snprintf(json, sizeof json, "[{\\"agent\\": \\"%.*s\\", \\"memory\\": \\"likes tea\\"}]", (int)agent.length, agent.data);
            host->adapter_reply(reply, TRELLIS_OK, trellis_string_make(json, (size_t)n), TRELLIS_LITERAL(""));
            return TRELLIS_OK;
        }
        static trellis_status update(void *state, trellis_string agent, trellis_string entry, trellis_reply *reply) {
            (void)state; (void)agent; (void)entry;
            host->adapter_reply(reply, TRELLIS_ERROR, TRELLIS_LITERAL(""), TRELLIS_LITERAL("memory is read-only"));
            return TRELLIS_OK;
        }
        static trellis_status dispatch(void *state, trellis_string calls, trellis_reply *reply) {
            (void)state; (void)calls;
            host->adapter_reply(reply, TRELLIS_OK, TRELLIS_LITERAL("[\\"tool ran\\"]"), TRELLIS_LITERAL(""));
            return TRELLIS_OK;
        }

        static void tools_done(void *data, trellis_status status, trellis_string result, trellis_string error) {
            trellis_call *call = (trellis_call *)data;
            if (status != TRELLIS_OK) { host->complete(call, TRELLIS_ERROR, error); return; }
            host->context_set_json(call, TRELLIS_LITERAL("tool_results"), result);
            host->complete(call, TRELLIS_OK, TRELLIS_LITERAL(""));
        }
        static void recalled(void *data, trellis_status status, trellis_string result, trellis_string error) {
            trellis_call *call = (trellis_call *)data;
            if (status != TRELLIS_OK) { host->complete(call, TRELLIS_ERROR, error); return; }
            host->context_set_json(call, TRELLIS_LITERAL("memories"), result);
            const trellis_tools_ext *tools = (const trellis_tools_ext *)host->get_extension(TRELLIS_EXT_TOOLS);
            if (tools->dispatch(call, TRELLIS_LITERAL("[{\\"name\\": \\"ls\\"}]"), tools_done, call) != TRELLIS_OK)
                host->complete(call, TRELLIS_ERROR, TRELLIS_LITERAL("no tools adapter"));
        }
        static trellis_status remember(void *state, trellis_call *call) {
            (void)state;
            const trellis_memory_ext *memory = (const trellis_memory_ext *)host->get_extension(TRELLIS_EXT_MEMORY);
            if (memory->recall(call, TRELLIS_LITERAL("ada"), TRELLIS_LITERAL("drinks"), recalled, call) != TRELLIS_OK) {
                host->outcome_set_failure(call, TRELLIS_LITERAL("no memory adapter"));
                return TRELLIS_ERROR;
            }
            return TRELLIS_PENDING;
        }

        static trellis_status init(const trellis_host_api *api, trellis_registrar *registrar) {
            keep_host(api);
            trellis_adapter m = adapter_of(TRELLIS_ADAPTER_MEMORY, "notes");
            m.memory_recall = recall;
            m.memory_update = update;
            trellis_adapter t = adapter_of(TRELLIS_ADAPTER_TOOLS, "shell");
            t.tools_dispatch = dispatch;
            if (api->register_adapter(registrar, &m) != TRELLIS_OK || api->register_adapter(registrar, &t) != TRELLIS_OK) return TRELLIS_ERROR;
            trellis_node_type n = node_type("remember", TRELLIS_NODE_THREAD_SAFE | TRELLIS_NODE_ASYNC, remember);
            return api->register_node_type(registrar, &n);
        }
        DESCRIPTOR("memtools", "1.0.0", init)
        """
}
