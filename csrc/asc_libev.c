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

/* Seconds until the loop's first timer is due (0: due), -1 with none: what an external
 * loop's driver (csrc/asc_async.h, asc_ev_run) arms its own timer for. libev has no public
 * call for it; its internals are in scope here only. */
double
asc_ev_next_timer(struct ev_loop* loop)
{
	if (loop->timercnt == 0) {
		return -1.0;
	}
	ev_tstamp due = ANHE_at(loop->timers[HEAP0]) - loop->mn_now;
	return due > 0 ? due : 0.0;
}

/* The descriptor of the loop's backend (epoll, kqueue), readable when the loop has work. */
int
asc_ev_backend_fd_of(struct ev_loop* loop)
{
	return loop->backend_fd;
}

/* After an EVRUN_NOWAIT iteration of a loop that another poller watches: have other threads'
 * ev_async_send write libev's pipe (making the backend descriptor readable), as libev does
 * only while it blocks in its own poll. True when a send came meanwhile and was not written
 * (the caller runs the loop again). */
int
asc_ev_want_wakeups(struct ev_loop* loop)
{
	loop->pipe_write_wanted = 1;
	ECB_MEMORY_FENCE;
	return loop->pipe_write_skipped != 0;
}

/* libev recreates its backend when told the process forked (ev_loop_fork) and also by itself,
 * after an epoll_ctl error (epoll_poll's "recreate kernel state": e.g. EBADF on a pooled
 * connection that as_event_node_destroy closed on another thread meanwhile): epoll_fork closes
 * the backend descriptor and makes a new one, often under the same number. A fork watcher
 * runs just before; a poller watching the old descriptor must watch the new one. */
static ev_fork asc_ev_fork_watcher;
static unsigned int asc_ev_replaced;  /* how many times, ever */

static void
asc_ev_on_fork(struct ev_loop* loop, ev_fork* w, int revents)
{
	(void)loop;
	(void)w;
	(void)revents;
	__atomic_add_fetch(&asc_ev_replaced, 1, __ATOMIC_RELEASE);
}

/* Have the loop count each new backend descriptor (asc_ev_backend_generation); the watcher does
 * not keep ev_run running (ev_unref). */
void
asc_ev_watch_backend(struct ev_loop* loop)
{
	ev_fork_init(&asc_ev_fork_watcher, asc_ev_on_fork);
	ev_fork_start(loop, &asc_ev_fork_watcher);
	ev_unref(loop);
}

/* How many times the backend descriptor was replaced (nothing is cleared: a watcher
 * interrupted as it moved sees the same count again and moves again). */
unsigned int
asc_ev_backend_generation_of(void)
{
	return __atomic_load_n(&asc_ev_replaced, __ATOMIC_ACQUIRE);
}
