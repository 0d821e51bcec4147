/*
 * trellis_plugin.h: the Trellis plugin ABI.
 *
 * The single source of truth for plugin authors in any language. A plugin is a shared
 * library that exports one C symbol, TRELLIS_PLUGIN_ENTRY_SYMBOL, returning a descriptor.
 * The host calls the descriptor's `init` once, handing it the host API table; the plugin
 * registers node types and adapters from inside `init`.
 *
 * Conventions (they hold for every declaration below unless its comment says otherwise):
 *
 * - Versioning. Every struct starts with TRELLIS_STRUCT_HEADER: its size in bytes as the
 *   side that filled it saw it, and the ABI major/minor it was built against. Fields are only
 *   ever appended, so a reader checks `struct_size` before touching a field added in a later
 *   minor (TRELLIS_HAS_FIELD); everything added after 1.0 says "Since ABI 1.x".
 *   The policy the loader applies (PluginLoader): a plugin whose descriptor's major differs
 *   from the host's is refused; one whose minor is newer than the host's is refused (it may
 *   rely on functions this host lacks); an older minor loads, and the host reads each struct
 *   it receives only up to that struct's `struct_size` (fields past it count as zero), so a
 *   plugin built against 1.0, 1.1, 1.2 or 1.3 loads and runs unchanged, and compiles unchanged
 *   against this header (1.3 and 1.4 appended only to host-filled structs and added new ones,
 *   so positional initializers of plugin-filled structs keep compiling without warnings). A
 *   struct smaller than its 1.0 size is refused. Every refusal names both
 *   versions and the file.
 * - Thread tags. Every function a plugin calls carries one:
 *     [init-only]      only inside `init`, on the thread running it, with the registrar `init`
 *                      received. Elsewhere (a registrar kept for later, another thread after
 *                      init returned) it returns TRELLIS_ERROR and the host logs why.
 *     [invoke-thread]  on a live call, by the thread that owns it: the thread running `invoke`
 *                      (or a thread the plugin waits for before invoke returns), or, after
 *                      invoke returned TRELLIS_PENDING, whichever one thread the plugin hands
 *                      the call to. The plugin serializes its own uses of one call. On a call
 *                      that has finished it returns TRELLIS_UNAVAILABLE (or the documented
 *                      neutral value) and touches nothing.
 *     [any-thread]     any thread, including threads the plugin created and host threads
 *                      (timer callbacks, adapter replies), concurrently.
 *     [retire-thread]  the host's retirement thread (since ABI 1.2): the one thread on which
 *                      the host runs shutdown functions, one at a time.
 *   Functions the plugin implements carry the tag of where the host calls them: `init`
 *   [init-only]; `invoke`, `cancel` and adapter operations [any-thread] (host threads);
 *   a shutdown function (registrar_set_shutdown) [retire-thread].
 * - Handles. `trellis_call *`, `trellis_registrar *` and `trellis_reply *` are opaque: never
 *   dereference them. Since ABI 1.2 every handle is checked on every use: a call or reply
 *   handle carries a serial, so one kept after its call finished (synchronous or
 *   asynchronous) or its operation was answered is recognized even while newer ones run:
 *   TRELLIS_UNAVAILABLE (or the function's stated neutral value), nothing touched; a
 *   registrar kept after init gets TRELLIS_ERROR. Each case is logged.
 * - Strings. Registration strings (`const char *` fields of descriptors, node types,
 *   attribute specs and adapters) are NUL-terminated UTF-8; the host copies them during the
 *   call that receives them. Strings exchanged while running are `trellis_string` (pointer +
 *   length, not NUL-terminated, may contain NUL); they are BORROWED: the receiver copies
 *   what it wants to keep. Lifetimes of strings the host returns are stated per function.
 *   A string a plugin hands to a node call's function (key, value, reason, label, event) must
 *   be valid UTF-8: otherwise the function returns TRELLIS_INVALID, logs, and changes nothing
 *   (since ABI 1.2; before, invalid bytes were silently replaced).
 * - Errors. Functions return a status code (TRELLIS_OK, TRELLIS_ERROR, ...) and, where a
 *   message is useful, take one as a `trellis_string` that the host copies. Nothing else
 *   crosses: no C++ exception, no longjmp, no Swift error, no Swift type.
 * - The host never unloads a plugin image (no dlclose), so static data and function
 *   pointers of a plugin stay valid for the life of the process.
 *
 * Compiles as C11 (-Wall -Wextra -Werror -pedantic) and as C++.
 */
#ifndef TRELLIS_PLUGIN_H
#define TRELLIS_PLUGIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------------------ */
/* Versions, symbols, status codes                                                      */
/* ------------------------------------------------------------------------------------ */

/** ABI major version: changes only when an existing field or signature changes. */
#define TRELLIS_ABI_MAJOR 1
/** ABI minor version: increases when fields or functions are appended. */
#define TRELLIS_ABI_MINOR 4

/** The name of the one symbol a plugin exports (type: trellis_plugin_entry_fn). */
#define TRELLIS_PLUGIN_ENTRY_SYMBOL "trellis_plugin_entry"

/** Marks the entry function exported from the shared library. */
#if defined(_WIN32)
#define TRELLIS_EXPORT __declspec(dllexport)
#else
#define TRELLIS_EXPORT __attribute__((visibility("default")))
#endif

/** Status codes returned by plugin and host functions. */
typedef int32_t trellis_status;
/** Success. */
#define TRELLIS_OK 0
/** Failure; a message was (or should have been) supplied. */
#define TRELLIS_ERROR 1
/** invoke only: the work continues; the plugin calls `complete` exactly once later. */
#define TRELLIS_PENDING 2
/** Getter: the key is not set (or the index is out of range). */
#define TRELLIS_NOT_FOUND 3
/** Getter: the key is set but holds another type. */
#define TRELLIS_WRONG_TYPE 4
/**
 * The operation is not available: no adapter of that kind in this run, or the handle is not
 * live (its call already completed, synchronously or asynchronously; the host then touched
 * nothing).
 */
#define TRELLIS_UNAVAILABLE 5
/**
 * Since ABI 1.2. The arguments were refused and nothing was changed: a string that is not
 * valid UTF-8, an event kind that is not snake_case or that the host emits itself, a reserved
 * event field. The host logs why. (A 1.0/1.1 plugin may receive it too: treat any status other
 * than TRELLIS_OK as failure.)
 */
#define TRELLIS_INVALID 6

/** The common first fields of every struct: its size and the ABI it was built against. */
#define TRELLIS_STRUCT_HEADER \
    uint32_t struct_size;     \
    uint16_t abi_major;       \
    uint16_t abi_minor

/** Initializer for the header of a struct of type `type` (C and C++). */
#define TRELLIS_HEADER_INIT(type) (uint32_t)sizeof(type), (uint16_t)TRELLIS_ABI_MAJOR, (uint16_t)TRELLIS_ABI_MINOR

/** Whether `ptr` (a struct filled by the other side) is large enough to contain `field`. */
#define TRELLIS_HAS_FIELD(ptr, type, field) \
    ((ptr)->struct_size >= offsetof(type, field) + sizeof(((type *)0)->field))

/** A borrowed UTF-8 string: `length` bytes at `data` (not NUL-terminated). `data` may be NULL when `length` is 0. */
typedef struct trellis_string {
    const char *data;
    size_t length;
} trellis_string;

/** Context value types, as reported by `context_type`. */
#define TRELLIS_VALUE_NONE 0
#define TRELLIS_VALUE_STRING 1
#define TRELLIS_VALUE_INTEGER 2
#define TRELLIS_VALUE_DOUBLE 3
#define TRELLIS_VALUE_BOOLEAN 4
#define TRELLIS_VALUE_LIST 5
#define TRELLIS_VALUE_MAP 6
#define TRELLIS_VALUE_NULL 7

/** Attribute value types for attribute schemas (the pipeline dialect's types). */
#define TRELLIS_ATTR_STRING 0
#define TRELLIS_ATTR_INTEGER 1
#define TRELLIS_ATTR_DOUBLE 2
#define TRELLIS_ATTR_BOOLEAN 3
#define TRELLIS_ATTR_DURATION 4

/**
 * Node type flags. A bit this host does not know makes register_node_type return
 * TRELLIS_ERROR and log a message naming the plugin, the type and the bits (since ABI 1.2;
 * before, unknown bits were ignored): a flag changes how the host must call the type.
 */
/** invoke may run concurrently on several threads; without it the host serializes invokes of the type. */
#define TRELLIS_NODE_THREAD_SAFE 0x1u
/** invoke may return TRELLIS_PENDING and call `complete` later; without it PENDING is an error. */
#define TRELLIS_NODE_ASYNC 0x2u

/* -- since ABI 1.2 ------------------------------------------------------------------- */
/**
 * Since ABI 1.2. invoke may block its thread (file or socket I/O, a lock, a long computation):
 * the host runs every invoke of the type on a bounded pool of threads of its own (8 threads;
 * further invokes wait their turn), never on the threads that drive runs, so a blocking invoke
 * delays only other blocking invokes. Which to use: work that can call back later (a timer, an
 * adapter, an event loop) -> TRELLIS_NODE_ASYNC and `complete`; work that can only wait ->
 * TRELLIS_NODE_BLOCKING; quick work -> neither. Combines with the other flags (with ASYNC, only
 * the invoke call itself runs on the pool).
 */
#define TRELLIS_NODE_BLOCKING 0x4u
/* -- end of since ABI 1.2 ------------------------------------------------------------ */

/** Outcome statuses a handler may set with `outcome_set_status` (default: SUCCESS on OK, FAIL on ERROR). */
#define TRELLIS_OUTCOME_SUCCESS 0
#define TRELLIS_OUTCOME_PARTIAL_SUCCESS 1
#define TRELLIS_OUTCOME_RETRY 2
#define TRELLIS_OUTCOME_FAIL 3
#define TRELLIS_OUTCOME_SKIPPED 4

/** Log levels. */
#define TRELLIS_LOG_DEBUG 0
#define TRELLIS_LOG_INFO 1
#define TRELLIS_LOG_WARNING 2
#define TRELLIS_LOG_ERROR 3

/** Adapter kinds. */
#define TRELLIS_ADAPTER_LLM 0
#define TRELLIS_ADAPTER_MEMORY 1
#define TRELLIS_ADAPTER_TOOLS 2

/** Adapter flags (trellis_adapter.flags, since ABI 1.1). */
/**
 * LLM adapters: the host leaves "messages" out of llm_complete's request JSON and the plugin
 * reads the conversation with reply_messages_count / reply_message_at / reply_message_json_at,
 * so the cost of starting a request does not grow with the history. Ignored for other kinds.
 */
#define TRELLIS_ADAPTER_MESSAGES_BY_ACCESSOR 0x1u
/**
 * Since ABI 1.3. LLM adapters: llm_complete receives an empty `request_json`; the plugin reads
 * the request with `host->reply_llm_request` (typed fields, no JSON to parse) and may answer
 * with `host->adapter_reply_llm` (typed, no JSON to write). Combines with
 * TRELLIS_ADAPTER_MESSAGES_BY_ACCESSOR, which still decides whether the conversation comes as
 * `messages_json` or through the message accessors.
 * Memory adapters: memory_update receives an empty `entry_json` when the entry is a map (what
 * sessions record), and the plugin reads it with `host->reply_memory_entry`; an entry of
 * another kind still comes as JSON. Ignored for tools adapters.
 */
#define TRELLIS_ADAPTER_REQUEST_BY_ACCESSOR 0x2u

/* ------------------------------------------------------------------------------------ */
/* Opaque handles                                                                       */
/* ------------------------------------------------------------------------------------ */

/**
 * One visit of a node. Live from the start of `invoke` until the call completes: until
 * `invoke` returns TRELLIS_OK/TRELLIS_ERROR, or, after TRELLIS_PENDING, until `complete`
 * returns (and invoke has returned). Functions taking a call must not be called concurrently
 * for the same call (the plugin serializes its own uses of one call); different calls are
 * independent. A handle used after its call finished gets TRELLIS_UNAVAILABLE (or the neutral
 * value its function states) and changes nothing, even while a newer call runs (since ABI 1.2).
 */
typedef struct trellis_call trellis_call;

/**
 * The registration session handed to `init`; valid only during `init`, on the init thread.
 * Kept and used later: TRELLIS_ERROR and a log line, never a crash (since ABI 1.2).
 */
typedef struct trellis_registrar trellis_registrar;

/**
 * One pending adapter operation (plugin-provided adapters). The plugin answers it exactly
 * once with `adapter_reply`, from any thread; the handle is invalid after that call returns.
 * Before that, an llm_complete may stream through it and read its conversation (reply_delta,
 * reply_messages_count, reply_message_at, reply_message_json_at; since ABI 1.1).
 */
typedef struct trellis_reply trellis_reply;

/* ------------------------------------------------------------------------------------ */
/* Extensions (looked up by versioned id with host->get_extension)                      */
/* ------------------------------------------------------------------------------------ */

/** Extension id of trellis_timer_ext. */
#define TRELLIS_EXT_TIMER "trellis.timer/1"
/** Extension id of trellis_llm_ext. */
#define TRELLIS_EXT_LLM "trellis.llm/1"
/** Extension id of trellis_memory_ext. */
#define TRELLIS_EXT_MEMORY "trellis.memory/1"
/** Extension id of trellis_tools_ext. */
#define TRELLIS_EXT_TOOLS "trellis.tools/1"

/**
 * Since ABI 1.2. The end of an activation (see registrar_set_shutdown); runs on the host's
 * retirement thread [retire-thread]. `user_data` is the pointer given with it.
 */
typedef void (*trellis_shutdown_fn)(void *user_data);

/** A timer callback; runs on a host timer thread (never the thread that scheduled it synchronously). */
typedef void (*trellis_timer_fn)(void *user_data);

/**
 * "trellis.timer/1": run a callback later on a host thread, without a sleeping thread per
 * timer (mock adapters use it for simulated latency).
 */
typedef struct trellis_timer_ext {
    TRELLIS_STRUCT_HEADER;
    /**
     * [any-thread] Runs `callback(user_data)` once, about `delay_us` microseconds from now, on
     * a host thread. Returns a non-zero timer id (0 for a NULL callback). `user_data` is owned
     * by the plugin and passed back untouched.
     */
    uint64_t (*schedule)(uint64_t delay_us, trellis_timer_fn callback, void *user_data);
    /**
     * [any-thread] Cancels a timer that has not fired yet: returns true when the callback will
     * not run, false when it already ran, is running, or the id is unknown.
     */
    bool (*cancel)(uint64_t timer_id);
} trellis_timer_ext;

/**
 * Reply of an adapter operation the plugin started through an extension. Runs exactly once,
 * on a host thread, possibly before the starting function returns: an adapter that answers at
 * once (a cache, an in-memory store) answers on the calling thread, inside the starting
 * function, so do not hold a lock there that the callback takes. `status` is TRELLIS_OK or
 * TRELLIS_ERROR; `result_json` (on OK) and `error_message` (on ERROR) are borrowed for the
 * duration of the callback.
 */
typedef void (*trellis_result_fn)(void *user_data, trellis_status status, trellis_string result_json,
                                  trellis_string error_message);

/* -- since ABI 1.3: typed LLM requests and answers, maps as fields ---------------------- */

/**
 * Since ABI 1.3. One named value of a map that crosses without JSON (the options of an LLM
 * request, a memory entry). A value type like trellis_string: its layout never changes (no struct header), and
 * arrays of it step by sizeof(trellis_field). `type` is a TRELLIS_VALUE_* code: STRING reads
 * `text`, INTEGER `integer`, DOUBLE `number`, BOOLEAN `boolean`, NULL nothing; LIST and MAP carry
 * the value as compact JSON in `text` (rare in options). Strings are borrowed as stated by the
 * function that hands the array over.
 */
typedef struct trellis_field {
    trellis_string key;
    int32_t type;
    bool boolean;
    int64_t integer;
    double number;
    trellis_string text;
} trellis_field;

/** Since ABI 1.3. trellis_llm_request.flags: the host passes the context's `session.messages` itself (node -> host). */
#define TRELLIS_LLM_USE_SESSION_MESSAGES 0x1u
/** Since ABI 1.3. trellis_llm_request.flags: offer the model the run's tools (node -> host; see "offer_tools"). */
#define TRELLIS_LLM_OFFER_TOOLS 0x2u
/** Since ABI 1.3. trellis_llm_request.flags: the host wants the answer in pieces (host -> adapter; see "stream"). */
#define TRELLIS_LLM_STREAM 0x4u

/**
 * Since ABI 1.3. An LLM request as typed fields: what the JSON request object carries, without
 * the JSON. Filled by a node for `trellis_llm_ext.complete_request` (node -> host) and by the
 * host for `reply_llm_request` (host -> adapter). The reader reads only up to `struct_size`.
 */
typedef struct trellis_llm_request {
    TRELLIS_STRUCT_HEADER;
    /** TRELLIS_LLM_* flags; a bit the reader does not know is refused (TRELLIS_INVALID). */
    uint32_t flags;
    /** "prompt": the user's text (may be empty). */
    trellis_string prompt;
    /** "model": empty for the adapter's default. */
    trellis_string model;
    /** "provider": empty for the adapter's default. */
    trellis_string provider;
    /** "options": `option_count` fields (keys unique); may be NULL when option_count is 0. */
    const trellis_field *options;
    size_t option_count;
    /**
     * "messages" as a JSON list, or empty for none. Node -> host: the conversation, ignored with
     * TRELLIS_LLM_USE_SESSION_MESSAGES. Host -> adapter: empty when the adapter reads messages by
     * accessor (TRELLIS_ADAPTER_MESSAGES_BY_ACCESSOR).
     */
    trellis_string messages_json;
    /** "tools" as a JSON list, or empty for none. Host -> adapter only (a node asks with TRELLIS_LLM_OFFER_TOOLS). */
    trellis_string tools_json;
} trellis_llm_request;

/**
 * Since ABI 1.3. An LLM answer as typed fields: the JSON answer object {"content","tool_calls",
 * "usage"} without the JSON. Filled by an adapter for `adapter_reply_llm` and by the host for a
 * trellis_llm_answer_fn. The reader reads only up to `struct_size`.
 */
typedef struct trellis_llm_answer {
    TRELLIS_STRUCT_HEADER;
    /** The answer text (UTF-8). After streaming it must equal the concatenation of the deltas. */
    trellis_string content;
    /** The tool calls as a JSON list of {"id","name","arguments"}, or empty for none. */
    trellis_string tool_calls_json;
    /** Prompt and answer tokens as the provider counted them; 0 when unknown. */
    int64_t input_tokens;
    int64_t output_tokens;
} trellis_llm_answer;

/**
 * Since ABI 1.3. Answer of `trellis_llm_ext.complete_request`. Runs exactly once, on a host
 * thread, possibly before complete_request returns (as trellis_result_fn). `answer` (on
 * TRELLIS_OK; NULL otherwise) and everything it points to, and `error_message` (on
 * TRELLIS_ERROR), are borrowed for the duration of the callback.
 */
typedef void (*trellis_llm_answer_fn)(void *user_data, trellis_status status, const trellis_llm_answer *answer,
                                      trellis_string error_message);

/* -- end of since ABI 1.3 ------------------------------------------------------------ */

/**
 * "trellis.llm/1": call the run's LLM adapter from a node, asynchronously.
 */
typedef struct trellis_llm_ext {
    TRELLIS_STRUCT_HEADER;
    /**
     * [any-thread] Starts a completion with the run's LLM adapter. `request_json` (borrowed, copied before
     * return) is an object: {"prompt": string, "messages": [{"role","content"}...],
     * "model": string, "provider": string, "options": {...}, "use_session_messages": bool};
     * with "use_session_messages": true the host passes the context's `session.messages`
     * itself (no copy through JSON); with "offer_tools": true (since 1.1) the host offers the
     * model the tools of the run's tools adapter, as "tools" in the adapter's request. `on_result` receives {"content": string,
     * "tool_calls": [...]}. Returns TRELLIS_OK when started (on_result will run),
     * TRELLIS_UNAVAILABLE when the run has no LLM adapter or the call has completed, TRELLIS_ERROR
     * for malformed JSON (on_result will not run). Only for TRELLIS_NODE_ASYNC types (a
     * synchronous call has ended before any answer could arrive: TRELLIS_UNAVAILABLE); the call
     * stays PENDING until on_result has run, which normally calls `complete`.
     */
    trellis_status (*complete)(trellis_call *call, trellis_string request_json, trellis_result_fn on_result,
                               void *user_data);
    /**
     * Since ABI 1.3. [any-thread] `complete` without JSON either way: the request as typed
     * fields (`request` and everything it points to borrowed, copied before return; the host
     * reads it up to its `struct_size`), the answer typed to `on_answer`. Flags:
     * TRELLIS_LLM_USE_SESSION_MESSAGES, TRELLIS_LLM_OFFER_TOOLS; `tools_json` is ignored.
     * Returns as `complete`: TRELLIS_OK when started (on_answer will run), TRELLIS_UNAVAILABLE
     * (no LLM adapter, the call is not live, or the type is not TRELLIS_NODE_ASYNC),
     * TRELLIS_INVALID (logged; on_answer will not run) for a NULL or too small request, unknown
     * flag bits, a string that is not valid UTF-8, or `messages_json` / a LIST or MAP option that
     * is not valid JSON of its kind. Check TRELLIS_HAS_FIELD(ext, trellis_llm_ext, complete_request).
     */
    trellis_status (*complete_request)(trellis_call *call, const trellis_llm_request *request,
                                       trellis_llm_answer_fn on_answer, void *user_data);
} trellis_llm_ext;

/**
 * "trellis.memory/1": call the run's memory adapter from a node, asynchronously.
 * Return values and threading as in trellis_llm_ext.complete.
 */
typedef struct trellis_memory_ext {
    TRELLIS_STRUCT_HEADER;
    /** [any-thread] Recalls memories for `agent_id` matching `query`; on_result gets a JSON list. Strings borrowed, copied before return. */
    trellis_status (*recall)(trellis_call *call, trellis_string agent_id, trellis_string query,
                             trellis_result_fn on_result, void *user_data);
    /** [any-thread] Records `entry_json` (any JSON value) for `agent_id`; on_result gets "null". Strings borrowed, copied before return. */
    trellis_status (*update)(trellis_call *call, trellis_string agent_id, trellis_string entry_json,
                             trellis_result_fn on_result, void *user_data);
    /**
     * Since ABI 1.3. [any-thread] `update` with a map entry given as `entry_count` fields
     * (keys unique) instead of JSON; borrowed, copied before return. on_result gets "null".
     * Returns as `update`, and TRELLIS_INVALID (logged; on_result will not run) for a field
     * that is not valid UTF-8, has an unknown type, or a LIST/MAP text that is not JSON of that
     * kind. Check TRELLIS_HAS_FIELD(ext, trellis_memory_ext, update_entry).
     */
    trellis_status (*update_entry)(trellis_call *call, trellis_string agent_id, const trellis_field *entry,
                                   size_t entry_count, trellis_result_fn on_result, void *user_data);
    /**
     * Since ABI 1.4. [any-thread] `recall`, with the memories kept by the host: it writes the
     * list to this call's context key `key` (as `context_set_json` would, a later write to the
     * key wins) instead of handing it to the plugin, so a node that only stores what it
     * recalls copies nothing. on_result gets the number of memories stored, as JSON ("3").
     * When the call ended before the memories arrived (timed out, cancelled), nothing is
     * written and on_result gets TRELLIS_ERROR saying so. Strings borrowed, copied before
     * return. Returns as `recall`, and TRELLIS_INVALID (logged; on_result will not run) for an
     * empty key or a string that is not valid UTF-8. Check
     * TRELLIS_HAS_FIELD(ext, trellis_memory_ext, recall_into).
     */
    trellis_status (*recall_into)(trellis_call *call, trellis_string agent_id, trellis_string query, trellis_string key,
                                  trellis_result_fn on_result, void *user_data);
} trellis_memory_ext;

/**
 * "trellis.tools/1": call the run's tools adapter from a node, asynchronously.
 * Return values and threading as in trellis_llm_ext.complete.
 */
typedef struct trellis_tools_ext {
    TRELLIS_STRUCT_HEADER;
    /** [any-thread] Runs tool calls (`calls_json`: a JSON list of {"name","arguments"}); on_result gets a JSON list, one result per call. */
    trellis_status (*dispatch)(trellis_call *call, trellis_string calls_json, trellis_result_fn on_result,
                               void *user_data);
} trellis_tools_ext;

/* ------------------------------------------------------------------------------------ */
/* Registration structs (filled by the plugin, copied by the host during the call)      */
/* ------------------------------------------------------------------------------------ */

/** One attribute a node type accepts (for `validate` and `plugins inspect`). */
typedef struct trellis_attribute_spec {
    TRELLIS_STRUCT_HEADER;
    /** Attribute key, may be qualified (`param.mode`). NUL-terminated, required. */
    const char *name;
    /** TRELLIS_ATTR_*. */
    int32_t type;
    /** Whether a node of the type must set it. */
    bool required;
    /** One line for help; NUL-terminated, may be NULL. */
    const char *summary;
} trellis_attribute_spec;

/**
 * A node type. `invoke` runs one visit of a node of this type.
 *
 * invoke: called on a host thread (a cooperative-pool thread of the run); concurrently on
 * several threads only when TRELLIS_NODE_THREAD_SAFE is set. Returns TRELLIS_OK (outcome
 * success unless set otherwise), TRELLIS_ERROR (the node fails; set the reason first with
 * `outcome_set_failure`), or, for TRELLIS_NODE_ASYNC types, TRELLIS_PENDING: then the plugin
 * calls `complete(call, ...)` exactly once, from any thread, possibly before invoke returns.
 * A second `complete` is ignored and logged. Must not block on I/O: use PENDING.
 *
 * Timeouts: a PENDING call is given up after the node's `timeout` attribute, or, without one,
 * after the host's default plugin call timeout, counted from when invoke returned PENDING
 * (300 s unless configured: `plugin_call_timeout` in the configuration file,
 * `--plugin-call-timeout`; since ABI 1.2 — before, such a call waited for ever). The node
 * then fails with a message naming the node, the type and the limit.
 * A synchronous invoke cannot be interrupted: it must not block.
 *
 * Registration: a type name registered twice by one plugin makes register_node_type return
 * TRELLIS_ERROR (logged); the plugin is then refused as a whole (its registrations are
 * dropped), since half a plugin is not what its author tested. Two plugins registering the
 * same qualified id: the file that sorts first serves, the other is refused, naming both files.
 *
 * Aliases: a type is also reachable by its unqualified name (`summarize` for
 * `acme.summarize`) when exactly one loaded plugin defines that name and no built-in or
 * qualified type has that id. When two plugins define it, there is no alias: a graph using
 * the bare name is refused by `validate` and `run` with an error naming both types (never one
 * silently chosen; since ABI 1.2). `trellis plugins list` shows each alias and each name left
 * ambiguous.
 *
 * cancel (optional, may be NULL): the host gave up on a PENDING call (node timeout or run
 * cancelled). Called once, on any host thread, possibly concurrently with the plugin's own
 * threads; `call` stays valid until the plugin calls `complete`, which it still must do
 * (the result is then discarded). The node has already failed when cancel is called. It may
 * race with the plugin's own completion: a cancel arriving just after `complete` is harmless
 * (the host keeps the call readable) and should be ignored.
 */
typedef struct trellis_node_type {
    TRELLIS_STRUCT_HEADER;
    /** Type name within the plugin (`summarize`); the host registers `<plugin id>.<name>`. NUL-terminated. */
    const char *name;
    /** One line describing the type. NUL-terminated, may be NULL. */
    const char *description;
    /** TRELLIS_NODE_* flags. */
    uint32_t flags;
    /**
     * The accepted attributes: `attribute_count` structs; the host steps through the array by
     * attributes[0].struct_size, so an array built against a newer minor still reads correctly.
     * May be NULL when attribute_count is 0.
     */
    const trellis_attribute_spec *attributes;
    size_t attribute_count;
    /** Whether attributes not listed are accepted without a warning. */
    bool allows_unlisted_attributes;
    /** Plugin-owned pointer passed back to invoke/cancel; must outlive the process (or the plugin's use). */
    void *state;
    /** [any-thread] (a host pool thread; serialized unless TRELLIS_NODE_THREAD_SAFE) See above. Required. */
    trellis_status (*invoke)(void *state, trellis_call *call);
    /** [any-thread] See above. Optional. */
    void (*cancel)(void *state, trellis_call *call);
} trellis_node_type;

/**
 * An adapter a plugin provides (kind llm, memory or tools). A run configured with
 * `<plugin id>.<name>` uses it. Each operation answers through `host->adapter_reply(reply, ...)`
 * exactly once, from any thread, possibly before the operation function returns; a second reply
 * is ignored and logged. Operation functions are called on any host thread, concurrently.
 * Their string arguments are borrowed for the duration of the function call only.
 * An operation may also return TRELLIS_ERROR without replying (the host then fails the request).
 *
 * JSON shapes: llm_complete request {"prompt","messages","model","provider","options"} ->
 * reply {"content","tool_calls"}; memory_recall -> a JSON list; memory_update -> anything
 * ("null"); tools_dispatch calls list -> a list with one result per call.
 *
 * Since ABI 1.1, llm_complete:
 * - The request carries "tools": [{"name","description","parameters"}...] when the model may call
 *   tools (a JSON Schema in "parameters"); the plugin answers calls in "tool_calls" as
 *   {"id","name","arguments"} and receives their results as {"role":"tool","tool_call_id",...}.
 * - The request carries "stream": true when the host wants the answer in pieces: the plugin
 *   may then publish text with `host->reply_delta` before replying (it may also not stream;
 *   the host then passes the whole content on as one piece). Without "stream" there is no key.
 * - With TRELLIS_ADAPTER_MESSAGES_BY_ACCESSOR in `flags`, "messages" is absent from the request;
 *   the conversation is read with `host->reply_messages_count` and `host->reply_message_at` /
 *   `reply_message_json_at`. "prompt" stays in the JSON (it follows the messages as the newest
 *   user message when not empty).
 * - The reply may carry "usage": {"input_tokens": int, "output_tokens": int} (what the request
 *   cost, as the provider counted it). After streaming, "content" may be left out: the host
 *   then uses the concatenation of the deltas; when given, it must equal that concatenation,
 *   otherwise the request fails (the pieces were already shown; a different final text is a
 *   plugin bug the host does not paper over).
 */
typedef struct trellis_adapter {
    TRELLIS_STRUCT_HEADER;
    /** TRELLIS_ADAPTER_*. */
    int32_t kind;
    /** Name within the plugin (`mock`); the host registers `<plugin id>.<name>`. NUL-terminated. */
    const char *name;
    /** One line. NUL-terminated, may be NULL. */
    const char *description;
    /** Plugin-owned pointer passed back to every operation. */
    void *state;
    /** [any-thread] kind LLM: required. */
    trellis_status (*llm_complete)(void *state, trellis_string request_json, trellis_reply *reply);
    /** [any-thread] kind MEMORY: required. */
    trellis_status (*memory_recall)(void *state, trellis_string agent_id, trellis_string query, trellis_reply *reply);
    /** [any-thread] kind MEMORY: required. */
    trellis_status (*memory_update)(void *state, trellis_string agent_id, trellis_string entry_json,
                                    trellis_reply *reply);
    /** [any-thread] kind TOOLS: required. */
    trellis_status (*tools_dispatch)(void *state, trellis_string calls_json, trellis_reply *reply);
    /**
     * [any-thread] Optional: the host no longer wants the answer (task cancelled). Any host thread; `reply`
     * stays valid until the plugin replies, which it still must do (the answer is discarded).
     */
    void (*cancel)(void *state, trellis_reply *reply);
    /**
     * Since ABI 1.1. TRELLIS_ADAPTER_* flags (TRELLIS_ADAPTER_MESSAGES_BY_ACCESSOR). The host reads it
     * only when `struct_size` covers it (a 1.0 struct means 0). A bit this host does not know
     * makes register_adapter return TRELLIS_ERROR, logging a message that names the plugin, the
     * adapter and the bits: a flag changes what the plugin expects to receive, so ignoring one
     * would give the plugin requests it cannot read.
     */
    uint32_t flags;
} trellis_adapter;

/* ------------------------------------------------------------------------------------ */
/* The host API table                                                                   */
/* ------------------------------------------------------------------------------------ */

/**
 * Functions the host offers the plugin. The table is owned by the host, immutable, and valid
 * for the life of the process: a plugin may keep the pointer it receives in `init`.
 * Check `struct_size` (TRELLIS_HAS_FIELD) before using a function appended in a later minor.
 */
typedef struct trellis_host_api {
    TRELLIS_STRUCT_HEADER;

    /* -- Registration -- */

    /**
     * [init-only] Registers a node type; the host copies everything. Returns TRELLIS_OK, or
     * TRELLIS_ERROR (and logs why) for an invalid or too-small struct, unknown flag bits, a
     * name registered twice, or a registrar used outside init.
     */
    trellis_status (*register_node_type)(trellis_registrar *registrar, const trellis_node_type *type);
    /** [init-only] Registers an adapter; the host copies everything. Returns as register_node_type. */
    trellis_status (*register_adapter)(trellis_registrar *registrar, const trellis_adapter *adapter);
    /**
     * [init-only] Records why init fails (copied); init then returns TRELLIS_ERROR. The host
     * reports the message with the file name. Outside init: ignored and logged.
     */
    void (*registrar_set_error)(trellis_registrar *registrar, trellis_string message);

    /* -- Host services -- */

    /**
     * [any-thread] Writes a log line (copied). `call` may be NULL (the line is then attributed
     * to the plugin only); when it names a live call the line names the node, otherwise the
     * line is written without it.
     */
    void (*log)(trellis_call *call, int32_t level, trellis_string message);
    /**
     * [any-thread] Looks up an extension by versioned id (TRELLIS_EXT_*). Returns a host-owned
     * struct that stays valid for the life of the process, or NULL when the host does not offer it.
     */
    const void *(*get_extension)(const char *id);

    /* -- The node. On a call that is not live: the neutral value stated, nothing touched. -- */

    /** [invoke-thread] The node id; host-owned, valid until the call completes. Empty when the call is not live. */
    trellis_string (*node_id)(trellis_call *call);
    /**
     * [invoke-thread] The raw text of node attribute `name` (borrowed, copied before return)
     * into `*out`. TRELLIS_OK, TRELLIS_NOT_FOUND or TRELLIS_UNAVAILABLE. `*out` is valid until
     * the call completes. Typed getters: node_attribute_integer and friends (since ABI 1.2).
     */
    trellis_status (*node_attribute)(trellis_call *call, trellis_string name, trellis_string *out);
    /** [invoke-thread] How many times this node ran before in this run (0 on the first attempt; 0 when not live). */
    int64_t (*node_attempt)(trellis_call *call);

    /* -- Context reads: the context as it was when the node started. [invoke-thread] each. --
     * Keys are borrowed (copied before return). Getters return TRELLIS_OK, TRELLIS_NOT_FOUND,
     * TRELLIS_WRONG_TYPE or TRELLIS_UNAVAILABLE (call not live) and leave `*out` untouched unless
     * OK. Strings written to `*out` are owned by the host and valid until the call completes.
     * Count functions return 0 on a call that is not live. */

    /** [invoke-thread] The TRELLIS_VALUE_* type stored under `key` (TRELLIS_VALUE_NONE when unset). */
    int32_t (*context_type)(trellis_call *call, trellis_string key);
    /** [invoke-thread] A string value. */
    trellis_status (*context_get_string)(trellis_call *call, trellis_string key, trellis_string *out);
    /** [invoke-thread] An integer value. */
    trellis_status (*context_get_integer)(trellis_call *call, trellis_string key, int64_t *out);
    /** [invoke-thread] A double value (an integer value is converted). */
    trellis_status (*context_get_double)(trellis_call *call, trellis_string key, double *out);
    /** [invoke-thread] A boolean value. */
    trellis_status (*context_get_boolean)(trellis_call *call, trellis_string key, bool *out);
    /** [invoke-thread] Any value as compact JSON text (lists and maps; scalars too). Serializes that one value only. */
    trellis_status (*context_get_json)(trellis_call *call, trellis_string key, trellis_string *out);
    /** [invoke-thread] Number of items of the list under `key` (0 when unset); -1 when it holds something else. */
    int64_t (*context_list_count)(trellis_call *call, trellis_string key);
    /** [invoke-thread] Item `index` of the list under `key` as JSON (that item only). TRELLIS_NOT_FOUND when out of range. */
    trellis_status (*context_list_item_json)(trellis_call *call, trellis_string key, int64_t index,
                                             trellis_string *out);
    /** [invoke-thread] Number of messages in `session.messages` (0 when unset). Cost independent of history length. */
    int64_t (*messages_count)(trellis_call *call);
    /**
     * [invoke-thread] Role and content of message `index` of `session.messages` (borrowed, host-owned, valid
     * until the call completes); either out pointer may be NULL. TRELLIS_NOT_FOUND when out of
     * range, TRELLIS_WRONG_TYPE when the item is not a {role, content} map.
     */
    trellis_status (*message_at)(trellis_call *call, int64_t index, trellis_string *role, trellis_string *content);

    /* -- Context writes: collected into the outcome, applied by the engine after the node
     *    finishes (later writes to a key win). Key and value borrowed, copied before return.
     *    [invoke-thread] each. TRELLIS_OK; TRELLIS_UNAVAILABLE after the call completed (or for
     *    a handle that was never a call); TRELLIS_INVALID (since 1.2) for a key or string value
     *    that is not valid UTF-8. Nothing is written unless TRELLIS_OK. -- */

    /** [invoke-thread] Sets a string value. */
    trellis_status (*context_set_string)(trellis_call *call, trellis_string key, trellis_string value);
    /** [invoke-thread] Sets an integer value. */
    trellis_status (*context_set_integer)(trellis_call *call, trellis_string key, int64_t value);
    /** [invoke-thread] Sets a double value. */
    trellis_status (*context_set_double)(trellis_call *call, trellis_string key, double value);
    /** [invoke-thread] Sets a boolean value. */
    trellis_status (*context_set_boolean)(trellis_call *call, trellis_string key, bool value);
    /** [invoke-thread] Sets any JSON value (lists, maps, null). TRELLIS_ERROR when `json` is not valid JSON (logged). */
    trellis_status (*context_set_json)(trellis_call *call, trellis_string key, trellis_string json);

    /* -- Outcome: [invoke-thread] each; results as for context writes. -- */

    /** [invoke-thread] Overrides the outcome status (TRELLIS_OUTCOME_*; another value: TRELLIS_ERROR, logged). */
    trellis_status (*outcome_set_status)(trellis_call *call, int32_t outcome_status);
    /** [invoke-thread] The failure reason used when the call ends in ERROR/FAIL/RETRY (copied). */
    trellis_status (*outcome_set_failure)(trellis_call *call, trellis_string reason);
    /** [invoke-thread] The preferred edge label (copied). */
    trellis_status (*outcome_set_preferred_label)(trellis_call *call, trellis_string label);
    /** [invoke-thread] Appends a suggested next node id (copied). */
    trellis_status (*outcome_add_suggested_next)(trellis_call *call, trellis_string node_id);
    /** [invoke-thread] Free-text notes for logs (copied). */
    trellis_status (*outcome_set_notes)(trellis_call *call, trellis_string notes);

    /* -- Events, cancellation, completion -- */

    /**
     * [invoke-thread] Emits a run event of kind `kind` for this node with `fields_json` (a JSON
     * object, or empty for none); both copied. The host adds the field "plugin" (the plugin id).
     * Returns TRELLIS_OK; TRELLIS_INVALID (since 1.2; logged, nothing emitted) when `kind` is
     * not snake_case (lowercase letters, digits, `_`, starting with a letter, at most 64
     * bytes), is a kind the host emits itself (run_started, node_completed, node_failed, ...:
     * a plugin cannot forge them), or `fields_json` uses a reserved key ("plugin", "node",
     * "kind", "time", "run"), or either is not valid UTF-8; TRELLIS_ERROR when `fields_json`
     * is not a JSON object; TRELLIS_UNAVAILABLE when the call is not live. A prefix of the
     * plugin id (`acme_progress`) keeps a kind clear of future host kinds.
     */
    trellis_status (*emit_event)(trellis_call *call, trellis_string kind, trellis_string fields_json);
    /** [any-thread] Whether the host has given up on the call (timeout/cancellation); true when the call is not live. */
    bool (*is_cancelled)(trellis_call *call);
    /**
     * [any-thread] Ends a PENDING call: `status` TRELLIS_OK or TRELLIS_ERROR, `message`
     * (copied) the failure reason for ERROR (may be empty). Exactly once per PENDING call,
     * possibly before invoke has returned. The handle stops working once this returns (and
     * invoke has returned). Misuse, each ignored apart from what is said: another status
     * fails the node with "passed unknown status N to complete()"; a second completion, or a
     * handle whose call already finished, is logged; `complete` on a synchronous type's
     * call is logged (return the status from invoke instead).
     */
    void (*complete)(trellis_call *call, trellis_status status, trellis_string message);

    /* -- Plugin-provided adapters -- */

    /**
     * [any-thread] Answers an adapter operation: `status` TRELLIS_OK with `result_json`, or
     * TRELLIS_ERROR with `error_message`. Both copied. Exactly once per operation; `reply` is
     * invalid once this returns; a second reply is ignored and logged (naming the operation
     * while it is among the last 1024 answered; any later stale handle is still ignored).
     */
    void (*adapter_reply)(trellis_reply *reply, trellis_status status, trellis_string result_json,
                          trellis_string error_message);
    /** [any-thread] Whether the host no longer wants the answer; until the plugin replied. */
    bool (*adapter_is_cancelled)(trellis_reply *reply);

    /* -- Per-call plugin data (for example the state of a pending operation, found again in cancel) -- */

    /**
     * [invoke-thread] Attaches a plugin-owned pointer to the call (the host never dereferences
     * or frees it); set it before invoke returns TRELLIS_PENDING if cancel needs it. Ignored
     * when the call is not live.
     */
    void (*call_set_user_data)(trellis_call *call, void *user_data);
    /** [any-thread] The pointer last attached with call_set_user_data; NULL when none or the call is not live (it is live inside cancel). */
    void *(*call_user_data)(trellis_call *call);

    /* -- Since ABI 1.1: streaming and the conversation of an llm_complete operation. --
     * `reply` is the handle llm_complete received. Like adapter_reply these may be called from
     * any thread, concurrently, until the plugin has replied; the handle is invalid once
     * adapter_reply returns, and a late call returns TRELLIS_UNAVAILABLE (since ABI 1.2, for
     * any late call; before, only for recently answered replies). */

    /**
     * Since ABI 1.1. [any-thread] Publishes the next piece of the answer's text (copied before return). The host
     * hands the piece on before this returns, so pieces arrive in the order of the calls, and
     * never after the request ended (reply, cancel). Calls from several threads are serialized,
     * one at a time; their order is then whichever got there first, so a plugin streaming from
     * several threads orders the calls itself. Cheap: no I/O, no waiting on the consumer. Returns
     * TRELLIS_OK; TRELLIS_ERROR when `text` is not valid UTF-8 (nothing is published);
     * TRELLIS_UNAVAILABLE when nobody listens: the request did not ask for streaming (no
     * "stream": true; the status tells a plugin it may stop producing pieces, and is safe to
     * ignore), the operation is not llm_complete, the host gave up on it (cancel), or the
     * plugin has already replied. The final "content" must equal the concatenation of the
     * pieces that returned TRELLIS_OK (see trellis_adapter).
     */
    trellis_status (*reply_delta)(trellis_reply *reply, trellis_string text);
    /**
     * Since ABI 1.1. [any-thread] The number of messages of the request's conversation (the request's
     * "messages", whether or not they were also put in the JSON). Cost independent of history
     * length. -1 when the operation is not llm_complete or the plugin has already replied.
     */
    int64_t (*reply_messages_count)(trellis_reply *reply);
    /**
     * Since ABI 1.1. [any-thread] Role and content of message `index` (0 is the oldest); either out pointer may be
     * NULL. Strings are host-owned, valid until the plugin replies (each call lends fresh
     * copies, all freed with the reply: read a message once rather than in a loop). A message
     * without a string content (an assistant message that only asked for tools) gives an empty
     * content; for `tool_calls`, `tool_call_id` and `name` use reply_message_json_at. Returns
     * TRELLIS_OK, TRELLIS_NOT_FOUND when `index` is out of range, TRELLIS_WRONG_TYPE when the
     * message is not a map, TRELLIS_UNAVAILABLE when the operation is not llm_complete or after
     * the reply.
     */
    trellis_status (*reply_message_at)(trellis_reply *reply, int64_t index, trellis_string *role,
                                       trellis_string *content);
    /**
     * Since ABI 1.1. [any-thread] Message `index` as one compact JSON object (that message only), with every key it
     * has: {"role","content"}, plus "tool_calls" on an assistant message that asked for tools,
     * {"role":"tool","tool_call_id","name","content"} for a tool result. `*out` is host-owned,
     * valid until the plugin replies. Returns as reply_message_at.
     */
    trellis_status (*reply_message_json_at)(trellis_reply *reply, int64_t index, trellis_string *out);

    /* -- Since ABI 1.2: typed node attributes. [any-thread], on a live call (see node_attribute).
     * The attribute's text is parsed as the pipeline dialect parses it: an integer (`42`, `-3`),
     * a double (`0.5`, `2`, `1e3`), a boolean (`true`/`false`), a duration (`250ms`, `30s`,
     * `15m`, `2h`, `1d`). Returns TRELLIS_OK, TRELLIS_NOT_FOUND (not set), TRELLIS_WRONG_TYPE
     * (set but does not parse as the type; `*out` untouched), TRELLIS_UNAVAILABLE (the call is
     * not live), TRELLIS_INVALID (`name` is not valid UTF-8). An attribute the type's schema
     * declares with that type has already been checked by `validate` before the run started. */

    /** Since ABI 1.2. [any-thread] An integer attribute. */
    trellis_status (*node_attribute_integer)(trellis_call *call, trellis_string name, int64_t *out);
    /** Since ABI 1.2. [any-thread] A double attribute (an integer reads as a double). */
    trellis_status (*node_attribute_double)(trellis_call *call, trellis_string name, double *out);
    /** Since ABI 1.2. [any-thread] A boolean attribute. */
    trellis_status (*node_attribute_boolean)(trellis_call *call, trellis_string name, bool *out);
    /** Since ABI 1.2. [any-thread] A duration attribute, in milliseconds. */
    trellis_status (*node_attribute_duration_ms)(trellis_call *call, trellis_string name, int64_t *out);

    /* -- Since ABI 1.2: the end of an activation. -- */

    /**
     * Since ABI 1.2. [init-only] Sets the function the host calls, with `user_data`, when the
     * activation this `init` starts is retired; a NULL `shutdown` clears it, a second call
     * replaces it. Returns TRELLIS_OK, or TRELLIS_ERROR (logged) with a registrar used outside
     * init. Nothing is called when init fails.
     *
     * When: exactly once per activation, once its registrations have left service for good:
     * no generation of any host in this process serves them any more (the file changed or went
     * away, and every run and session that started on an older generation has moved on), and
     * every call of them has finished: every `invoke` and `cancel` has returned, every PENDING
     * call was completed, every adapter operation was answered (a plugin thread that called
     * `complete` or `adapter_reply` may still be returning from it). A call the plugin never
     * completes keeps its activation alive, so the function is never called for it. Not called
     * when the process exits: the host does not retire what still serves.
     * Where: [retire-thread], one shutdown at a time, never concurrently with any other function
     * of this image that the host calls.
     * May: free what `init` allocated, stop and join the plugin's own threads, cancel its timers
     * (a timer callback that already started may still be running: wait for it), write log
     * lines (`host->log` with call NULL).
     * Must not: use a call, reply or registrar handle (all have finished: TRELLIS_UNAVAILABLE
     * or TRELLIS_ERROR); start work that calls back into the host later; block for long: a
     * load of the same bytes waits for it (up to 10 seconds, then that load is refused, naming
     * the plugin), and then calls `init` again with the static data as the function left it.
     */
    trellis_status (*registrar_set_shutdown)(trellis_registrar *registrar, trellis_shutdown_fn shutdown, void *user_data);

    /* -- Since ABI 1.3: typed LLM operations (adapters with TRELLIS_ADAPTER_REQUEST_BY_ACCESSOR
     * read requests this way; any LLM adapter may answer this way). `reply` is the handle
     * llm_complete received. [any-thread], like adapter_reply, until the plugin has replied. -- */

    /**
     * Since ABI 1.3. [any-thread] Fills `*out` with the request of an llm_complete operation. The
     * plugin sets `out->struct_size` (TRELLIS_HEADER_INIT) and the host fills the fields that fit
     * in it. Every string and the options array are host-owned, valid until the plugin replies.
     * Flags: TRELLIS_LLM_STREAM when the host wants deltas. Returns TRELLIS_OK;
     * TRELLIS_INVALID (nothing written) for a NULL `out` or one smaller than the 1.3 struct;
     * TRELLIS_UNAVAILABLE when the operation is not llm_complete or was answered.
     */
    trellis_status (*reply_llm_request)(trellis_reply *reply, trellis_llm_request *out);
    /**
     * Since ABI 1.3. [any-thread] Answers an llm_complete operation with success, typed: the
     * same as adapter_reply(reply, TRELLIS_OK, {"content","tool_calls","usage"}) without writing
     * the JSON. `answer` and what it points to are borrowed (copied before return). Exactly once
     * per operation, instead of adapter_reply (failures still go through adapter_reply with
     * TRELLIS_ERROR). Returns TRELLIS_OK (answered; `reply` is invalid from now on);
     * TRELLIS_INVALID (logged, nothing answered: reply again) for a NULL or too small `answer`,
     * content that is not valid UTF-8, or `tool_calls_json` that is not a JSON list of objects;
     * TRELLIS_UNAVAILABLE (logged) when the operation is not llm_complete or was already answered.
     */
    trellis_status (*adapter_reply_llm)(trellis_reply *reply, const trellis_llm_answer *answer);
    /**
     * Since ABI 1.3. [any-thread] The entry of a memory_update operation whose `entry_json` was
     * empty (an adapter with TRELLIS_ADAPTER_REQUEST_BY_ACCESSOR, and a map entry): `*fields`
     * and `*count` receive a host-owned array, valid until the plugin replies (either may be
     * NULL). Returns TRELLIS_OK; TRELLIS_UNAVAILABLE when the operation is not such a
     * memory_update or was answered.
     */
    trellis_status (*reply_memory_entry)(trellis_reply *reply, const trellis_field **fields, size_t *count);

    /* -- Since ABI 1.4 -- */

    /**
     * Since ABI 1.4. [invoke-thread] The string under `field` of the map that is item `index` of
     * the list under `key` (the "input" of the second recalled memory, the "name" of a tool
     * call), without the item's JSON: borrowed, host-owned, valid until the call completes, like
     * context_get_string. An empty `field` reads the item itself when it is a string. Returns
     * TRELLIS_OK; TRELLIS_NOT_FOUND when the key is unset, `index` is out of range or the map has
     * no such field; TRELLIS_WRONG_TYPE when the key holds no list, the item is not a map (not a
     * string, for an empty field) or the field holds no string; TRELLIS_UNAVAILABLE when the call
     * has finished. Check TRELLIS_HAS_FIELD(host, trellis_host_api, context_list_item_string).
     */
    trellis_status (*context_list_item_string)(trellis_call *call, trellis_string key, int64_t index, trellis_string field,
                                               trellis_string *out);
    /**
     * Since ABI 1.4. [invoke-thread] The string under `field` of the map under `key` (the
     * session config's "system_prompt"), without the map's JSON: borrowed, host-owned, valid
     * until the call completes, like context_get_string. Returns TRELLIS_OK; TRELLIS_NOT_FOUND
     * when the key is unset or the map has no such field; TRELLIS_WRONG_TYPE when the key holds
     * no map or the field holds no string; TRELLIS_UNAVAILABLE when the call has finished.
     * Check TRELLIS_HAS_FIELD(host, trellis_host_api, context_map_string).
     */
    trellis_status (*context_map_string)(trellis_call *call, trellis_string key, trellis_string field, trellis_string *out);
} trellis_host_api;

/* ------------------------------------------------------------------------------------ */
/* The plugin descriptor and entry point                                                */
/* ------------------------------------------------------------------------------------ */

/**
 * What the entry symbol returns. Owned by the plugin, immutable, valid for the life of the
 * process (static storage is the usual choice).
 */
typedef struct trellis_plugin_descriptor {
    TRELLIS_STRUCT_HEADER;
    /**
     * The plugin id: the namespace of its types and adapters (`acme` gives `acme.summarize`).
     * Lowercase letters, digits, `_` and `-`, starting with a letter. NUL-terminated.
     */
    const char *id;
    /** The plugin's own version (`1.2.0`). NUL-terminated. */
    const char *version;
    /** One line. NUL-terminated, may be NULL. */
    const char *description;
    /**
     * The toolchain the plugin was built with, for images that need the host's exact runtime:
     * Swift plugins set "swift-MAJOR.MINOR.PATCH" (for example "swift-6.3.1"); the host refuses
     * a value different from its own, naming both. C plugins leave it NULL or "".
     */
    const char *toolchain;
    /**
     * [init-only] Starts an activation of the image: called on a host thread before any other
     * function of the plugin, and again only after the previous activation was retired (see
     * registrar_set_shutdown). An image is loaded once per process and never unloaded (its
     * static data survives a retirement). Loading the same bytes while an activation serves
     * (an unchanged or touched file, another path, another host in the process) shares that
     * activation without a second `init`: its registrations and static state are live and in
     * use. Loading them after that activation was retired (a file changed and later restored;
     * since ABI 1.2) calls `init` again, after its shutdown function has returned: a new
     * activation, new registrations. A changed file is new bytes, staged and initialized as a
     * new image.
     * Registers node types and adapters through `host->register_*` with `registrar`, and
     * optionally the activation's end with `host->registrar_set_shutdown` (since ABI 1.2); may
     * keep `host` (valid for the process). Returns TRELLIS_OK, or TRELLIS_ERROR after
     * `host->registrar_set_error` (the plugin is then not used; its registrations are dropped,
     * and no shutdown follows).
     */
    trellis_status (*init)(const trellis_host_api *host, trellis_registrar *registrar);

} trellis_plugin_descriptor;

/** [any-thread] The type of the entry symbol. Called on a host thread, possibly more than once; must return the same descriptor. */
typedef const trellis_plugin_descriptor *(*trellis_plugin_entry_fn)(void);

/*
 * The entry symbol a plugin defines, declared here so a C or C++ definition is checked
 * against it. Hidden from Swift (the importer defines __swift__), where the SDK defines the
 * symbol itself with @c / @_cdecl("trellis_plugin_entry").
 */
#if !defined(__swift__)
TRELLIS_EXPORT const trellis_plugin_descriptor *trellis_plugin_entry(void);
#endif

/* ------------------------------------------------------------------------------------ */
/* Helpers for C authors                                                                */
/* ------------------------------------------------------------------------------------ */

/** A trellis_string for a string literal (C and C++). */
#define TRELLIS_LITERAL(text) trellis_string_make((text), sizeof(text) - 1)

/** A trellis_string over `length` bytes at `data` (borrowed). */
static inline trellis_string trellis_string_make(const char *data, size_t length) {
    trellis_string s;
    s.data = data;
    s.length = length;
    return s;
}

#ifdef __cplusplus
}
#endif

#endif /* TRELLIS_PLUGIN_H */
