/*
 * A plugin that breaks the ABI contract on purpose, one way per node type, and writes the
 * status each misuse got into its own context, so tests can check the documented result.
 *
 *   misbehave.stash         synchronous: keeps its call handle after invoke returns.
 *   misbehave.stash_async   asynchronous: completes at once and keeps its call handle.
 *   misbehave.stale         uses both kept handles (their calls have finished; this call may
 *                           occupy the same slot): writes, outcome, node_id, complete.
 *   misbehave.stale_thread  like stale, from a thread of its own, while this call is live.
 *   misbehave.register_late uses the registrar init received, from invoke.
 *   misbehave.bad_utf8      writes invalid UTF-8 (value, key, failure reason).
 *   misbehave.events        emits a host kind, a malformed kind, a reserved field, a good event.
 *   misbehave.complete42    asynchronous: complete(call, 42, "").
 *   misbehave.forgets       asynchronous: never completes until cancel asks it to.
 *   misbehave.typed         reads the typed attribute getters of ABI 1.2.
 *   misbehave.racing        asynchronous, within the contract: a thread of its own completes
 *                           the call at once, racing invoke's return and the host's wait.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "trellis_plugin.h"

static const trellis_host_api *host;
static trellis_registrar *saved_registrar;
static trellis_call *_Atomic kept_sync;
static trellis_call *_Atomic kept_async;
static atomic_int cancels;

#define KEY(text) TRELLIS_LITERAL(text)

static void record(trellis_call *call, const char *key, int64_t status) {
    host->context_set_integer(call, trellis_string_make(key, strlen(key)), status);
}

static trellis_status stash_invoke(void *state, trellis_call *call) {
    (void)state;
    atomic_store(&kept_sync, call);
    host->context_set_string(call, KEY("stashed"), KEY("yes"));
    return TRELLIS_OK;
}

static trellis_status stash_async_invoke(void *state, trellis_call *call) {
    (void)state;
    atomic_store(&kept_async, call);
    host->context_set_string(call, KEY("stashed"), KEY("async"));
    host->complete(call, TRELLIS_OK, KEY(""));
    return TRELLIS_PENDING;
}

/* Every use of a finished call's handle; each status is recorded under `prefix`_<what>. */
static void use_stale(trellis_call *own, trellis_call *stale, const char *prefix, int64_t results[4]) {
    results[0] = host->context_set_string(stale, KEY("leak"), KEY("from a finished call"));
    results[1] = host->outcome_set_status(stale, TRELLIS_OUTCOME_FAIL);
    trellis_string id;
    results[2] = host->node_attribute(stale, KEY("label"), &id);
    results[3] = host->context_get_string(stale, KEY("input"), &id);
    (void)own;
    (void)prefix;
    host->complete(stale, TRELLIS_ERROR, KEY("late complete through a stale handle"));
}

static trellis_status stale_invoke(void *state, trellis_call *call) {
    (void)state;
    int64_t results[4];
    use_stale(call, atomic_load(&kept_sync), "sync", results);
    record(call, "sync_set", results[0]);
    record(call, "sync_outcome", results[1]);
    record(call, "sync_attribute", results[2]);
    record(call, "sync_get", results[3]);
    use_stale(call, atomic_load(&kept_async), "async", results);
    record(call, "async_set", results[0]);
    record(call, "async_outcome", results[1]);
    record(call, "async_attribute", results[2]);
    record(call, "async_get", results[3]);
    return TRELLIS_OK;
}

static void *stale_thread_main(void *argument) {
    int64_t *results = argument;
    use_stale(NULL, atomic_load(&kept_sync), "thread", results);
    return NULL;
}

static trellis_status stale_thread_invoke(void *state, trellis_call *call) {
    (void)state;
    int64_t results[4] = {-1, -1, -1, -1};
    pthread_t thread;
    if (pthread_create(&thread, NULL, stale_thread_main, results) != 0) return TRELLIS_ERROR;
    pthread_join(thread, NULL);
    record(call, "thread_set", results[0]);
    record(call, "thread_outcome", results[1]);
    return TRELLIS_OK;
}

static trellis_status noop_invoke(void *state, trellis_call *call) {
    (void)state;
    (void)call;
    return TRELLIS_OK;
}

static trellis_status register_late_invoke(void *state, trellis_call *call) {
    (void)state;
    trellis_node_type late = {TRELLIS_HEADER_INIT(trellis_node_type)};
    late.name = "late";
    late.invoke = noop_invoke;
    record(call, "register_status", host->register_node_type(saved_registrar, &late));
    host->registrar_set_error(saved_registrar, KEY("too late"));
    return TRELLIS_OK;
}

static trellis_status bad_utf8_invoke(void *state, trellis_call *call) {
    (void)state;
    static const char bad[] = {'o', 'k', (char)0xff, (char)0xfe, 0};
    trellis_string broken = trellis_string_make(bad, 4);
    record(call, "value_status", host->context_set_string(call, KEY("value"), broken));
    record(call, "key_status", host->context_set_integer(call, broken, 1));
    record(call, "reason_status", host->outcome_set_failure(call, broken));
    return TRELLIS_OK;
}

static trellis_status events_invoke(void *state, trellis_call *call) {
    (void)state;
    record(call, "host_kind", host->emit_event(call, KEY("node_failed"), KEY("{}")));
    record(call, "bad_kind", host->emit_event(call, KEY("Bad Kind"), KEY("")));
    record(call, "reserved_key", host->emit_event(call, KEY("misbehave_note"), KEY("{\"plugin\": \"someone else\"}")));
    record(call, "good", host->emit_event(call, KEY("misbehave_note"), KEY("{\"count\": 2}")));
    return TRELLIS_OK;
}

static trellis_status complete42_invoke(void *state, trellis_call *call) {
    (void)state;
    host->complete(call, 42, KEY(""));
    return TRELLIS_PENDING;
}

static trellis_status forgets_invoke(void *state, trellis_call *call) {
    (void)state;
    (void)call;
    return TRELLIS_PENDING;
}

static void forgets_cancel(void *state, trellis_call *call) {
    (void)state;
    atomic_fetch_add(&cancels, 1);
    /* The ABI still wants the completion; its result is discarded. */
    host->complete(call, TRELLIS_ERROR, KEY("cancelled"));
}

static trellis_status cancels_invoke(void *state, trellis_call *call) {
    (void)state;
    record(call, "cancels", atomic_load(&cancels));
    return TRELLIS_OK;
}

static void *racing_complete(void *call) {
    host->complete((trellis_call *)call, TRELLIS_OK, KEY(""));
    return NULL;
}

static trellis_status racing_invoke(void *state, trellis_call *call) {
    (void)state;
    host->context_set_integer(call, KEY("raced"), 1);
    pthread_t thread;
    if (pthread_create(&thread, NULL, racing_complete, call) != 0) return TRELLIS_ERROR;
    pthread_detach(thread);
    return TRELLIS_PENDING;
}

static trellis_status typed_invoke(void *state, trellis_call *call) {
    (void)state;
    if (!TRELLIS_HAS_FIELD(host, trellis_host_api, node_attribute_duration_ms)) return TRELLIS_ERROR;
    int64_t count = 0, wait = 0;
    double ratio = 0;
    bool loud = false;
    record(call, "count_status", host->node_attribute_integer(call, KEY("count"), &count));
    record(call, "count", count);
    record(call, "wait_status", host->node_attribute_duration_ms(call, KEY("wait"), &wait));
    record(call, "wait_ms", wait);
    record(call, "ratio_status", host->node_attribute_double(call, KEY("ratio"), &ratio));
    host->context_set_double(call, KEY("ratio"), ratio);
    record(call, "loud_status", host->node_attribute_boolean(call, KEY("loud"), &loud));
    host->context_set_boolean(call, KEY("loud"), loud);
    record(call, "missing_status", host->node_attribute_integer(call, KEY("missing"), &count));
    record(call, "wrong_status", host->node_attribute_integer(call, KEY("label"), &count));
    return TRELLIS_OK;
}

static trellis_status init(const trellis_host_api *api, trellis_registrar *registrar) {
    host = api;
    saved_registrar = registrar;
    static const trellis_attribute_spec typed_attributes[] = {
        {TRELLIS_HEADER_INIT(trellis_attribute_spec), "count", TRELLIS_ATTR_INTEGER, true, "how many"},
        {TRELLIS_HEADER_INIT(trellis_attribute_spec), "wait", TRELLIS_ATTR_DURATION, false, "how long"},
        {TRELLIS_HEADER_INIT(trellis_attribute_spec), "ratio", TRELLIS_ATTR_DOUBLE, false, "a share"},
        {TRELLIS_HEADER_INIT(trellis_attribute_spec), "loud", TRELLIS_ATTR_BOOLEAN, false, "shout"},
    };
    struct { const char *name; uint32_t flags; trellis_status (*invoke)(void *, trellis_call *); void (*cancel)(void *, trellis_call *); } types[] = {
        {"stash", 0, stash_invoke, NULL},
        {"stash_async", TRELLIS_NODE_ASYNC, stash_async_invoke, NULL},
        {"stale", 0, stale_invoke, NULL},
        {"stale_thread", 0, stale_thread_invoke, NULL},
        {"register_late", 0, register_late_invoke, NULL},
        {"bad_utf8", 0, bad_utf8_invoke, NULL},
        {"events", 0, events_invoke, NULL},
        {"complete42", TRELLIS_NODE_ASYNC, complete42_invoke, NULL},
        {"forgets", TRELLIS_NODE_ASYNC | TRELLIS_NODE_THREAD_SAFE, forgets_invoke, forgets_cancel},
        {"cancels", 0, cancels_invoke, NULL},
        {"typed", 0, typed_invoke, NULL},
        {"racing", TRELLIS_NODE_ASYNC | TRELLIS_NODE_THREAD_SAFE, racing_invoke, NULL},
    };
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        trellis_node_type type = {TRELLIS_HEADER_INIT(trellis_node_type)};
        type.name = types[i].name;
        type.flags = types[i].flags;
        type.invoke = types[i].invoke;
        type.cancel = types[i].cancel;
        type.allows_unlisted_attributes = true;
        if (strcmp(types[i].name, "typed") == 0) {
            type.attributes = typed_attributes;
            type.attribute_count = sizeof typed_attributes / sizeof typed_attributes[0];
        }
        if (host->register_node_type(registrar, &type) != TRELLIS_OK) return TRELLIS_ERROR;
    }
#ifdef MISBEHAVE_UNKNOWN_FLAG
    trellis_node_type flagged = {TRELLIS_HEADER_INIT(trellis_node_type)};
    flagged.name = "flagged";
    flagged.flags = 0x80u;
    flagged.invoke = noop_invoke;
    if (host->register_node_type(registrar, &flagged) != TRELLIS_OK) return TRELLIS_ERROR;
#endif
    return TRELLIS_OK;
}

/* Another id gives a second plugin with the same unqualified type names (ambiguous aliases). */
#ifndef MISBEHAVE_ID
#define MISBEHAVE_ID "misbehave"
#endif

static const trellis_plugin_descriptor descriptor = {
    TRELLIS_HEADER_INIT(trellis_plugin_descriptor), MISBEHAVE_ID, "1.0.0", "breaks the contract on purpose", NULL, init,
};

TRELLIS_EXPORT const trellis_plugin_descriptor *trellis_plugin_entry(void) { return &descriptor; }
