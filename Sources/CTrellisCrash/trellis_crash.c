#define _GNU_SOURCE
#include "trellis_crash.h"

#include <dlfcn.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

enum { TEXT_LIMIT = 600, ALT_STACK_SIZE = 64 * 1024 };

/* What the calling thread is running; read only by the signal handler on the same thread. The
 * text buffer is filled by `describe` in the handler. */
typedef struct crash_slot {
    bool active;
    bool alt_stack_ready;
    const char *origin;
    size_t origin_length;
    trellis_crash_describe_fn describe;
    const void *subject;
    char text[TEXT_LIMIT];
} crash_slot;

static __thread crash_slot slot;

static const int fatal_signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};
enum { FATAL_SIGNAL_COUNT = sizeof fatal_signals / sizeof fatal_signals[0] };
static struct sigaction previous[FATAL_SIGNAL_COUNT];
static atomic_bool installed;

static void put(const char *text, size_t length) {
    while (length > 0) {
        ssize_t written = write(STDERR_FILENO, text, length);
        if (written <= 0) return;
        text += written;
        length -= (size_t)written;
    }
}

static void put_text(const char *text) { put(text, strlen(text)); }

static const char *signal_name(int signal_number) {
    switch (signal_number) {
    case SIGSEGV: return "SIGSEGV";
    case SIGBUS: return "SIGBUS";
    case SIGILL: return "SIGILL";
    case SIGFPE: return "SIGFPE";
    case SIGABRT: return "SIGABRT";
    default: return "a fatal signal";
    }
}

static void on_fatal_signal(int signal_number, siginfo_t *info, void *context) {
    (void)context;
    if (slot.active) {
        put_text("\ntrellis: fatal signal ");
        put_text(signal_name(signal_number));
        put_text(" in plugin code: ");
        put(slot.origin, slot.origin_length);
        if (slot.describe != NULL) {
            size_t length = slot.describe(slot.subject, slot.text, TEXT_LIMIT);
            put(slot.text, length > TEXT_LIMIT ? TEXT_LIMIT : length);
        }
        put_text("\ntrellis: in-process plugins share the host's fate; the process ends now\n");
        slot.active = false;
    }
    for (int index = 0; index < FATAL_SIGNAL_COUNT; index++) {
        if (fatal_signals[index] == signal_number) sigaction(signal_number, &previous[index], NULL);
    }
    /* A fault (si_code > 0) happens again when the handler returns, now under the previous
     * handler; a signal sent by abort/raise/kill is sent again. */
    if (info == NULL || info->si_code <= 0) raise(signal_number);
}

void trellis_crash_install(void) {
    bool expected = false;
    if (!atomic_compare_exchange_strong(&installed, &expected, true)) return;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = on_fatal_signal;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    for (int index = 0; index < FATAL_SIGNAL_COUNT; index++) {
        sigaction(fatal_signals[index], &action, &previous[index]);
    }
}

/* Gives the thread an alternate signal stack (unless it has one), so that a stack overflow in
 * plugin code is still reported. The stack lives as long as the thread's slot: a pool thread. */
static void ensure_alt_stack(void) {
    slot.alt_stack_ready = true;
    stack_t current;
    if (sigaltstack(NULL, &current) == 0 && !(current.ss_flags & SS_DISABLE)) return;
    void *memory = mmap(NULL, ALT_STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) return;
    stack_t stack = {.ss_sp = memory, .ss_flags = 0, .ss_size = ALT_STACK_SIZE};
    if (sigaltstack(&stack, NULL) != 0) munmap(memory, ALT_STACK_SIZE);
}

void trellis_crash_enter(const char *origin, size_t origin_length, trellis_crash_describe_fn describe,
                         const void *subject) {
    if (!slot.alt_stack_ready) ensure_alt_stack();
    /* Inactive while the fields change (a nested enter): a signal in between reports nothing
     * rather than a mix of two markings. */
    slot.active = false;
    atomic_signal_fence(memory_order_seq_cst);
    slot.origin = origin;
    slot.origin_length = origin_length;
    slot.describe = describe;
    slot.subject = subject;
    /* The handler runs on this thread: keep the compiler from moving the writes above after this. */
    atomic_signal_fence(memory_order_release);
    slot.active = true;
}

void trellis_crash_leave(void) { slot.active = false; }

trellis_crash_marking trellis_crash_current(void) {
    trellis_crash_marking marking = {slot.active, slot.origin, slot.origin_length, slot.describe, slot.subject};
    return marking;
}

void trellis_crash_restore(trellis_crash_marking saved) {
    slot.active = false;
    atomic_signal_fence(memory_order_seq_cst);
    slot.origin = saved.origin;
    slot.origin_length = saved.origin_length;
    slot.describe = saved.describe;
    slot.subject = saved.subject;
    atomic_signal_fence(memory_order_release);
    slot.active = saved.active;
}

void *trellis_crash_image_base(const void *address) {
    Dl_info info;
    if (dladdr(address, &info) == 0) return NULL;
    return info.dli_fbase;
}
