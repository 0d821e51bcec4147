/// C source of the ABI 1.3 plugin (typed LLM requests and answers), compiled by
/// `TestPlugins.library` during the test run.
enum TypedLLMSources {
    /// `typed.echo` (an LLM adapter with TRELLIS_ADAPTER_REQUEST_BY_ACCESSOR and messages by
    /// accessor) reads its request with `reply_llm_request`, probes the misuse results, and
    /// answers with `adapter_reply_llm`: its content spells out what it received. For the prompt
    /// "tools" it asks for a tool. After replying it probes the answered reply (`typed.late`
    /// reports what it saw). `typed.mem` (memory) tries `adapter_reply_llm` on a recall first.
    /// `typed.ask` (async node) calls the run's LLM with `complete_request` after two refused
    /// requests, and writes the typed answer to the context. `typed.mem` (REQUEST_BY_ACCESSOR)
    /// records what a memory_update gave it, read with `reply_memory_entry` when the entry
    /// JSON is empty; `typed.remember` records a map entry with `update_entry`.
    static let typed = CorpusSources.prelude + """
        static trellis_status late_request = -1, late_reply = -1, memory_reply_llm = -1, late_entry = -1;

        /* Appends `text` (length bytes) to buf at *used. */
        static void put(char *buf, size_t *used, const char *text, size_t length) {
            if (*used + length >= 2048) return;
            memcpy(buf + *used, text, length);
            *used += length;
        }
        static void puts_(char *buf, size_t *used, const char *text) { put(buf, used, text, strlen(text)); }
        static const trellis_field *option(const trellis_llm_request *r, const char *key) {
            for (size_t i = 0; i < r->option_count; i++)
                if (r->options[i].key.length == strlen(key) && memcmp(r->options[i].key.data, key, r->options[i].key.length) == 0)
                    return &r->options[i];
            return NULL;
        }

        static trellis_status echo(void *state, trellis_string request_json, trellis_reply *reply) {
            (void)state;
            char buf[2048];
            size_t used = 0;
            char number[64];
            trellis_llm_request small;
            memset(&small, 0, sizeof small);
            small.struct_size = 8;
            trellis_status small_status = host->reply_llm_request(reply, &small);
            trellis_llm_request r = {TRELLIS_HEADER_INIT(trellis_llm_request), 0, {0, 0}, {0, 0}, {0, 0}, 0, 0, {0, 0}, {0, 0}};
            if (host->reply_llm_request(reply, &r) != TRELLIS_OK) return TRELLIS_ERROR;
            snprintf(number, sizeof number, "json=%zu;small=%d;", request_json.length, small_status);
            puts_(buf, &used, number);
            puts_(buf, &used, "prompt=");
            put(buf, &used, r.prompt.data, r.prompt.length);
            puts_(buf, &used, ";model=");
            put(buf, &used, r.model.data, r.model.length);
            puts_(buf, &used, ";provider=");
            put(buf, &used, r.provider.data, r.provider.length);
            const trellis_field *session = option(&r, "session_id"), *count = option(&r, "count"), *on = option(&r, "on"),
                                *ratio = option(&r, "ratio"), *tags = option(&r, "tags");
            snprintf(number, sizeof number, ";options=%zu;stream=%d;messages=%lld;", r.option_count, (r.flags & TRELLIS_LLM_STREAM) != 0,
                     (long long)host->reply_messages_count(reply));
            puts_(buf, &used, number);
            if (session && session->type == TRELLIS_VALUE_STRING) { puts_(buf, &used, "session_id="); put(buf, &used, session->text.data, session->text.length); }
            if (count && count->type == TRELLIS_VALUE_INTEGER) { snprintf(number, sizeof number, ";count=%lld", (long long)count->integer); puts_(buf, &used, number); }
            if (on && on->type == TRELLIS_VALUE_BOOLEAN) { puts_(buf, &used, on->boolean ? ";on=true" : ";on=false"); }
            if (ratio && ratio->type == TRELLIS_VALUE_DOUBLE) { snprintf(number, sizeof number, ";ratio=%.2f", ratio->number); puts_(buf, &used, number); }
            if (tags && tags->type == TRELLIS_VALUE_LIST) { puts_(buf, &used, ";tags="); put(buf, &used, tags->text.data, tags->text.length); }
            if (r.tools_json.length > 0) { puts_(buf, &used, ";tools="); put(buf, &used, r.tools_json.data, r.tools_json.length); }

            int wants_tools = r.prompt.length == 5 && memcmp(r.prompt.data, "tools", 5) == 0;
            trellis_llm_answer bad = {TRELLIS_HEADER_INIT(trellis_llm_answer), {"\\xff", 1}, {0, 0}, 0, 0};
            trellis_status bad_utf8 = host->adapter_reply_llm(reply, &bad);
            trellis_llm_answer bad_calls = {TRELLIS_HEADER_INIT(trellis_llm_answer), {"x", 1}, TRELLIS_LITERAL("{\\"id\\":1}"), 0, 0};
            trellis_status bad_list = host->adapter_reply_llm(reply, &bad_calls);
            snprintf(number, sizeof number, ";bad_utf8=%d;bad_calls=%d", bad_utf8, bad_list);
            puts_(buf, &used, number);

            trellis_llm_answer answer = {TRELLIS_HEADER_INIT(trellis_llm_answer), {buf, used}, {0, 0}, 7, 3};
            if (wants_tools) answer.tool_calls_json = TRELLIS_LITERAL("[{\\"id\\":\\"c1\\",\\"name\\":\\"ls\\",\\"arguments\\":{\\"path\\":\\"/\\"}}]");
            if (host->adapter_reply_llm(reply, &answer) != TRELLIS_OK) return TRELLIS_ERROR;
            // The reply is answered: both functions now refuse it and touch nothing.
            trellis_llm_request after = {TRELLIS_HEADER_INIT(trellis_llm_request), 0, {0, 0}, {0, 0}, {0, 0}, 0, 0, {0, 0}, {0, 0}};
            late_request = host->reply_llm_request(reply, &after);
            late_reply = host->adapter_reply_llm(reply, &answer);
            return TRELLIS_OK;
        }

        static trellis_status recall(void *state, trellis_string agent, trellis_string query, trellis_reply *reply) {
            (void)state; (void)agent; (void)query;
            trellis_llm_answer answer = {TRELLIS_HEADER_INIT(trellis_llm_answer), TRELLIS_LITERAL("no"), {0, 0}, 0, 0};
            memory_reply_llm = host->adapter_reply_llm(reply, &answer);
            host->adapter_reply(reply, TRELLIS_OK, TRELLIS_LITERAL("[\\"remembered\\"]"), TRELLIS_LITERAL(""));
            return TRELLIS_OK;
        }
        static char memory_seen[512];
        static size_t memory_seen_length;
        static trellis_status update(void *state, trellis_string agent, trellis_string entry, trellis_reply *reply) {
            (void)state;
            char buf[512];
            size_t used = 0;
            put(buf, &used, agent.data, agent.length);
            if (entry.length > 0) {
                puts_(buf, &used, " json ");
                put(buf, &used, entry.data, entry.length);
            } else {
                const trellis_field *fields = NULL;
                size_t count = 0;
                trellis_status status = host->reply_memory_entry(reply, &fields, &count);
                char number[96];
                snprintf(number, sizeof number, " fields status=%d count=%zu", status, count);
                puts_(buf, &used, number);
                for (size_t i = 0; status == TRELLIS_OK && i < count; i++) {
                    puts_(buf, &used, ";");
                    put(buf, &used, fields[i].key.data, fields[i].key.length);
                    if (fields[i].type == TRELLIS_VALUE_INTEGER) { snprintf(number, sizeof number, "=%lld", (long long)fields[i].integer); puts_(buf, &used, number); }
                    if (fields[i].type == TRELLIS_VALUE_STRING) { puts_(buf, &used, "="); put(buf, &used, fields[i].text.data, fields[i].text.length); }
                }
            }
            memcpy(memory_seen, buf, used);
            memory_seen_length = used;
            host->adapter_reply(reply, TRELLIS_OK, TRELLIS_LITERAL("null"), TRELLIS_LITERAL(""));
            // Answered: the entry is no longer lent.
            const trellis_field *late_fields = NULL;
            size_t late_count = 0;
            late_entry = host->reply_memory_entry(reply, &late_fields, &late_count);
            return TRELLIS_OK;
        }

        static void recorded(void *user_data, trellis_status status, trellis_string result, trellis_string error) {
            (void)result;
            host->complete((trellis_call *)user_data, status, error);
        }

        static trellis_status remember(void *state, trellis_call *call) {
            (void)state;
            const trellis_memory_ext *memory = (const trellis_memory_ext *)host->get_extension(TRELLIS_EXT_MEMORY);
            if (!memory || !TRELLIS_HAS_FIELD(memory, trellis_memory_ext, update_entry)) return TRELLIS_ERROR;
            trellis_field entry[2];
            memset(entry, 0, sizeof entry);
            entry[0].key = TRELLIS_LITERAL("turn"); entry[0].type = TRELLIS_VALUE_INTEGER; entry[0].integer = 4;
            entry[1].key = TRELLIS_LITERAL("input"); entry[1].type = TRELLIS_VALUE_STRING; entry[1].text = TRELLIS_LITERAL("hi");
            trellis_field bad = entry[0];
            bad.type = 99;
            trellis_status invalid = memory->update_entry(call, TRELLIS_LITERAL("agent"), &bad, 1, recorded, call);
            host->context_set_integer(call, TRELLIS_LITERAL("invalid_entry"), invalid);
            return memory->update_entry(call, TRELLIS_LITERAL("agent"), entry, 2, recorded, call) == TRELLIS_OK ? TRELLIS_PENDING : TRELLIS_ERROR;
        }

        static trellis_status late(void *state, trellis_call *call) {
            (void)state;
            host->context_set_integer(call, TRELLIS_LITERAL("late_request"), late_request);
            host->context_set_integer(call, TRELLIS_LITERAL("late_reply"), late_reply);
            host->context_set_integer(call, TRELLIS_LITERAL("memory_reply_llm"), memory_reply_llm);
            host->context_set_integer(call, TRELLIS_LITERAL("late_entry"), late_entry);
            host->context_set_string(call, TRELLIS_LITERAL("memory_seen"), trellis_string_make(memory_seen, memory_seen_length));
            return TRELLIS_OK;
        }

        static void answered(void *user_data, trellis_status status, const trellis_llm_answer *answer, trellis_string error) {
            trellis_call *call = (trellis_call *)user_data;
            if (status != TRELLIS_OK) {
                host->complete(call, TRELLIS_ERROR, error);
                return;
            }
            host->context_set_string(call, TRELLIS_LITERAL("answer"), answer->content);
            host->context_set_json(call, TRELLIS_LITERAL("tool_calls"),
                                   answer->tool_calls_json.length ? answer->tool_calls_json : TRELLIS_LITERAL("[]"));
            host->context_set_integer(call, TRELLIS_LITERAL("input_tokens"), answer->input_tokens);
            host->context_set_integer(call, TRELLIS_LITERAL("output_tokens"), answer->output_tokens);
            host->complete(call, TRELLIS_OK, TRELLIS_LITERAL(""));
        }

        static trellis_status ask(void *state, trellis_call *call) {
            (void)state;
            const trellis_llm_ext *llm = (const trellis_llm_ext *)host->get_extension(TRELLIS_EXT_LLM);
            if (!llm || !TRELLIS_HAS_FIELD(llm, trellis_llm_ext, complete_request)) return TRELLIS_ERROR;
            trellis_string prompt;
            if (host->node_attribute(call, TRELLIS_LITERAL("prompt"), &prompt) != TRELLIS_OK) prompt = TRELLIS_LITERAL("hello");
            trellis_field options[5];
            memset(options, 0, sizeof options);
            options[0].key = TRELLIS_LITERAL("session_id"); options[0].type = TRELLIS_VALUE_STRING; options[0].text = TRELLIS_LITERAL("s1");
            options[1].key = TRELLIS_LITERAL("count"); options[1].type = TRELLIS_VALUE_INTEGER; options[1].integer = 3;
            options[2].key = TRELLIS_LITERAL("on"); options[2].type = TRELLIS_VALUE_BOOLEAN; options[2].boolean = true;
            options[3].key = TRELLIS_LITERAL("ratio"); options[3].type = TRELLIS_VALUE_DOUBLE; options[3].number = 0.5;
            options[4].key = TRELLIS_LITERAL("tags"); options[4].type = TRELLIS_VALUE_LIST; options[4].text = TRELLIS_LITERAL("[\\"a\\",\\"b\\"]");
            trellis_llm_request r = {TRELLIS_HEADER_INIT(trellis_llm_request), TRELLIS_LLM_USE_SESSION_MESSAGES | TRELLIS_LLM_OFFER_TOOLS,
                                     prompt, TRELLIS_LITERAL("m1"), TRELLIS_LITERAL("p1"), options, 5, {0, 0}, {0, 0}};

            // Refused, and on_answer never runs for them: unknown flag bits, a too small struct,
            // an option whose JSON is not the kind it claims.
            trellis_llm_request unknown = r;
            unknown.flags |= 0x80u;
            trellis_status unknown_flags = llm->complete_request(call, &unknown, answered, call);
            trellis_llm_request small = r;
            small.struct_size = 16;
            trellis_status too_small = llm->complete_request(call, &small, answered, call);
            trellis_field wrong = options[4];
            wrong.type = TRELLIS_VALUE_MAP;
            trellis_llm_request mistyped = r;
            mistyped.options = &wrong;
            mistyped.option_count = 1;
            trellis_status wrong_kind = llm->complete_request(call, &mistyped, answered, call);
            host->context_set_integer(call, TRELLIS_LITERAL("unknown_flags"), unknown_flags);
            host->context_set_integer(call, TRELLIS_LITERAL("too_small"), too_small);
            host->context_set_integer(call, TRELLIS_LITERAL("wrong_kind"), wrong_kind);

            trellis_status started = llm->complete_request(call, &r, answered, call);
            return started == TRELLIS_OK ? TRELLIS_PENDING : TRELLIS_ERROR;
        }

        static trellis_status init(const trellis_host_api *api, trellis_registrar *registrar) {
            keep_host(api);
            if (!TRELLIS_HAS_FIELD(api, trellis_host_api, adapter_reply_llm)) return TRELLIS_ERROR;
            trellis_adapter a = adapter_of(TRELLIS_ADAPTER_LLM, "echo");
            a.llm_complete = echo;
            a.flags = TRELLIS_ADAPTER_REQUEST_BY_ACCESSOR | TRELLIS_ADAPTER_MESSAGES_BY_ACCESSOR;
            trellis_adapter m = adapter_of(TRELLIS_ADAPTER_MEMORY, "mem");
            m.memory_recall = recall;
            m.memory_update = update;
            m.flags = TRELLIS_ADAPTER_REQUEST_BY_ACCESSOR;
            trellis_node_type t = node_type("ask", TRELLIS_NODE_THREAD_SAFE | TRELLIS_NODE_ASYNC, ask);
            trellis_node_type l = node_type("late", TRELLIS_NODE_THREAD_SAFE, late);
            trellis_node_type r = node_type("remember", TRELLIS_NODE_THREAD_SAFE | TRELLIS_NODE_ASYNC, remember);
            if (api->register_adapter(registrar, &a) != TRELLIS_OK || api->register_adapter(registrar, &m) != TRELLIS_OK
                || api->register_node_type(registrar, &t) != TRELLIS_OK || api->register_node_type(registrar, &l) != TRELLIS_OK
                || api->register_node_type(registrar, &r) != TRELLIS_OK)
                return TRELLIS_ERROR;
            return TRELLIS_OK;
        }

        DESCRIPTOR("typed", "1.0.0", init)
        """
}
