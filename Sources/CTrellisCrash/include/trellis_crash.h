/*
 * trellis_crash.h: crash reports that name the plugin (host-internal; not part of the plugin ABI).
 *
 * In-process plugins share the host's fate: a fatal signal inside plugin code ends the whole
 * process. What the host can do is say whose code it was. Around every call into a plugin (a
 * node's invoke or cancel, an adapter's operation or cancel, a result or timer callback, init,
 * shutdown) the host marks a per-thread slot with preformatted text (plugin file and id, node
 * type or adapter) and what the call is; a handler for SIGSEGV, SIGBUS, SIGILL, SIGFPE and
 * SIGABRT, running on an alternate signal stack, writes that text to standard error with
 * write(2), then asks the host to describe the call (for a node's invoke: node id, session id)
 * and writes that too, then restores the previous handler (the Swift runtime's backtracer, or
 * the default) and re-raises, so the usual backtrace and exit status follow.
 *
 * The call is described only when a crash happens, not on every call: finding the session id
 * is a lookup in the run's context, which every call would otherwise pay for (about a tenth of
 * a no-op node's cost through the C ABI). The description reads host memory the crash has most
 * likely left alone (plugin code crashed, not the host); if reading it faults, the process dies
 * of that second fault with the origin already written.
 */
#ifndef TRELLIS_CRASH_H
#define TRELLIS_CRASH_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Installs the fatal-signal handlers once per process (later calls do nothing). Any thread. */
void trellis_crash_install(void);

/**
 * Describes the call `subject` names, in the fatal-signal handler of the thread running it:
 * writes what follows the origin in the report (", node 'n', session 's'", ", in cancel") into
 * `text`, at most `capacity` bytes of UTF-8, not terminated, and returns how many. Must only
 * read memory: no allocation, no lock, no call that is not async-signal-safe.
 */
typedef size_t (*trellis_crash_describe_fn)(const void *subject, char *text, size_t capacity);

/**
 * Marks the calling thread as running plugin code until trellis_crash_leave. `origin` (whose
 * code it is: "plugin 'x' (/path/libx.so), node type 'x.y'") must stay valid until leave.
 * `describe` and `subject` (both valid until leave) say what the call is if a crash happens;
 * both NULL when `origin` says it all (init, shutdown). Sets up the thread's alternate signal
 * stack on first use. Calling thread only. A call made while another is marked (an adapter
 * plugin's operation, started by a node's invoke through the host) saves the outer marking
 * with trellis_crash_current first and puts it back with trellis_crash_restore instead of
 * leave.
 */
void trellis_crash_enter(const char *origin, size_t origin_length, trellis_crash_describe_fn describe,
                         const void *subject);

/** Ends the marking begun by trellis_crash_enter on the calling thread. */
void trellis_crash_leave(void);

/** A thread's marking, saved by trellis_crash_current. */
typedef struct trellis_crash_marking {
    bool active;
    const char *origin;
    size_t origin_length;
    trellis_crash_describe_fn describe;
    const void *subject;
} trellis_crash_marking;

/** The calling thread's marking now (active or not). */
trellis_crash_marking trellis_crash_current(void);

/** Ends the calling thread's marking and puts back `saved` (from trellis_crash_current). */
void trellis_crash_restore(trellis_crash_marking saved);

/**
 * The base address of the loaded object holding `address` (dladdr's dli_fbase), or NULL when
 * none does. Takes the dynamic loader's lock: never from the signal handler. Any thread.
 */
void *trellis_crash_image_base(const void *address);

#ifdef __cplusplus
}
#endif

#endif
