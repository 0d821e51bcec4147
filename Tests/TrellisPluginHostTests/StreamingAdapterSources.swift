/// C sources of the ABI 1.1 adapter plugins (streaming, messages by accessor, adapter flags),
/// compiled by `TestPlugins.library` during the test run.
enum StreamingAdapterSources {
    /// `stream.talk` (messages by accessor) streams from its own thread a piece per message and
    /// a few probe results, replies, then probes the answered reply (`stream.late` reports what
    /// it saw). `stream.legacy` registers a 1.0-sized struct whose bytes past it are 0xFF.
    /// `stream.nocontent` streams and leaves "content" out; `stream.mismatch` replies with a
    /// content other than its pieces; `stream.ticker` streams until nobody listens.
    static let stream = CorpusSources.prelude + """
        #include <time.h>

        static pthread_mutex_t late_lock = PTHREAD_MUTEX_INITIALIZER;
        static pthread_cond_t late_cond = PTHREAD_COND_INITIALIZER;
        static int late_done = 0;
        static trellis_status late_delta = -1, late_message = -1;
        static int64_t late_count = 0;

        /* Whether `text` contains `needle` (memmem is a GNU extension). */
        static int contains(trellis_string text, const char *needle) {
            size_t length = strlen(needle);
            for (size_t i = 0; i + length <= text.length; i++)
                if (memcmp(text.data + i, needle, length) == 0) return 1;
            return 0;
        }

        typedef struct job { trellis_reply *reply; int has_messages; int streaming; } job;

        static trellis_status piece(trellis_reply *reply, char *content, size_t *used, const char *text, size_t length) {
            memcpy(content + *used, text, length);
            *used += length;
            return host->reply_delta(reply, trellis_string_make(text, length));
        }

        static void *talk_thread(void *data) {
            job *j = (job *)data;
            trellis_reply *reply = j->reply;
            char content[4096], text[512], json[4200];
            size_t used = 0;
            trellis_status first = TRELLIS_OK;
            int64_t count = host->reply_messages_count(reply);
            for (int64_t i = 0; i < count; i++) {
                trellis_string role, body;
                if (host->reply_message_at(reply, i, &role, &body) != TRELLIS_OK) break;
                int n = snprintf(text, sizeof text, "%.*s=%.*s;", (int)role.length, role.data, (int)body.length, body.data);
                trellis_status status = piece(reply, content, &used, text, (size_t)n);
                if (i == 0) first = status;
            }
            trellis_string whole;
            int json_at = host->reply_message_json_at(reply, count - 1, &whole) == TRELLIS_OK
                && contains(whole, "\\"tool_call_id\\":\\"call_1\\"");
            int oob = host->reply_message_at(reply, count, NULL, NULL);
            int bad = host->reply_delta(reply, TRELLIS_LITERAL("\\xff\\xfe")) == TRELLIS_ERROR;
            int n = snprintf(text, sizeof text, "json_at=%d;oob=%d;bad_utf8=%d;", json_at, oob, bad);
            piece(reply, content, &used, text, (size_t)n);
            n = snprintf(text, sizeof text, "json_has_messages=%d;stream=%d;first=%d", j->has_messages, j->streaming, first);
            piece(reply, content, &used, text, (size_t)n);
            n = snprintf(json, sizeof json, "{\\"content\\": \\"%.*s\\", \\"tool_calls\\": [], \\"usage\\": {\\"input_tokens\\": 12, \\"output_tokens\\": 5}}",
                         (int)used, content);
            host->adapter_reply(reply, TRELLIS_OK, trellis_string_make(json, (size_t)n), TRELLIS_LITERAL(""));

            // The reply is answered: everything now returns UNAVAILABLE (or -1).
            trellis_status d = host->reply_delta(reply, TRELLIS_LITERAL("late"));
            int64_t c = host->reply_messages_count(reply);
            trellis_status m = host->reply_message_at(reply, 0, NULL, NULL);
            pthread_mutex_lock(&late_lock);
            late_delta = d; late_count = c; late_message = m; late_done = 1;
            pthread_cond_broadcast(&late_cond);
            pthread_mutex_unlock(&late_lock);
            free(j);
            return NULL;
        }

        static trellis_status talk(void *state, trellis_string request, trellis_reply *reply) {
            (void)state;
            job *j = (job *)malloc(sizeof *j);
            j->reply = reply;
            j->has_messages = contains(request, "\\"messages\\"");
            j->streaming = contains(request, "\\"stream\\":true");
            pthread_t thread;
            if (pthread_create(&thread, NULL, talk_thread, j) != 0) { free(j); return TRELLIS_ERROR; }
            pthread_detach(thread);
            return TRELLIS_OK;
        }

        static trellis_status late(void *state, trellis_call *call) {
            (void)state;
            pthread_mutex_lock(&late_lock);
            while (!late_done) pthread_cond_wait(&late_cond, &late_lock);
            host->context_set_integer(call, TRELLIS_LITERAL("late_delta"), late_delta);
            host->context_set_integer(call, TRELLIS_LITERAL("late_count"), late_count);
            host->context_set_integer(call, TRELLIS_LITERAL("late_message"), late_message);
            pthread_mutex_unlock(&late_lock);
            return TRELLIS_OK;
        }

        static trellis_status legacy(void *state, trellis_string request, trellis_reply *reply) {
            (void)state;
            char json[256];
            int n = snprintf(json, sizeof json, "{\\"content\\": \\"legacy messages=%d stream=%d count=%d\\"}",
                             contains(request, "\\"messages\\":[{"),
                             contains(request, "\\"stream\\":true"),
                             (int)host->reply_messages_count(reply));
            host->adapter_reply(reply, TRELLIS_OK, trellis_string_make(json, (size_t)n), TRELLIS_LITERAL(""));
            return TRELLIS_OK;
        }

        static trellis_status nocontent(void *state, trellis_string request, trellis_reply *reply) {
            (void)state; (void)request;
            host->reply_delta(reply, TRELLIS_LITERAL("left "));
            host->reply_delta(reply, TRELLIS_LITERAL("out"));
            host->adapter_reply(reply, TRELLIS_OK, TRELLIS_LITERAL("{\\"tool_calls\\": []}"), TRELLIS_LITERAL(""));
            return TRELLIS_OK;
        }

        static trellis_status mismatch(void *state, trellis_string request, trellis_reply *reply) {
            (void)state; (void)request;
            host->reply_delta(reply, TRELLIS_LITERAL("one thing"));
            host->adapter_reply(reply, TRELLIS_OK, TRELLIS_LITERAL("{\\"content\\": \\"another\\"}"), TRELLIS_LITERAL(""));
            return TRELLIS_OK;
        }

        /* Streams "tick" every millisecond until the host stops listening, then replies. */
        static void *ticker_thread(void *data) {
            trellis_reply *reply = (trellis_reply *)data;
            int sent = 0;
            while (sent < 5000 && host->reply_delta(reply, TRELLIS_LITERAL("tick")) == TRELLIS_OK) {
                sent++;
                struct timespec pause = {0, 1000000};
                nanosleep(&pause, NULL);
            }
            char json[128];
            int n = snprintf(json, sizeof json, "{\\"content\\": \\"%d ticks\\"}", sent);
            host->adapter_reply(reply, TRELLIS_OK, trellis_string_make(json, (size_t)n), TRELLIS_LITERAL(""));
            return NULL;
        }

        static trellis_status ticker(void *state, trellis_string request, trellis_reply *reply) {
            (void)state; (void)request;
            pthread_t thread;
            if (pthread_create(&thread, NULL, ticker_thread, reply) != 0) return TRELLIS_ERROR;
            pthread_detach(thread);
            return TRELLIS_OK;
        }

        static trellis_adapter llm(const char *name, uint32_t flags, trellis_status (*complete)(void *, trellis_string, trellis_reply *)) {
            trellis_adapter a = adapter_of(TRELLIS_ADAPTER_LLM, name);
            a.llm_complete = complete;
            a.flags = flags;
            return a;
        }

        static trellis_status init(const trellis_host_api *api, trellis_registrar *registrar) {
            keep_host(api);
            if (!TRELLIS_HAS_FIELD(api, trellis_host_api, reply_message_json_at)) return TRELLIS_ERROR;
            trellis_adapter t = llm("talk", TRELLIS_ADAPTER_MESSAGES_BY_ACCESSOR, talk);
            trellis_adapter n = llm("nocontent", 0, nocontent);
            trellis_adapter m = llm("mismatch", 0, mismatch);
            trellis_adapter k = llm("ticker", 0, ticker);
            if (api->register_adapter(registrar, &t) != TRELLIS_OK || api->register_adapter(registrar, &n) != TRELLIS_OK
                || api->register_adapter(registrar, &m) != TRELLIS_OK || api->register_adapter(registrar, &k) != TRELLIS_OK)
                return TRELLIS_ERROR;

            // A plugin built against 1.0: its struct ends before `flags`; what follows is not its
            // memory to describe (0xFF here), and the host must not read it as flags.
            trellis_adapter old;
            memset(&old, 0xFF, sizeof old);
            old.struct_size = (uint32_t)offsetof(trellis_adapter, flags);
            old.abi_major = 1;
            old.abi_minor = 0;
            old.kind = TRELLIS_ADAPTER_LLM;
            old.name = "legacy";
            old.description = NULL;
            old.state = NULL;
            old.llm_complete = legacy;
            old.memory_recall = NULL;
            old.memory_update = NULL;
            old.tools_dispatch = NULL;
            old.cancel = NULL;
            if (api->register_adapter(registrar, &old) != TRELLIS_OK) return TRELLIS_ERROR;

            trellis_node_type l = node_type("late", TRELLIS_NODE_THREAD_SAFE, late);
            return api->register_node_type(registrar, &l);
        }
        DESCRIPTOR("stream", "1.1.0", init)
        """

    /// An adapter setting flag bits this host does not know.
    static let unknownFlags = CorpusSources.prelude + """
        static trellis_status complete(void *state, trellis_string request, trellis_reply *reply) {
            (void)state; (void)request; (void)reply;
            return TRELLIS_ERROR;
        }
        static trellis_status init(const trellis_host_api *api, trellis_registrar *registrar) {
            keep_host(api);
            trellis_adapter a = adapter_of(TRELLIS_ADAPTER_LLM, "future");
            a.llm_complete = complete;
            a.flags = TRELLIS_ADAPTER_MESSAGES_BY_ACCESSOR | 0xCu;
            return api->register_adapter(registrar, &a);
        }
        DESCRIPTOR("badflags", "1.0.0", init)
        """
}
