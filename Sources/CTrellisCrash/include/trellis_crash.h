/*
 * trellis_crash.h: crash reports that name the plugin (host-internal; not part of the plugin ABI).
 *
 * In-process plugins share the host's fate: a fatal signal inside plugin code ends the whole
 * process. What the host can do is say whose code it was. Around every call into a plugin the
 * host marks a per-thread slot with preformatted text (plugin file and id, node type) and, for
 * a node call, the call it is running; a handler for SIGSEGV, SIGBUS, SIGILL, SIGFPE and
 * SIGABRT, running on an alternate signal stack, writes that text to standard error with
 * write(2), then asks the host to describe the call (node id, session id) and writes that too,
 * then restores the previous handler (the Swift runtime's backtracer, or the default) and
 * re-raises, so the usual backtrace and exit status follow.
 *
 * The call is described only when a crash happens, not on every call: finding the session id
 * is a lookup in the run's context, which every call would otherwise pay for (about a tenth of
 * a no-op node's cost through the C ABI). The description reads host memory the crash has most
 * likely left alone (plugin code crashed, not the host); if reading it faults, the process dies
 * of that second fault with the origin already written.
 */
#ifndef TRELLIS_CRASH_H
#define TRELLIS_CRASH_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Installs the fatal-signal handlers once per process (later calls do nothing). Any thread. */
void trellis_crash_install(void);

/**
 * Describes the call `subject` names, in the fatal-signal handler of the thread running it:
 * writes its node id into `node` and its session id into `session` (each `capacity` bytes,
 * UTF-8, not terminated) and their lengths into `*node_length` and `*session_length` (0 for
 * none). Must only read memory: no allocation, no lock, no call that is not async-signal-safe.
 */
typedef void (*trellis_crash_describe_fn)(const void *subject, char *node, size_t *node_length,
                                          char *session, size_t *session_length, size_t capacity);

/**
 * Marks the calling thread as running plugin code until trellis_crash_leave. `origin` (what the
 * code is: "plugin 'x' (/path/libx.so), node type 'x.y'") must stay valid until leave. For a
 * node call, `describe` and `subject` (both stay valid until leave) describe it if a crash
 * happens; both NULL for plugin code that runs for no node (init, shutdown). Sets up the
 * thread's alternate signal stack on first use. Calling thread only; not nested (a nested enter
 * replaces the marking, and its leave clears it).
 */
void trellis_crash_enter(const char *origin, size_t origin_length, trellis_crash_describe_fn describe,
                         const void *subject);

/** Ends the marking begun by trellis_crash_enter on the calling thread. */
void trellis_crash_leave(void);

#ifdef __cplusplus
}
#endif

#endif
