// Linux's epoll, eventfd and timerfd, which Swift's Glibc module does not include, for the
// HTTP client's event loop (Sources/TrellisProviders/HTTP/HTTPEventLoop.swift) and the shared
// timer (Sources/TrellisCore/SharedTimer.swift). Part of the C library: nothing to link, no
// Debian package beyond libc6-dev.
//
// Threads: an epoll descriptor may be waited on by one thread while others add or remove
// descriptors (the loop does all of that on its own thread); an eventfd may be written from
// any thread; the timer's timerfd is armed and read by its own thread only. Lifetimes: the
// loop's descriptors belong to the loop, which closes them when it stops; the timer's live
// as long as the process.
#ifndef TRELLIS_CEPOLL_SHIM_H
#define TRELLIS_CEPOLL_SHIM_H

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>

#endif
