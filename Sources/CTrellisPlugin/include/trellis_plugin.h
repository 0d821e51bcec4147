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
 *   minor (TRELLIS_HAS_FIELD). The host refuses a plugin whose major differs from its own or
 *   whose minor is newer than its own, and names both versions.
 * - Strings. Registration strings (`const char *` fields of descriptors, node types,
 *   attribute specs and adapters) are NUL-terminated UTF-8; the host copies them during the
 *   call that receives them. Strings exchanged while running are `trellis_string` (pointer +
 *   length, not NUL-terminated, may contain NUL); they are BORROWED: the receiver copies
 *   what it wants to keep. Lifetimes of strings the host returns are stated per function.
 * - Errors. Functions return a status code (TRELLIS_OK, TRELLIS_ERROR, ...) and, where a
 *   message is useful, take one as a `trellis_string` that the host copies. Nothing else
 *   crosses: no C++ exception, no longjmp, no Swift error, no Swift type.
 * - Threads. Each function says where it may be called. "Any thread" includes threads the
 *   plugin created and host threads (timer callbacks, adapter replies).
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
#define TRELLIS_ABI_MINOR 1

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
/** The operation is not available (no adapter of that kind in this run, call already completed, ...). */
#define TRELLIS_UNAVAILABLE 5

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

/** Node type flags. */
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

/** Adapter flags (trellis_adapter.flags, since 1.1). */
/**
 * LLM adapters: the host leaves "messages" out of llm_complete's request JSON and the plugin
 * reads the conversation with reply_messages_count / reply_message_at / reply_message_json_at,
 * so the cost of starting a request does not grow with the history. Ignored for other kinds.
 */
#define TRELLIS_ADAPTER_MESSAGES_BY_ACCESSOR 0x1u

/* ------------------------------------------------------------------------------------ */
/* Opaque handles                                                                       */
/* ------------------------------------------------------------------------------------ */

/**
 * One visit of a node. Valid from the start of `invoke` until the call completes: until
 * `invoke` returns TRELLIS_OK/TRELLIS_ERROR, or, after TRELLIS_PENDING, until `complete`
 * returns. Functions taking a call must not be called concurrently for the same call (the
 * plugin serializes its own uses of one call); different calls are independent.
 */
typedef struct trellis_call trellis_call;

/** The registration session handed to `init`; valid only during `init`, on the init thread. */
typedef struct trellis_registrar trellis_registrar;

/**
 * One pending adapter operation (plugin-provided adapters). The plugin answers it exactly
 * once with `adapter_reply`, from any thread; the handle is invalid after that call returns.
 * Before that, an llm_complete may stream through it and read its conversation (reply_delta,
 * reply_messages_count, reply_message_at, reply_message_json_at; since 1.1).
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

/** A timer callback; runs on a host timer thread (never the thread that scheduled it synchronously). */
typedef void (*trellis_timer_fn)(void *user_data);

/**
 * "trellis.timer/1": run a callback later on a host thread, without a sleeping thread per
 * timer (mock adapters use it for simulated latency).
 */
typedef struct trellis_timer_ext {
    TRELLIS_STRUCT_HEADER;
    /**
     * Runs `callback(user_data)` once, about `delay_us` microseconds from now, on a host
     * thread. Returns a non-zero timer id. `user_data` is owned by the plugin and passed back
     * untouched. Any thread.
     */
    uint64_t (*schedule)(uint64_t delay_us, trellis_timer_fn callback, void *user_data);
    /**
     * Cancels a timer that has not fired yet: returns true when the callback will not run,
     * false when it already ran, is running, or the id is unknown. Any thread.
     */
    bool (*cancel)(uint64_t timer_id);
} trellis_timer_ext;

/**
 * Reply of an adapter operation the plugin started through an extension. Runs exactly once,
 * on a host thread (possibly before the starting function returns). `status` is TRELLIS_OK or
 * TRELLIS_ERROR; `result_json` (on OK) and `error_message` (on ERROR) are borrowed for the
 * duration of the callback.
 */
typedef void (*trellis_result_fn)(void *user_data, trellis_status status, trellis_string result_json,
                                  trellis_string error_message);

/**
 * "trellis.llm/1": call the run's LLM adapter from a node, asynchronously.
 */
typedef struct trellis_llm_ext {
    TRELLIS_STRUCT_HEADER;
    /**
     * Starts a completion with the run's LLM adapter. `request_json` (borrowed, copied before
     * return) is an object: {"prompt": string, "messages": [{"role","content"}...],
     * "model": string, "provider": string, "options": {...}, "use_session_messages": bool};
     * with "use_session_messages": true the host passes the context's `session.messages`
     * itself (no copy through JSON); with "offer_tools": true (since 1.1) the host offers the
     * model the tools of the run's tools adapter, as "tools" in the adapter's request. `on_result` receives {"content": string,
     * "tool_calls": [...]}. Returns TRELLIS_OK when started (on_result will run),
     * TRELLIS_UNAVAILABLE when the run has no LLM adapter or the call has completed, TRELLIS_ERROR
     * for malformed JSON (on_result will not run). Only for TRELLIS_NODE_ASYNC types (a
     * synchronous call has ended before any answer could arrive: TRELLIS_UNAVAILABLE); the call
     * stays PENDING until on_result has run, which normally calls `complete`. Any thread.
     */
    trellis_status (*complete)(trellis_call *call, trellis_string request_json, trellis_result_fn on_result,
                               void *user_data);
} trellis_llm_ext;

/**
 * "trellis.memory/1": call the run's memory adapter from a node, asynchronously.
 * Return values and threading as in trellis_llm_ext.complete.
 */
typedef struct trellis_memory_ext {
    TRELLIS_STRUCT_HEADER;
    /** Recalls memories for `agent_id` matching `query`; on_result gets a JSON list. Strings borrowed, copied before return. */
    trellis_status (*recall)(trellis_call *call, trellis_string agent_id, trellis_string query,
                             trellis_result_fn on_result, void *user_data);
    /** Records `entry_json` (any JSON value) for `agent_id`; on_result gets "null". Strings borrowed, copied before return. */
    trellis_status (*update)(trellis_call *call, trellis_string agent_id, trellis_string entry_json,
                             trellis_result_fn on_result, void *user_data);
} trellis_memory_ext;

/**
 * "trellis.tools/1": call the run's tools adapter from a node, asynchronously.
 * Return values and threading as in trellis_llm_ext.complete.
 */
typedef struct trellis_tools_ext {
    TRELLIS_STRUCT_HEADER;
    /** Runs tool calls (`calls_json`: a JSON list of {"name","arguments"}); on_result gets a JSON list, one result per call. */
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
    /** See above. Required. */
    trellis_status (*invoke)(void *state, trellis_call *call);
    /** See above. Optional. */
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
 * Since 1.1, llm_complete:
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
    /** kind LLM: required. */
    trellis_status (*llm_complete)(void *state, trellis_string request_json, trellis_reply *reply);
    /** kind MEMORY: required. */
    trellis_status (*memory_recall)(void *state, trellis_string agent_id, trellis_string query, trellis_reply *reply);
    /** kind MEMORY: required. */
    trellis_status (*memory_update)(void *state, trellis_string agent_id, trellis_string entry_json,
                                    trellis_reply *reply);
    /** kind TOOLS: required. */
    trellis_status (*tools_dispatch)(void *state, trellis_string calls_json, trellis_reply *reply);
    /**
     * Optional: the host no longer wants the answer (task cancelled). Any host thread; `reply`
     * stays valid until the plugin replies, which it still must do (the answer is discarded).
     */
    void (*cancel)(void *state, trellis_reply *reply);
    /**
     * Since 1.1. TRELLIS_ADAPTER_* flags (TRELLIS_ADAPTER_MESSAGES_BY_ACCESSOR). The host reads it
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

    /* -- Registration: only inside init, on the init thread, with the registrar init received. -- */

    /** Registers a node type; the host copies everything. Returns TRELLIS_ERROR (and logs why) for an invalid or too-small struct. */
    trellis_status (*register_node_type)(trellis_registrar *registrar, const trellis_node_type *type);
    /** Registers an adapter; the host copies everything. Returns TRELLIS_ERROR (and logs why) for an invalid or too-small struct. */
    trellis_status (*register_adapter)(trellis_registrar *registrar, const trellis_adapter *adapter);
    /** Records why init fails (copied); init then returns TRELLIS_ERROR. The host reports the message with the file name. */
    void (*registrar_set_error)(trellis_registrar *registrar, trellis_string message);

    /* -- Host services: any thread. -- */

    /**
     * Writes a log line (copied). `call` may be NULL (the line is then attributed to the plugin
     * only); when given it must be live, and the line names the node. Any thread.
     */
    void (*log)(trellis_call *call, int32_t level, trellis_string message);
    /**
     * Looks up an extension by versioned id (TRELLIS_EXT_*). Returns a host-owned struct that
     * stays valid for the life of the process, or NULL when the host does not offer it. Any thread.
     */
    const void *(*get_extension)(const char *id);

    /* -- The node: any thread that currently owns the live call. -- */

    /** The node id. Returned string owned by the host, valid until the call completes. */
    trellis_string (*node_id)(trellis_call *call);
    /**
     * The raw text of node attribute `name` (borrowed, copied before return) into `*out`.
     * TRELLIS_OK or TRELLIS_NOT_FOUND. `*out` is valid until the call completes.
     */
    trellis_status (*node_attribute)(trellis_call *call, trellis_string name, trellis_string *out);
    /** How many times this node ran before in this run (0 on the first attempt). */
    int64_t (*node_attempt)(trellis_call *call);

    /* -- Context reads: the context as it was when the node started. Same threading as above. --
     * Keys are borrowed (copied before return). Getters return TRELLIS_OK, TRELLIS_NOT_FOUND or
     * TRELLIS_WRONG_TYPE and leave `*out` untouched unless OK. Strings written to `*out` are
     * owned by the host and valid until the call completes. */

    /** The TRELLIS_VALUE_* type stored under `key` (TRELLIS_VALUE_NONE when unset). */
    int32_t (*context_type)(trellis_call *call, trellis_string key);
    /** A string value. */
    trellis_status (*context_get_string)(trellis_call *call, trellis_string key, trellis_string *out);
    /** An integer value. */
    trellis_status (*context_get_integer)(trellis_call *call, trellis_string key, int64_t *out);
    /** A double value (an integer value is converted). */
    trellis_status (*context_get_double)(trellis_call *call, trellis_string key, double *out);
    /** A boolean value. */
    trellis_status (*context_get_boolean)(trellis_call *call, trellis_string key, bool *out);
    /** Any value as compact JSON text (lists and maps; scalars too). Serializes that one value only. */
    trellis_status (*context_get_json)(trellis_call *call, trellis_string key, trellis_string *out);
    /** Number of items of the list under `key` (0 when unset); -1 when it holds something else. */
    int64_t (*context_list_count)(trellis_call *call, trellis_string key);
    /** Item `index` of the list under `key` as JSON (that item only). TRELLIS_NOT_FOUND when out of range. */
    trellis_status (*context_list_item_json)(trellis_call *call, trellis_string key, int64_t index,
                                             trellis_string *out);
    /** Number of messages in `session.messages` (0 when unset). Cost independent of history length. */
    int64_t (*messages_count)(trellis_call *call);
    /**
     * Role and content of message `index` of `session.messages` (borrowed, host-owned, valid
     * until the call completes); either out pointer may be NULL. TRELLIS_NOT_FOUND when out of
     * range, TRELLIS_WRONG_TYPE when the item is not a {role, content} map.
     */
    trellis_status (*message_at)(trellis_call *call, int64_t index, trellis_string *role, trellis_string *content);

    /* -- Context writes: collected into the outcome, applied by the engine after the node
     *    finishes (later writes to a key win). Key and value borrowed, copied before return.
     *    Same threading as above; after the call completed they return TRELLIS_UNAVAILABLE. -- */

    trellis_status (*context_set_string)(trellis_call *call, trellis_string key, trellis_string value);
    trellis_status (*context_set_integer)(trellis_call *call, trellis_string key, int64_t value);
    trellis_status (*context_set_double)(trellis_call *call, trellis_string key, double value);
    trellis_status (*context_set_boolean)(trellis_call *call, trellis_string key, bool value);
    /** Sets any JSON value (lists, maps, null). TRELLIS_ERROR when `json` is not valid JSON (logged). */
    trellis_status (*context_set_json)(trellis_call *call, trellis_string key, trellis_string json);

    /* -- Outcome: same threading as context writes. -- */

    /** Overrides the outcome status (TRELLIS_OUTCOME_*). */
    trellis_status (*outcome_set_status)(trellis_call *call, int32_t outcome_status);
    /** The failure reason used when the call ends in ERROR/FAIL/RETRY (copied). */
    trellis_status (*outcome_set_failure)(trellis_call *call, trellis_string reason);
    /** The preferred edge label (copied). */
    trellis_status (*outcome_set_preferred_label)(trellis_call *call, trellis_string label);
    /** Appends a suggested next node id (copied). */
    trellis_status (*outcome_add_suggested_next)(trellis_call *call, trellis_string node_id);
    /** Free-text notes for logs (copied). */
    trellis_status (*outcome_set_notes)(trellis_call *call, trellis_string notes);

    /* -- Events, cancellation, completion -- */

    /**
     * Emits a run event of kind `kind` (any snake_case name) for this node with `fields_json`
     * (a JSON object, or empty for none). Both copied. Same threading as context writes.
     */
    trellis_status (*emit_event)(trellis_call *call, trellis_string kind, trellis_string fields_json);
    /** Whether the host has given up on the call (timeout/cancellation). Any thread, while the call is live. */
    bool (*is_cancelled)(trellis_call *call);
    /**
     * Ends a PENDING call: `status` TRELLIS_OK or TRELLIS_ERROR, `message` (copied) the failure
     * reason for ERROR (may be empty). Exactly once per PENDING call, from any thread, possibly
     * before invoke has returned. The call is invalid once this returns. A second completion of
     * the same call is ignored and logged (the host keeps recently completed calls recognizable
     * for this purpose; do not rely on it).
     */
    void (*complete)(trellis_call *call, trellis_status status, trellis_string message);

    /* -- Plugin-provided adapters -- */

    /**
     * Answers an adapter operation: `status` TRELLIS_OK with `result_json`, or TRELLIS_ERROR with
     * `error_message`. Both copied. Exactly once per operation, from any thread; `reply` is
     * invalid once this returns; a second reply is ignored and logged.
     */
    void (*adapter_reply)(trellis_reply *reply, trellis_status status, trellis_string result_json,
                          trellis_string error_message);
    /** Whether the host no longer wants the answer. Any thread, until the plugin replied. */
    bool (*adapter_is_cancelled)(trellis_reply *reply);

    /* -- Per-call plugin data (for example the state of a pending operation, found again in cancel) -- */

    /**
     * Attaches a plugin-owned pointer to the call (the host never dereferences or frees it).
     * Same threading as context writes; set it before invoke returns TRELLIS_PENDING if cancel needs it.
     */
    void (*call_set_user_data)(trellis_call *call, void *user_data);
    /** The pointer last attached with call_set_user_data, or NULL. Any thread, while the call is live (also inside cancel). */
    void *(*call_user_data)(trellis_call *call);

    /* -- Since 1.1: streaming and the conversation of an llm_complete operation. --
     * `reply` is the handle llm_complete received. Like adapter_reply these may be called from
     * any thread, concurrently, until the plugin has replied; the handle is invalid once
     * adapter_reply returns (the host keeps recently answered replies recognizable, so a late
     * call returns TRELLIS_UNAVAILABLE rather than crashing; do not rely on it). */

    /**
     * Since 1.1. Publishes the next piece of the answer's text (copied before return). The host
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
     * Since 1.1. The number of messages of the request's conversation (the request's
     * "messages", whether or not they were also put in the JSON). Cost independent of history
     * length. -1 when the operation is not llm_complete or the plugin has already replied.
     */
    int64_t (*reply_messages_count)(trellis_reply *reply);
    /**
     * Since 1.1. Role and content of message `index` (0 is the oldest); either out pointer may be
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
     * Since 1.1. Message `index` as one compact JSON object (that message only), with every key it
     * has: {"role","content"}, plus "tool_calls" on an assistant message that asked for tools,
     * {"role":"tool","tool_call_id","name","content"} for a tool result. `*out` is host-owned,
     * valid until the plugin replies. Returns as reply_message_at.
     */
    trellis_status (*reply_message_json_at)(trellis_reply *reply, int64_t index, trellis_string *out);
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
     * Called once per loaded image, on a host thread, before any other function of the plugin.
     * Registers node types and adapters through `host->register_*` with `registrar`; may keep
     * `host` (valid for the process). Returns TRELLIS_OK, or TRELLIS_ERROR after
     * `host->registrar_set_error` (the plugin is then not used; its registrations are dropped).
     */
    trellis_status (*init)(const trellis_host_api *host, trellis_registrar *registrar);
} trellis_plugin_descriptor;

/** The type of the entry symbol. Called on a host thread, possibly more than once; must return the same descriptor. */
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
