/*
 * libev (vendor/libev/, pinned in vendor/libev.json), compiled into the extension: the event
 * library under the C client's async API (its as_event_ev.c, built with EVENT_LIB=libev), so a
 * wheel needs no libev on the system. One translation unit, as libev is meant to be embedded;
 * the backends are chosen here rather than by libev's configure script.
 */
#define EV_STANDALONE 1
#define EV_USE_FLOOR 1
#define EV_USE_MONOTONIC 1
#define EV_USE_REALTIME 0
#define EV_USE_NANOSLEEP 1
#define EV_USE_SELECT 1
#define EV_USE_POLL 1
/* The C client watches sockets, timers and one ev_async per loop; no signals, files or AIO. */
#define EV_USE_INOTIFY 0
#define EV_USE_SIGNALFD 0
#define EV_USE_TIMERFD 0
#define EV_USE_LINUXAIO 0
#define EV_USE_IOURING 0
#if defined(__linux__)
#define EV_USE_EPOLL 1
#define EV_USE_EVENTFD 1
#define EV_USE_CLOCK_SYSCALL 1
#elif defined(__APPLE__) || defined(__FreeBSD__)
#define EV_USE_KQUEUE 1
#endif

#if defined(__GNUC__)
#pragma GCC diagnostic ignored "-Wunused-value"
#pragma GCC diagnostic ignored "-Wcomment"
#pragma GCC diagnostic ignored "-Wparentheses"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wunused-variable"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wstrict-aliasing"
#endif

#include "ev.c"
