/// C source of the ABI 1.4 plugin that recalls memories into the context (`recall_into`) and
/// reads strings inside list items (`context_list_item_string`), compiled by
/// `TestPlugins.library` during the test run.
enum RecallIntoSources {
    /// `keeper.recall` (async node) has the run's memory adapter recall for agent "a" and the
    /// context's `input`, into the key its `key` attribute names (default `memories`), after
    /// probing two refused requests (an empty key, a key that is not UTF-8); its callback
    /// writes the count it was given to `count` and completes the call. Every callback's status
    /// and message are also kept for `keeper.last` to report (a callback may come after the
    /// call ended). `keeper.mem` is a memory adapter whose recall answers one memory at once.
    /// `keeper.texts` probes `context_list_item_string` and `context_map_string` and writes each
    /// status (and text).
    static let keeper = CorpusSources.prelude + """
        static trellis_status last_status = -1;
        static char last_message[512];
        static size_t last_length;
        static pthread_mutex_t last_lock = PTHREAD_MUTEX_INITIALIZER;

        static void stored(void *user_data, trellis_status status, trellis_string result, trellis_string error) {
            trellis_call *call = (trellis_call *)user_data;
            trellis_string text = status == TRELLIS_OK ? result : error;
            pthread_mutex_lock(&last_lock);
            last_status = status;
            last_length = text.length < sizeof last_message ? text.length : sizeof last_message - 1;
            memcpy(last_message, text.data, last_length);
            pthread_mutex_unlock(&last_lock);
            if (status == TRELLIS_OK) host->context_set_string(call, TRELLIS_LITERAL("count"), result);
            host->complete(call, status, error);
        }

        static trellis_status recall(void *state, trellis_call *call) {
            (void)state;
            const trellis_memory_ext *memory = (const trellis_memory_ext *)host->get_extension(TRELLIS_EXT_MEMORY);
            if (!memory || !TRELLIS_HAS_FIELD(memory, trellis_memory_ext, recall_into)) return TRELLIS_ERROR;
            trellis_string key, input;
            if (host->node_attribute(call, TRELLIS_LITERAL("key"), &key) != TRELLIS_OK) key = TRELLIS_LITERAL("memories");
            if (host->context_get_string(call, TRELLIS_LITERAL("input"), &input) != TRELLIS_OK) input = TRELLIS_LITERAL("");
            host->context_set_integer(call, TRELLIS_LITERAL("empty_key"),
                memory->recall_into(call, TRELLIS_LITERAL("a"), input, TRELLIS_LITERAL(""), stored, call));
            host->context_set_integer(call, TRELLIS_LITERAL("bad_key"),
                memory->recall_into(call, TRELLIS_LITERAL("a"), input, trellis_string_make("k\\xff", 2), stored, call));
            trellis_status started = memory->recall_into(call, TRELLIS_LITERAL("a"), input, key, stored, call);
            return started == TRELLIS_OK ? TRELLIS_PENDING : started;
        }

        static trellis_status last(void *state, trellis_call *call) {
            (void)state;
            pthread_mutex_lock(&last_lock);
            host->context_set_integer(call, TRELLIS_LITERAL("last_status"), last_status);
            host->context_set_string(call, TRELLIS_LITERAL("last_message"), trellis_string_make(last_message, last_length));
            pthread_mutex_unlock(&last_lock);
            return TRELLIS_OK;
        }

        /* Writes `status` to "<name>" and, when it is OK, `out` to "<name>_text". */
        static void record(trellis_call *call, const char *name, trellis_status status, trellis_string out) {
            host->context_set_integer(call, trellis_string_make(name, strlen(name)), status);
            if (status == TRELLIS_OK) {
                char text_key[64];
                snprintf(text_key, sizeof text_key, "%s_text", name);
                host->context_set_string(call, trellis_string_make(text_key, strlen(text_key)), out);
            }
        }

        /* What context_list_item_string answers for `key`[index].field, recorded as "<name>". */
        static void probe(trellis_call *call, const char *name, const char *key, int64_t index, const char *field) {
            trellis_string out = {0, 0};
            trellis_status status = host->context_list_item_string(call, trellis_string_make(key, strlen(key)), index,
                                                                   trellis_string_make(field, strlen(field)), &out);
            record(call, name, status, out);
        }

        /* What context_map_string answers for `key`.field, recorded as "<name>". */
        static void probe_map(trellis_call *call, const char *name, const char *key, const char *field) {
            trellis_string out = {0, 0};
            trellis_status status = host->context_map_string(call, trellis_string_make(key, strlen(key)),
                                                             trellis_string_make(field, strlen(field)), &out);
            record(call, name, status, out);
        }

        static trellis_status texts(void *state, trellis_call *call) {
            (void)state;
            if (!TRELLIS_HAS_FIELD(host, trellis_host_api, context_map_string)) return TRELLIS_ERROR;
            probe_map(call, "prompt", "config", "system_prompt");
            probe_map(call, "map_no_field", "config", "missing");
            probe_map(call, "map_number", "config", "max_tool_rounds");
            probe_map(call, "map_no_key", "nothing", "system_prompt");
            probe_map(call, "map_not_a_map", "words", "system_prompt");
            probe(call, "second_input", "memories", 1, "input");
            probe(call, "plain", "words", 0, "");
            probe(call, "no_key", "nothing", 0, "input");
            probe(call, "out_of_range", "memories", 2, "input");
            probe(call, "negative", "memories", -1, "input");
            probe(call, "no_field", "memories", 0, "missing");
            probe(call, "number_field", "memories", 0, "turn");
            probe(call, "not_a_map", "words", 0, "input");
            probe(call, "not_a_list", "scalar", 0, "input");
            probe(call, "message_role", "session.messages", 0, "role");
            return TRELLIS_OK;
        }

        static trellis_status mem_recall(void *state, trellis_string agent, trellis_string query, trellis_reply *reply) {
            (void)state; (void)agent; (void)query;
            host->adapter_reply(reply, TRELLIS_OK, TRELLIS_LITERAL("[{\\"input\\": \\"from the plugin\\"}]"), TRELLIS_LITERAL(""));
            return TRELLIS_OK;
        }

        static trellis_status mem_update(void *state, trellis_string agent, trellis_string entry, trellis_reply *reply) {
            (void)state; (void)agent; (void)entry;
            host->adapter_reply(reply, TRELLIS_OK, TRELLIS_LITERAL("null"), TRELLIS_LITERAL(""));
            return TRELLIS_OK;
        }

        static trellis_status init(const trellis_host_api *api, trellis_registrar *registrar) {
            keep_host(api);
            trellis_adapter m = adapter_of(TRELLIS_ADAPTER_MEMORY, "mem");
            m.memory_recall = mem_recall;
            m.memory_update = mem_update;
            trellis_node_type r = node_type("recall", TRELLIS_NODE_THREAD_SAFE | TRELLIS_NODE_ASYNC, recall);
            trellis_node_type l = node_type("last", TRELLIS_NODE_THREAD_SAFE, last);
            trellis_node_type t = node_type("texts", TRELLIS_NODE_THREAD_SAFE, texts);
            if (api->register_adapter(registrar, &m) != TRELLIS_OK || api->register_node_type(registrar, &r) != TRELLIS_OK
                || api->register_node_type(registrar, &l) != TRELLIS_OK || api->register_node_type(registrar, &t) != TRELLIS_OK)
                return TRELLIS_ERROR;
            return TRELLIS_OK;
        }

        DESCRIPTOR("keeper", "1.0.0", init)
        """
}
