/*
 * trellis_crash.h: crash reports that name the plugin (host-internal; not part of the plugin ABI).
 *
 * In-process plugins share the host's fate: a fatal signal inside plugin code ends the whole
 * process. What the host can do is say whose code it was. Around every call into a plugin the
 * host fills a per-thread slot with preformatted text (plugin file and id, node type, node id,
 * session id); a handler for SIGSEGV, SIGBUS, SIGILL, SIGFPE and SIGABRT, running on an
 * alternate signal stack, writes that text to standard error with write(2) only (nothing else
 * is async-signal-safe), then restores the previous handler (the Swift runtime's backtracer, or
 * the default) and re-raises, so the usual backtrace and exit status follow.
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
 * Marks the calling thread as running plugin code until trellis_crash_leave. `origin` (what the
 * code is: "plugin 'x' (/path/libx.so), node type 'x.y'") must stay valid until leave; `node` and
 * `session` are copied (truncated to 255 bytes); either may be NULL with length 0. Sets up the
 * thread's alternate signal stack on first use. Calling thread only; not nested (a nested enter
 * replaces the text, and its leave clears it).
 */
void trellis_crash_enter(const char *origin, size_t origin_length, const char *node, size_t node_length,
                         const char *session, size_t session_length);

/** Ends the marking begun by trellis_crash_enter on the calling thread. */
void trellis_crash_leave(void);

#ifdef __cplusplus
}
#endif

#endif
