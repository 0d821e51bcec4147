/*
 * A Trellis plugin in plain C: two node types.
 *
 *   cexample.uppercase  reads the context key named by `from` (default "input"), writes it in
 *                       upper case under the key named by `to` (default "output"). Synchronous.
 *   cexample.wait       waits `delay_ms` milliseconds (default 10) without holding a thread: it
 *                       returns PENDING and completes from the host's timer thread, then sets
 *                       `waited_ms`. Cancellable (the node timeout cancels the timer).
 *
 * Build (from the repository root):
 *   cc -std=c11 -Wall -Wextra -O2 -shared -fPIC -I Sources/CTrellisPlugin/include \
 *      Plugins/CExample/example_plugin.c -o plugins/libcexample.so
 */
#include <stdlib.h>
#include <string.h>

#include "trellis_plugin.h"

static const trellis_host_api *host;
static const trellis_timer_ext *timer;

/* ---- cexample.uppercase ---- */

static trellis_string attribute_or(trellis_call *call, const char *name, const char *fallback) {
    trellis_string value;
    if (host->node_attribute(call, trellis_string_make(name, strlen(name)), &value) == TRELLIS_OK) return value;
    return trellis_string_make(fallback, strlen(fallback));
}

static trellis_status uppercase_invoke(void *state, trellis_call *call) {
    (void)state;
    trellis_string from = attribute_or(call, "from", "input");
    trellis_string to = attribute_or(call, "to", "output");
    trellis_string text;
    trellis_status found = host->context_get_string(call, from, &text);
    if (found != TRELLIS_OK) {
        host->outcome_set_failure(call, TRELLIS_LITERAL("cexample.uppercase: the context key named by 'from' is not set to a string"));
        return TRELLIS_ERROR;
    }
    char small[256];
    char *buffer = text.length < sizeof small ? small : (char *)malloc(text.length);
    if (buffer == NULL) return TRELLIS_ERROR;
    for (size_t i = 0; i < text.length; i++) {
        char c = text.data[i];
        buffer[i] = (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
    }
    host->context_set_string(call, to, trellis_string_make(buffer, text.length));
    if (buffer != small) free(buffer);
    return TRELLIS_OK;
}

/* ---- cexample.wait ---- */

typedef struct wait_state {
    trellis_call *call;
    int64_t delay_ms;
} wait_state;

/* Runs on a host timer thread: the only place that completes the call and frees the state. */
static void wait_fired(void *user_data) {
    wait_state *wait = (wait_state *)user_data;
    host->context_set_integer(wait->call, TRELLIS_LITERAL("waited_ms"), wait->delay_ms);
    host->complete(wait->call, TRELLIS_OK, TRELLIS_LITERAL(""));
    free(wait);
}

static trellis_status wait_invoke(void *state, trellis_call *call) {
    (void)state;
    int64_t delay_ms = 10;
    trellis_string raw;
    if (host->node_attribute(call, TRELLIS_LITERAL("delay_ms"), &raw) == TRELLIS_OK && raw.length > 0 && raw.length < 20) {
        char digits[24];
        memcpy(digits, raw.data, raw.length);
        digits[raw.length] = '\0';
        delay_ms = strtoll(digits, NULL, 10);
    }
    wait_state *wait = (wait_state *)malloc(sizeof *wait);
    if (wait == NULL) {
        host->outcome_set_failure(call, TRELLIS_LITERAL("cexample.wait: out of memory"));
        return TRELLIS_ERROR;
    }
    wait->call = call;
    wait->delay_ms = delay_ms;
    /* The callback may run before schedule returns, so nothing touches `call` or `wait` after it. */
    timer->schedule((uint64_t)delay_ms * 1000u, wait_fired, wait);
    return TRELLIS_PENDING;
}

/*
 * The host gave up on the call (node timeout). The node has already failed; the pending timer
 * still fires and completes the call (its result is discarded), which keeps exactly one owner
 * of `wait` and of the completion, with no lock.
 */
static void wait_cancel(void *state, trellis_call *call) {
    (void)state;
    host->log(call, TRELLIS_LOG_INFO, TRELLIS_LITERAL("cexample.wait: cancelled; the timer will end the call when it fires"));
}

/* ---- registration ---- */

static const trellis_attribute_spec uppercase_attributes[] = {
    {TRELLIS_HEADER_INIT(trellis_attribute_spec), "from", TRELLIS_ATTR_STRING, false, "context key to read (default: input)"},
    {TRELLIS_HEADER_INIT(trellis_attribute_spec), "to", TRELLIS_ATTR_STRING, false, "context key to write (default: output)"},
};

static const trellis_attribute_spec wait_attributes[] = {
    {TRELLIS_HEADER_INIT(trellis_attribute_spec), "delay_ms", TRELLIS_ATTR_INTEGER, false, "milliseconds to wait (default: 10)"},
};

static trellis_status plugin_init(const trellis_host_api *api, trellis_registrar *registrar) {
    host = api;
    timer = (const trellis_timer_ext *)api->get_extension(TRELLIS_EXT_TIMER);
    if (timer == NULL) {
        api->registrar_set_error(registrar, TRELLIS_LITERAL("the host offers no trellis.timer/1 extension"));
        return TRELLIS_ERROR;
    }
    trellis_node_type uppercase;
    memset(&uppercase, 0, sizeof uppercase);
    uppercase.struct_size = sizeof uppercase;
    uppercase.abi_major = TRELLIS_ABI_MAJOR;
    uppercase.abi_minor = TRELLIS_ABI_MINOR;
    uppercase.name = "uppercase";
    uppercase.description = "copies a context string in upper case";
    uppercase.flags = TRELLIS_NODE_THREAD_SAFE;
    uppercase.attributes = uppercase_attributes;
    uppercase.attribute_count = sizeof uppercase_attributes / sizeof uppercase_attributes[0];
    uppercase.allows_unlisted_attributes = true;
    uppercase.invoke = uppercase_invoke;
    if (api->register_node_type(registrar, &uppercase) != TRELLIS_OK) return TRELLIS_ERROR;

    trellis_node_type wait = uppercase;
    wait.name = "wait";
    wait.description = "waits on the host timer without holding a thread, then sets waited_ms";
    wait.flags = TRELLIS_NODE_THREAD_SAFE | TRELLIS_NODE_ASYNC;
    wait.attributes = wait_attributes;
    wait.attribute_count = 1;
    wait.invoke = wait_invoke;
    wait.cancel = wait_cancel;
    return api->register_node_type(registrar, &wait);
}

static const trellis_plugin_descriptor descriptor = {
    TRELLIS_HEADER_INIT(trellis_plugin_descriptor),
    "cexample",
    "1.0.0",
    "example node types written in plain C",
    "",
    plugin_init,
};

TRELLIS_EXPORT const trellis_plugin_descriptor *trellis_plugin_entry(void) { return &descriptor; }
