/*
 * The C client's async commands (aerospike_key_*_async on its libev event loops) completing
 * into a queue that Python drains in bulk.
 *
 * A command's listener runs on an event loop thread (a C thread, or the asyncio thread that
 * runs an external loop: asc_ev_run). Ours never touch Python: each appends a completion (the
 * id Python gave the command, its status, a copy of its as_error, and its result: the
 * as_record / as_val moved out of the C client's hands, or gen and ttl) to an asc_queue. The
 * first completion that finds the queue empty makes its file descriptor readable (an eventfd,
 * a pipe where there is none), unless the queue's own thread is running the loop and drains
 * next; Python (aio's drain(), below, or the dispatcher thread of the C-named API) takes
 * every completion waiting in one call and frees their memory. No event loop thread ever
 * waits for the GIL.
 *
 * Each submitted command counts itself in on the instance (asc_enter) and out in its listener,
 * so aerospike_close() refuses while commands are in flight (LifecycleError naming them).
 * The submit functions return ASC_BAD_INPUT (nothing sent: Python takes the general path),
 * ASC_BUSY / ASC_DEAD / ASC_NOT_CONNECTED / ASC_NO_EVENT_LOOPS (nothing counted), the error the C client returned
 * (its listener is then never called, as in C) or AEROSPIKE_OK (the listener will be).
 * Declared for cffi in cdefs/asc_async.h.
 */
#pragma once

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/eventfd.h>
#include <sys/prctl.h>
#endif
#include <aerospike/aerospike_key.h>
#include <aerospike/aerospike_stats.h>
#include <aerospike/as_async_proto.h>
#include <aerospike/as_event.h>
#include <aerospike/as_event_internal.h>
#include <aerospike/as_log_macros.h>
#include <aerospike/as_monitor.h>
#include <aerospike/as_tls.h>
#include "asc_key.h"

/* What a completion carries besides its status. */
/* The instance connected before the event loops were created: it cannot run async commands. */
#define ASC_NO_EVENT_LOOPS -1005

#define ASC_RESULT_NONE 0    /* writes, removes */
#define ASC_RESULT_META 3    /* gen, ttl (exists) */
#define ASC_RESULT_RECORD 4  /* ptr: an as_record* now Python's (as_record_destroy), its key's
                              * digest the command's */
#define ASC_RESULT_VALUE 5   /* ptr: an as_val* now Python's (as_val_destroy) */

typedef struct {
	uint64_t id;
	int32_t status;
	uint32_t size;
	uint8_t* data;
	void* ptr;
	as_error* err;
	as_event_loop* event_loop;
	uint32_t gen;
	uint32_t ttl;
} asc_completion;

typedef struct {
	pthread_mutex_t lock;
	asc_completion* items;
	uint32_t count;
	uint32_t capacity;
	int read_fd;
	int write_fd;
	bool signalled;
	bool failed;  /* out of memory for a completion: Python reports it */
	bool owned;       /* asc_queue_own(): owner drains it after each external loop run */
	pthread_t owner;
} asc_queue;

/* Set while this thread runs an external event loop (asc_ev_run): completions it queues for
 * its own queues need no wakeup, as it drains them next. */
static __thread bool asc_ev_in_run;

/* A queue with its wakeup descriptor; NULL when none could be made. */
static asc_queue*
asc_queue_new(void)
{
	asc_queue* q = (asc_queue*)cf_calloc(1, sizeof(asc_queue));
	if (q == NULL) {
		return NULL;
	}
#if defined(__linux__)
	q->read_fd = q->write_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (q->read_fd < 0) {
		cf_free(q);
		return NULL;
	}
#else
	int fds[2];
	if (pipe(fds) != 0) {
		cf_free(q);
		return NULL;
	}
	for (int i = 0; i < 2; i++) {
		fcntl(fds[i], F_SETFL, fcntl(fds[i], F_GETFL) | O_NONBLOCK);
		fcntl(fds[i], F_SETFD, FD_CLOEXEC);
	}
	q->read_fd = fds[0];
	q->write_fd = fds[1];
#endif
	pthread_mutex_init(&q->lock, NULL);
	return q;
}

static int
asc_queue_fd(asc_queue* q)
{
	return q->read_fd;
}

/* The calling thread runs an external event loop (asc_ev_run) and drains q after each run:
 * completions that run queues into q need no wakeup of its descriptor. */
static void
asc_queue_own(asc_queue* q)
{
	q->owner = pthread_self();
	q->owned = true;
}

static void
asc_completion_free(asc_completion* c)
{
	cf_free(c->data);
	cf_free(c->err);
	if (c->ptr != NULL) {
		/* Never handed to Python (a queue destroyed with completions in it). */
		as_val_destroy((as_val*)c->ptr);
	}
}

/* Free the queue and what waits in it; only once no command can complete into it. */
static void
asc_queue_destroy(asc_queue* q)
{
	for (uint32_t i = 0; i < q->count; i++) {
		asc_completion_free(&q->items[i]);
	}
	cf_free(q->items);
	close(q->read_fd);
	if (q->write_fd != q->read_fd) {
		close(q->write_fd);
	}
	pthread_mutex_destroy(&q->lock);
	cf_free(q);
}

/* Append c (an event loop thread); wake the reader if the queue was not signalled yet (and
 * it is not owned by the thread running the loop: asc_queue_own, asc_ev_run). */
static void
asc_queue_push(asc_queue* q, const asc_completion* c)
{
	pthread_mutex_lock(&q->lock);
	if (q->count == q->capacity) {
		uint32_t capacity = q->capacity ? q->capacity * 2 : 256;
		asc_completion* items = (asc_completion*)cf_realloc(q->items, capacity * sizeof(asc_completion));
		if (items == NULL) {
			/* The completion is lost: Python fails every command in flight (asc_queue_failed). */
			q->failed = true;
			pthread_mutex_unlock(&q->lock);
			asc_completion copy = *c;
			asc_completion_free(&copy);
			return;
		}
		q->items = items;
		q->capacity = capacity;
	}
	q->items[q->count++] = *c;
	bool quiet = asc_ev_in_run && q->owned && pthread_equal(q->owner, pthread_self());
	bool wake = ! quiet && ! q->signalled;
	q->signalled = q->signalled || wake;
	pthread_mutex_unlock(&q->lock);
	if (wake) {
		uint64_t one = 1;
		ssize_t rv;
		do {
			rv = write(q->write_fd, &one, q->write_fd == q->read_fd ? sizeof(one) : 1);
		} while (rv < 0 && errno == EINTR);
	}
}

/* Move up to max completions into out; the count. The descriptor is cleared once the queue
 * is empty, so a reader woken by it finds at least what was there when it was written. */
static uint32_t
asc_queue_drain(asc_queue* q, asc_completion* out, uint32_t max)
{
	pthread_mutex_lock(&q->lock);
	uint32_t n = q->count < max ? q->count : max;
	memcpy(out, q->items, n * sizeof(asc_completion));
	q->count -= n;
	if (q->count > 0) {
		memmove(q->items, q->items + n, q->count * sizeof(asc_completion));
	}
	else if (q->signalled) {
		uint8_t scratch[64];
		while (read(q->read_fd, scratch, q->read_fd == q->write_fd ? 8 : sizeof(scratch)) > 0) {
		}
		q->signalled = false;
	}
	pthread_mutex_unlock(&q->lock);
	return n;
}

/* Free what n drained completions still hold (their ptr results are Python's by now). */
static void
asc_queue_release(asc_completion* items, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		cf_free(items[i].data);
		cf_free(items[i].err);
		items[i].data = NULL;
		items[i].err = NULL;
		items[i].ptr = NULL;
	}
}

/* Make the descriptor readable with nothing queued (to stop a thread waiting on it). */
static void
asc_queue_wake(asc_queue* q)
{
	uint64_t one = 1;
	pthread_mutex_lock(&q->lock);
	q->signalled = true;
	pthread_mutex_unlock(&q->lock);
	ssize_t rv = write(q->write_fd, &one, q->write_fd == q->read_fd ? sizeof(one) : 1);
	(void)rv;
}

static bool
asc_queue_failed(asc_queue* q)
{
	return __atomic_load_n(&q->failed, __ATOMIC_ACQUIRE);
}

/* Wait (GIL released) until the queue's descriptor is readable or timeout_ms passed. */
static int
asc_queue_wait(asc_queue* q, int timeout_ms)
{
	struct pollfd p = {.fd = q->read_fd, .events = POLLIN, .revents = 0};
	return poll(&p, 1, timeout_ms);
}

/* One command in flight: where it completes and what its listener keeps. */
typedef struct {
	asc_queue* q;
	asc_instance* inst;
	uint64_t id;
	uint8_t result;
	uint8_t digest[AS_DIGEST_VALUE_SIZE];
} asc_async_cmd;

static asc_async_cmd*
asc_async_cmd_new(asc_queue* q, asc_instance* inst, uint64_t id, uint8_t result, const as_key* key)
{
	asc_async_cmd* cmd = (asc_async_cmd*)cf_malloc(sizeof(asc_async_cmd));
	if (cmd != NULL) {
		cmd->q = q;
		cmd->inst = inst;
		cmd->id = id;
		cmd->result = result;
		if (key != NULL && key->digest.init) {
			memcpy(cmd->digest, key->digest.value, AS_DIGEST_VALUE_SIZE);
		}
		else {
			memset(cmd->digest, 0, AS_DIGEST_VALUE_SIZE);
		}
	}
	return cmd;
}

/* Count the command out and queue its completion. */
static void
asc_async_finish(asc_async_cmd* cmd, as_error* err, asc_completion* c, as_event_loop* event_loop)
{
	c->id = cmd->id;
	c->event_loop = event_loop;
	if (err != NULL) {
		c->status = err->code;
		if ((c->err = (as_error*)cf_malloc(sizeof(as_error))) != NULL) {
			as_error_copy(c->err, err);
		}
	}
	/* Counted out first: whoever sees the completion may close the instance at once. */
	asc_exit(cmd->inst);
	asc_queue_push(cmd->q, c);
	cf_free(cmd);
}

/* The record's bins moved into a record of Python's: the C client destroys an empty one. */
static as_record*
asc_record_take(as_record* rec, const uint8_t* digest)
{
	uint16_t n = rec->bins.size;
	as_record* own = as_record_new(n);
	if (own == NULL) {
		return NULL;
	}
	memcpy(own->key.digest.value, digest, AS_DIGEST_VALUE_SIZE);
	own->key.digest.init = true;
	own->gen = rec->gen;
	own->ttl = rec->ttl;
	for (uint16_t i = 0; i < n; i++) {
		as_bin* from = &rec->bins.entries[i];
		as_bin* to = &own->bins.entries[i];
		*to = *from;
		if (from->valuep == &from->value) {
			to->valuep = &to->value;
		}
	}
	own->bins.size = n;
	rec->bins.size = 0;
	return own;
}

static void
asc_on_record(as_error* err, as_record* rec, void* udata, as_event_loop* event_loop)
{
	asc_async_cmd* cmd = (asc_async_cmd*)udata;
	asc_completion c = {0};
	if (err == NULL) {
		switch (cmd->result) {
		case ASC_RESULT_META:
			c.gen = rec ? rec->gen : 0;
			c.ttl = rec ? rec->ttl : 0;
			break;
		case ASC_RESULT_RECORD:
			if (rec != NULL && (c.ptr = asc_record_take(rec, cmd->digest)) == NULL) {
				c.status = AEROSPIKE_ERR_CLIENT;
			}
			break;
		}
	}
	asc_async_finish(cmd, err, &c, event_loop);
}

static void
asc_on_write(as_error* err, void* udata, as_event_loop* event_loop)
{
	asc_completion c = {0};
	asc_async_finish((asc_async_cmd*)udata, err, &c, event_loop);
}

static void
asc_on_value(as_error* err, as_val* val, void* udata, as_event_loop* event_loop)
{
	asc_completion c = {0};
	if (err == NULL && val != NULL) {
		c.ptr = as_val_reserve(val);
	}
	asc_async_finish((asc_async_cmd*)udata, err, &c, event_loop);
}

/* Count the command in and make its listener's state; AEROSPIKE_OK or why not (nothing
 * counted). */
static as_status
asc_async_start(asc_instance* inst, asc_queue* q, uint64_t id, uint8_t result,
	const as_key* key, asc_async_cmd** out)
{
	int status = asc_enter(inst);
	if (status != 0) {
		return (as_status)status;
	}
	if (inst->ptr->cluster == NULL) {
		asc_exit(inst);
		return ASC_NOT_CONNECTED;
	}
	if (inst->ptr->cluster->event_state == NULL || as_event_loop_size == 0) {
		/* Connected before as_event_create_loops() (the cluster has no async state: C would
		 * crash on the event loop thread), or the loops were closed since. */
		asc_exit(inst);
		return ASC_NO_EVENT_LOOPS;
	}
	if ((*out = asc_async_cmd_new(q, inst, id, result, key)) == NULL) {
		asc_exit(inst);
		return ASC_BAD_OUTPUT;
	}
	return AEROSPIKE_OK;
}

/* After the C call: on an error it returned, its listener never runs: undo the start. */
static as_status
asc_async_submitted(as_status status, asc_async_cmd* cmd)
{
	if (status != AEROSPIKE_OK) {
		asc_exit(cmd->inst);
		cf_free(cmd);
	}
	return status;
}

/* -- The C-named commands, on as_key / as_record / as_operations of the bindings. -- */

#define ASC_ASYNC_GET 0
#define ASC_ASYNC_SELECT 1
#define ASC_ASYNC_EXISTS 2
#define ASC_ASYNC_PUT 3
#define ASC_ASYNC_REMOVE 4
#define ASC_ASYNC_OPERATE 5

/* aerospike_key_<kind>_async() of one key, completing into q as `result` says. arg: the bin
 * names (select, NULL-terminated), the as_record (put) or the as_operations (operate). */
static as_status
asc_async_key(asc_instance* inst, asc_queue* q, uint64_t id, as_error* err, int kind,
	const void* policy, const as_key* key, void* arg, uint8_t result, as_event_loop* event_loop)
{
	asc_async_cmd* cmd;
	/* The digest now (C computes it in the call anyway): the listener's result carries it. */
	as_status status = as_key_set_digest(err, (as_key*)key);
	if (status != AEROSPIKE_OK) {
		return status;
	}
	status = asc_async_start(inst, q, id, result, key, &cmd);
	if (status != AEROSPIKE_OK) {
		return status;
	}
	aerospike* as = inst->ptr;
	switch (kind) {
	case ASC_ASYNC_GET:
		status = aerospike_key_get_async(as, err, (const as_policy_read*)policy, key,
			asc_on_record, cmd, event_loop, NULL);
		break;
	case ASC_ASYNC_SELECT:
		status = aerospike_key_select_async(as, err, (const as_policy_read*)policy, key,
			(const char**)arg, asc_on_record, cmd, event_loop, NULL);
		break;
	case ASC_ASYNC_EXISTS:
		status = aerospike_key_exists_async(as, err, (const as_policy_read*)policy, key,
			asc_on_record, cmd, event_loop, NULL);
		break;
	case ASC_ASYNC_PUT:
		status = aerospike_key_put_async(as, err, (const as_policy_write*)policy, key,
			(as_record*)arg, asc_on_write, cmd, event_loop, NULL);
		break;
	case ASC_ASYNC_REMOVE:
		status = aerospike_key_remove_async(as, err, (const as_policy_remove*)policy, key,
			asc_on_write, cmd, event_loop, NULL);
		break;
	case ASC_ASYNC_OPERATE:
		status = aerospike_key_operate_async(as, err, (const as_policy_operate*)policy, key,
			(const as_operations*)arg, asc_on_record, cmd, event_loop, NULL);
		break;
	default:
		status = as_error_set_message(err, AEROSPIKE_ERR_PARAM, "unknown async command");
	}
	return asc_async_submitted(status, cmd);
}

/* aerospike_key_apply_async(): the UDF's result as an as_val of Python's. */
static as_status
asc_async_apply(asc_instance* inst, asc_queue* q, uint64_t id, as_error* err,
	const as_policy_apply* policy, const as_key* key, const char* module, const char* function,
	as_list* arglist, as_event_loop* event_loop)
{
	asc_async_cmd* cmd;
	as_status status = as_key_set_digest(err, (as_key*)key);
	if (status != AEROSPIKE_OK) {
		return status;
	}
	status = asc_async_start(inst, q, id, ASC_RESULT_VALUE, key, &cmd);
	if (status != AEROSPIKE_OK) {
		return status;
	}
	status = aerospike_key_apply_async(inst->ptr, err, policy, key, module, function, arglist,
		asc_on_value, cmd, event_loop, NULL);
	return asc_async_submitted(status, cmd);
}

/* -- aio's commands on Python objects: csrc/asc_key.h's readers and result builders --
 *
 * The same CPython-function form as the sync fast paths (bindings/_async.py exports them):
 *
 *     get(as_, q, id, policy, key, exists)                    -> True | None
 *     put(as_, q, id, policy, key, bins, ttl, gen)            -> True | None
 *     remove(as_, q, id, policy, key)                         -> True | None
 *     operate(as_, q, id, policy, key, ops, ttl, gen)         -> True | None
 *     drain(q, pending, other)                                -> completions handled
 *
 * q is the asc_queue's address, id the command's id in `pending` (a dict id -> (future,
 * result kind, key)). True: sent, its completion will come; None: not an input these take
 * (asc_key.h's readers refused it), nothing was sent: the caller takes the general path.
 * The C client serialises the command in the submit call, so the key, bins and operations
 * are read in place as the sync path reads them and need not outlive it. A submit failure
 * raises what `setup`'s submit_failure(as_, what, status, err_address) returns; drain()
 * builds each result with asc_key.h's Record/meta builders, and sets it (or the exception
 * completion_failure(status, err_address) returns) on the future unless that is done
 * (cancelled: the result is dropped). */

#define ASC_AIO_NONE 0     /* put, remove: None */
#define ASC_AIO_RECORD 1   /* get, operate: a Record */
#define ASC_AIO_ORDERED 2  /* operate_ordered: (key, meta, [(bin, value), ...]) */
#define ASC_AIO_META 3     /* exists: {"gen", "ttl"}, None when there is no record */

static PyObject* asc_py_submit_failure;      /* submit_failure(as_, what, status, err_address) */
static PyObject* asc_py_completion_failure;  /* completion_failure(status, err_address) */
static PyObject* asc_py_s_done;
static PyObject* asc_py_s_set_result;
static PyObject* asc_py_s_set_exception;

/* A submit's policy: None (NULL), the address of the policy struct (an int: aio's policy
 * with filter_exp or txn set, made and checked by the Python side), or a policy view. */
static bool
asc_py_async_policy(PyObject* policy, const char* ctype, const void** out)
{
	if (PyLong_CheckExact(policy)) {
		*out = PyLong_AsVoidPtr(policy);
		return ! PyErr_Occurred();
	}
	return asc_py_policy_ptr(policy, ctype, out);
}

/* Send one command (the GIL held: C only queues it, or on an external loop writes it to a
 * socket without blocking): True, or NULL with the submit failure raised. */
static PyObject*
asc_py_async_send(PyObject* as_, asc_instance* inst, PyObject* q_addr, PyObject* id_obj,
	int kind, const void* policy, const as_key* key, void* arg, uint8_t result, const char* what)
{
	as_error err;
	as_error_init(&err);
	asc_queue* q = (asc_queue*)PyLong_AsVoidPtr(q_addr);
	uint64_t id = PyLong_AsUnsignedLongLong(id_obj);
	if (PyErr_Occurred()) {
		return NULL;
	}
	as_status status = asc_async_key(inst, q, id, &err, kind, policy, key, arg, result, NULL);
	if (status != AEROSPIKE_OK) {
		PyObject* exc = PyObject_CallFunction(asc_py_submit_failure, "OsiK", as_, what,
			(int)status, (unsigned long long)(uintptr_t)&err);
		if (exc != NULL) {
			PyErr_SetObject((PyObject*)Py_TYPE(exc), exc);
			Py_DECREF(exc);
		}
		return NULL;
	}
	Py_RETURN_TRUE;
}

/* get(as_, q, id, policy, key, exists): aerospike_key_get_async / _exists_async. */
static PyObject*
asc_py_aget(PyObject* self, PyObject* args)
{
	PyObject* a[6];
	asc_instance* inst;
	const void* policy;
	as_key key;
	(void)self;
	if (! asc_py_args(args, 6, a)) {
		return NULL;
	}
	if (! asc_py_start(a[0], a[4], &inst, &key)) {
		Py_RETURN_NONE;
	}
	PyObject* out = NULL;
	if (asc_py_async_policy(a[3], "as_policy_read", &policy)) {
		bool exists = PyObject_IsTrue(a[5]) == 1;
		out = asc_py_async_send(a[0], inst, a[1], a[2], exists ? ASC_ASYNC_EXISTS : ASC_ASYNC_GET,
			policy, &key, NULL, exists ? ASC_RESULT_META : ASC_RESULT_RECORD,
			exists ? "aerospike_key_exists_async" : "aerospike_key_get_async");
	}
	as_key_destroy(&key);
	return out;
}

/* select(as_, q, id, policy, key, bins): aerospike_key_select_async of a list of bin
 * names (str, at most ASC_SELECT_MAX, each a valid bin name); anything else: None (the
 * general path, which raises what the sync select raises). C copies the names into the
 * command before it returns, so pointing at the str objects' UTF-8 is enough. */
#define ASC_SELECT_MAX 64

static PyObject*
asc_py_aselect(PyObject* self, PyObject* args)
{
	PyObject* a[6];
	asc_instance* inst;
	const void* policy;
	as_key key;
	const char* names[ASC_SELECT_MAX + 1];
	(void)self;
	if (! asc_py_args(args, 6, a)) {
		return NULL;
	}
	if (! PyList_CheckExact(a[5]) || PyList_Size(a[5]) == 0 || PyList_Size(a[5]) > ASC_SELECT_MAX) {
		Py_RETURN_NONE;
	}
	Py_ssize_t n = PyList_Size(a[5]);
	for (Py_ssize_t i = 0; i < n; i++) {
		PyObject* name = PyList_GetItem(a[5], i);  /* borrowed */
		Py_ssize_t size;
		const char* text = asc_py_text(name, AS_BIN_NAME_MAX_LEN, false, &size);
		if (text == NULL || size == 0) {
			Py_RETURN_NONE;
		}
		names[i] = text;
	}
	names[n] = NULL;
	if (! asc_py_start(a[0], a[4], &inst, &key)) {
		Py_RETURN_NONE;
	}
	PyObject* out = NULL;
	if (asc_py_async_policy(a[3], "as_policy_read", &policy)) {
		out = asc_py_async_send(a[0], inst, a[1], a[2], ASC_ASYNC_SELECT, policy, &key,
			(void*)names, ASC_RESULT_RECORD, "aerospike_key_select_async");
	}
	as_key_destroy(&key);
	return out;
}

/* remove(as_, q, id, policy, key): aerospike_key_remove_async. */
static PyObject*
asc_py_aremove(PyObject* self, PyObject* args)
{
	PyObject* a[5];
	asc_instance* inst;
	const void* policy;
	as_key key;
	(void)self;
	if (! asc_py_args(args, 5, a)) {
		return NULL;
	}
	if (! asc_py_start(a[0], a[4], &inst, &key)) {
		Py_RETURN_NONE;
	}
	PyObject* out = NULL;
	if (asc_py_async_policy(a[3], "as_policy_remove", &policy)) {
		out = asc_py_async_send(a[0], inst, a[1], a[2], ASC_ASYNC_REMOVE, policy, &key, NULL,
			ASC_RESULT_NONE, "aerospike_key_remove_async");
	}
	as_key_destroy(&key);
	return out;
}

/* put(as_, q, id, policy, key, bins, ttl, gen): aerospike_key_put_async of a dict of bins. */
static PyObject*
asc_py_aput(PyObject* self, PyObject* args)
{
	PyObject* a[8];
	asc_instance* inst;
	const void* policy;
	as_key key;
	as_record rec;
	uint32_t ttl;
	uint16_t gen;
	(void)self;
	if (! asc_py_args(args, 8, a)) {
		return NULL;
	}
	if (! PyDict_CheckExact(a[5]) || PyDict_Size(a[5]) > UINT16_MAX ||
			! asc_py_ttl_gen(a[6], a[7], &ttl, &gen) || ! asc_py_start(a[0], a[4], &inst, &key)) {
		Py_RETURN_NONE;
	}
	as_record_init(&rec, (uint16_t)PyDict_Size(a[5]));
	PyObject* out = NULL;
	if (! asc_py_set_bins(&rec, a[5])) {
		out = (Py_INCREF(Py_None), Py_None);
	}
	else if (asc_py_async_policy(a[3], "as_policy_write", &policy)) {
		rec.ttl = ttl;
		rec.gen = gen;
		out = asc_py_async_send(a[0], inst, a[1], a[2], ASC_ASYNC_PUT, policy, &key, &rec,
			ASC_RESULT_NONE, "aerospike_key_put_async");
	}
	as_record_destroy(&rec);
	as_key_destroy(&key);
	return out;
}

/* operate(as_, q, id, policy, key, ops, ttl, gen): aerospike_key_operate_async of a list of
 * the Client's Operations (the simple ones, as the sync operate takes). */
static PyObject*
asc_py_aoperate(PyObject* self, PyObject* args)
{
	PyObject* a[8];
	asc_instance* inst;
	const void* policy;
	as_key key;
	as_operations ops;
	uint32_t ttl;
	uint16_t gen;
	(void)self;
	if (! asc_py_args(args, 8, a)) {
		return NULL;
	}
	if (! PyList_CheckExact(a[5]) || PyList_Size(a[5]) > UINT16_MAX ||
			! asc_py_ttl_gen(a[6], a[7], &ttl, &gen)) {
		Py_RETURN_NONE;
	}
	Py_ssize_t n = PyList_Size(a[5]);
	as_operations_init(&ops, (uint16_t)n);
	for (Py_ssize_t i = 0; i < n; i++) {
		if (! asc_py_operation(PyList_GetItem(a[5], i), &ops)) {
			as_operations_destroy(&ops);
			Py_RETURN_NONE;
		}
	}
	if (! asc_py_start(a[0], a[4], &inst, &key)) {
		as_operations_destroy(&ops);
		Py_RETURN_NONE;
	}
	PyObject* out = NULL;
	if (asc_py_async_policy(a[3], "as_policy_operate", &policy)) {
		ops.ttl = ttl;
		ops.gen = gen;
		out = asc_py_async_send(a[0], inst, a[1], a[2], ASC_ASYNC_OPERATE, policy, &key, &ops,
			ASC_RESULT_RECORD, "aerospike_key_operate_async");
	}
	as_operations_destroy(&ops);
	as_key_destroy(&key);
	return out;
}

/* The result of one successful completion as `kind` says (a new reference; NULL: an
 * exception set). Takes the completion's record. */
static PyObject*
asc_py_completion_result(asc_completion* c, long kind, PyObject* key_obj)
{
	as_record* rec = (as_record*)c->ptr;
	PyObject* out;
	c->ptr = NULL;
	switch (kind) {
	case ASC_AIO_RECORD:
	case ASC_AIO_ORDERED:
		out = asc_py_record(key_obj, rec ? &rec->key : NULL, rec, kind == ASC_AIO_ORDERED);
		break;
	case ASC_AIO_META:
		out = asc_py_meta(c->gen, c->ttl);
		break;
	default:
		out = (Py_INCREF(Py_None), Py_None);
	}
	if (rec != NULL) {
		as_record_destroy(rec);
	}
	return out;
}

/* fut.set_result(value) or fut.set_exception(value), unless fut is done; false: an
 * exception set. Steals value. */
static bool
asc_py_settle(PyObject* fut, PyObject* name, PyObject* value)
{
	PyObject* done = PyObject_CallMethodObjArgs(fut, asc_py_s_done, NULL);
	int is_done = done ? PyObject_IsTrue(done) : -1;
	Py_XDECREF(done);
	PyObject* r = is_done == 0 ? PyObject_CallMethodObjArgs(fut, name, value, NULL) : NULL;
	Py_DECREF(value);
	Py_XDECREF(r);
	return is_done == 1 || r != NULL;
}

/* The exception a failed completion carries (a new reference, or NULL). */
static PyObject*
asc_py_completion_exception(asc_completion* c)
{
	as_error none;
	as_error* err = c->err;
	if (err == NULL) {
		as_error_init(&none);
		as_error_set_message(&none, (as_status)c->status, "no memory for the error's text");
		err = &none;
	}
	return PyObject_CallFunction(asc_py_completion_failure, "iK", (int)c->status,
		(unsigned long long)(uintptr_t)err);
}

/* Settle one completion's future (entry: (future, kind, key)); false: an exception set. */
static bool
asc_py_complete_one(asc_completion* c, PyObject* entry)
{
	PyObject* fut = PyTuple_GetItem(entry, 0);
	long kind = PyLong_AsLong(PyTuple_GetItem(entry, 1));
	PyObject* key_obj = PyTuple_GetItem(entry, 2);
	if (c->status == AEROSPIKE_OK) {
		PyObject* value = asc_py_completion_result(c, kind, key_obj);
		if (value != NULL) {
			return asc_py_settle(fut, asc_py_s_set_result, value);
		}
		/* A value with no Python form: the future gets the exception. */
		PyObject *type, *exc, *tb;
		PyErr_Fetch(&type, &exc, &tb);
		PyErr_NormalizeException(&type, &exc, &tb);
		Py_XDECREF(type);
		Py_XDECREF(tb);
		return exc != NULL && asc_py_settle(fut, asc_py_s_set_exception, exc);
	}
	if (c->status == AEROSPIKE_ERR_RECORD_NOT_FOUND && kind == ASC_AIO_META) {
		Py_INCREF(Py_None);
		return asc_py_settle(fut, asc_py_s_set_result, Py_None);
	}
	PyObject* exc = asc_py_completion_exception(c);
	return exc != NULL && asc_py_settle(fut, asc_py_s_set_exception, exc);
}

/* drain(q, pending, other): settle every waiting completion's future (pending: id ->
 * (future, kind, key[, release]), each entry removed); the count. An entry whose kind is not
 * an ASC_AIO_* int (batch, info, commit/abort, scan chunks) goes to other(entry, address of
 * the asc_completion), whose decoders read it and own its ptr. An entry's release, if any, is
 * called last (C no longer reads what it holds: aio's holds). An exception from a future's
 * method, from other or from release does not stop the drain (every completion taken is
 * settled or dropped); the first is raised after. */
static PyObject*
asc_py_adrain(PyObject* self, PyObject* args)
{
	PyObject* a[3];
	asc_completion items[256];
	Py_ssize_t total = 0;
	PyObject *type = NULL, *exc = NULL, *tb = NULL;
	(void)self;
	if (! asc_py_args(args, 3, a)) {
		return NULL;
	}
	asc_queue* q = (asc_queue*)PyLong_AsVoidPtr(a[0]);
	if (q == NULL || ! PyDict_CheckExact(a[1])) {
		PyErr_SetString(PyExc_TypeError, "drain(q, pending, other): a queue address and a dict");
		return NULL;
	}
	uint32_t n;
	do {
		n = asc_queue_drain(q, items, 256);
		for (uint32_t i = 0; i < n; i++) {
			asc_completion* c = &items[i];
			PyObject* id = PyLong_FromUnsignedLongLong(c->id);
			PyObject* entry = id ? PyDict_GetItem(a[1], id) : NULL;  /* borrowed */
			PyObject* release = NULL;
			bool ok = id != NULL;
			if (entry != NULL && PyTuple_Check(entry) && PyTuple_Size(entry) >= 3) {
				Py_INCREF(entry);
				ok = PyDict_DelItem(a[1], id) == 0;
				if (ok && PyLong_CheckExact(PyTuple_GetItem(entry, 1))) {
					ok = asc_py_complete_one(c, entry);
				}
				else if (ok) {
					PyObject* r = PyObject_CallFunction(a[2], "OK", entry,
						(unsigned long long)(uintptr_t)c);
					ok = r != NULL;
					Py_XDECREF(r);
					c->ptr = NULL;  /* the decoder's now */
				}
				if (PyTuple_Size(entry) > 3) {
					release = PyTuple_GetItem(entry, 3);
					Py_INCREF(release);
				}
				Py_DECREF(entry);
			}
			Py_XDECREF(id);
			if (! ok) {
				if (exc == NULL && type == NULL) {
					PyErr_Fetch(&type, &exc, &tb);
				}
				PyErr_Clear();
			}
			if (release != NULL) {
				PyObject* r = PyObject_CallObject(release, NULL);
				Py_DECREF(release);
				if (r == NULL && exc == NULL && type == NULL) {
					PyErr_Fetch(&type, &exc, &tb);
				}
				PyErr_Clear();
				Py_XDECREF(r);
			}
			if (c->ptr != NULL) {
				as_val_destroy((as_val*)c->ptr);  /* not settled: the record is dropped */
				c->ptr = NULL;
			}
		}
		asc_queue_release(items, n);
		total += n;
	} while (n == 256);
	if (type != NULL) {
		PyErr_Restore(type, exc, tb);
		return NULL;
	}
	if (asc_queue_failed(q)) {
		PyErr_SetString(PyExc_MemoryError, "the async completion queue ran out of memory: "
			"completions were lost (their commands' awaits never finish)");
		return NULL;
	}
	return PyLong_FromSsize_t(total);
}

/* setup(submit_failure, completion_failure). */
static PyObject*
asc_py_async_setup(PyObject* self, PyObject* args)
{
	PyObject* a[2];
	(void)self;
	if (! asc_py_args(args, 2, a)) {
		return NULL;
	}
	PyObject** slots[2] = {&asc_py_submit_failure, &asc_py_completion_failure};
	for (int i = 0; i < 2; i++) {
		PyObject* old = *slots[i];
		Py_INCREF(a[i]);
		*slots[i] = a[i];
		Py_XDECREF(old);
	}
	if (asc_py_s_done == NULL) {
		asc_py_s_done = PyUnicode_InternFromString("done");
		asc_py_s_set_result = PyUnicode_InternFromString("set_result");
		asc_py_s_set_exception = PyUnicode_InternFromString("set_exception");
		if (! asc_py_s_done || ! asc_py_s_set_result || ! asc_py_s_set_exception) {
			return NULL;
		}
	}
	Py_RETURN_NONE;
}

static PyMethodDef asc_py_async_methods[] = {
	{"setup", asc_py_async_setup, METH_VARARGS,
		"setup(submit_failure, completion_failure)"},
	{"get", asc_py_aget, METH_VARARGS,
		"get(as_, q, id, policy, key, exists): aerospike_key_get_async (or _exists_async); "
		"True: sent, None: the general path"},
	{"select", asc_py_aselect, METH_VARARGS,
		"select(as_, q, id, policy, key, bins): aerospike_key_select_async; True or None"},
	{"put", asc_py_aput, METH_VARARGS,
		"put(as_, q, id, policy, key, bins, ttl, gen): aerospike_key_put_async; True or None"},
	{"remove", asc_py_aremove, METH_VARARGS,
		"remove(as_, q, id, policy, key): aerospike_key_remove_async; True or None"},
	{"operate", asc_py_aoperate, METH_VARARGS,
		"operate(as_, q, id, policy, key, ops, ttl, gen): "
		"aerospike_key_operate_async; True or None"},
	{"drain", asc_py_adrain, METH_VARARGS,
		"drain(q, pending, other): settle the futures of the completions waiting; the count"},
	{NULL, NULL, 0, NULL},
};

/* The functions above into the module `name` (bindings/_async.py). */
static int
asc_async_export(const char* name)
{
	return asc_py_export(name, asc_py_async_methods);
}

/* -- Event loops -- */

/* -- An external libev loop, run by the thread that owns it (aerospike_c.aio's external
 * mode: the asyncio loop's thread, which watches its backend descriptor and its next timer,
 * so a command and its completion never cross a thread). -- */

/* csrc/asc_libev.c: what libev keeps in its internals. */
double asc_ev_next_timer(struct ev_loop* loop);
int asc_ev_backend_fd_of(struct ev_loop* loop);
int asc_ev_want_wakeups(struct ev_loop* loop);
void asc_ev_watch_backend(struct ev_loop* loop);
unsigned int asc_ev_backend_generation_of(void);

/* A libev loop whose backend descriptor another poller can watch (epoll, kqueue); NULL:
 * none on this platform. */
static void*
asc_ev_loop_new(void)
{
	unsigned int backends = ev_embeddable_backends() & ev_supported_backends();
	struct ev_loop* loop = backends ? ev_loop_new(backends) : NULL;
	if (loop != NULL) {
		asc_ev_watch_backend(loop);
	}
	return loop;
}

static int
asc_ev_backend_fd(void* loop)
{
	return asc_ev_backend_fd_of((struct ev_loop*)loop);
}

/* How many times libev replaced its backend descriptor, on any thread that ran the loop
 * (asc_ev_run, a close's asc_close_wait, a pump thread): once it differs from the count the
 * watcher last moved at, watch asc_ev_backend_fd's anew (the old one is closed; its number
 * is soon another descriptor's, or the new one's). */
static unsigned int
asc_ev_backend_generation(void)
{
	return asc_ev_backend_generation_of();
}

/* -- Who runs the external loop --
 *
 * libev is not thread-safe: one thread at a time may run the loop or start commands on it
 * directly (the C client does so on the thread event_loop->thread names). That is the asyncio
 * thread that owns it (aerospike_c.aio), or, once the asyncio loop that owned it is closed and
 * so can never run it again, either a sync close on that same thread (asc_close_wait) or a
 * pump thread (asc_ev_orphan) that runs it as the "threads" loop mode's threads run theirs,
 * until another asyncio loop adopts it (asc_ev_adopt stops and joins the pump first).
 * asc_ev_lock makes those three exclusive: a close pumps on its own thread only while it holds
 * it, and the pump thread is started and stopped under it. */
static pthread_mutex_t asc_ev_lock = PTHREAD_MUTEX_INITIALIZER;
static bool asc_ev_pumped;  /* a pump thread runs the loop (asc_ev_lock) */
static pthread_t asc_ev_pump;

static void
asc_ev_pump_break(as_event_loop* event_loop, void* udata)
{
	(void)udata;
	ev_break((struct ev_loop*)event_loop->loop, EVBREAK_ALL);
}

static void*
asc_ev_pump_main(void* udata)
{
	as_event_loop* event_loop = (as_event_loop*)udata;
#if defined(__linux__)
	prctl(PR_SET_NAME, "asc_ev_pump", 0, 0, 0);
#endif
	__atomic_store_n(&event_loop->thread, pthread_self(), __ATOMIC_RELEASE);
	/* Until asc_ev_pump_break (the loop's wake-up watcher keeps ev_run from returning). */
	ev_run((struct ev_loop*)event_loop->loop, 0);
	as_tls_thread_cleanup();
	return NULL;
}

/* The asyncio loop that ran the external loop is closed: run it on a thread of its own from
 * now on (nothing else would: a close from another thread, the reaper's included, waits for
 * it, as do the commands that loop left in flight). Waits for a close pumping it on its own
 * thread to end first. 0, or the pthread_create error (nothing changed). */
static int
asc_ev_orphan(as_event_loop* event_loop)
{
	int rv = 0;
	pthread_mutex_lock(&asc_ev_lock);
	if (! asc_ev_pumped) {
		/* Nobody's thread until the pump names itself: commands sent meanwhile are queued. */
		pthread_t before = event_loop->thread;
		memset(&event_loop->thread, 0, sizeof(pthread_t));
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		rv = pthread_create(&asc_ev_pump, NULL, asc_ev_pump_main, event_loop);
		if (rv == 0) {
			asc_ev_pumped = true;
		}
		else {
			event_loop->thread = before;
		}
	}
	pthread_mutex_unlock(&asc_ev_lock);
	return rv;
}

/* The calling thread (an asyncio loop's) runs the loop from now on: a pump thread is stopped
 * and joined first; commands this thread sends start at once again, as from a loop's own
 * thread. */
static void
asc_ev_adopt(as_event_loop* event_loop)
{
	pthread_mutex_lock(&asc_ev_lock);
	if (asc_ev_pumped) {
		if (as_event_execute(event_loop, asc_ev_pump_break, NULL)) {
			pthread_join(asc_ev_pump, NULL);
		}
		else {
			/* Out of memory for the queue: the pump stays (it runs the loop, safely). */
			pthread_mutex_unlock(&asc_ev_lock);
			return;
		}
		asc_ev_pumped = false;
	}
	event_loop->thread = pthread_self();
	pthread_mutex_unlock(&asc_ev_lock);
}

/* Whether a pump thread runs the loop (asc_ev_orphan). */
static bool
asc_ev_is_pumped(void)
{
	pthread_mutex_lock(&asc_ev_lock);
	bool pumped = asc_ev_pumped;
	pthread_mutex_unlock(&asc_ev_lock);
	return pumped;
}

/* One iteration that does not block (EVRUN_NOWAIT): ready sockets, due timers, commands
 * other threads queued; after it, their ev_async_send wakes the backend descriptor. What it
 * completes into this thread's queues is queued without a wakeup (the caller drains them
 * next). The seconds until its next timer (0: run again now), -1: none; ASC_EV_PUMPED, not
 * run: a pump thread runs the loop (its asyncio loop's thread had ended, and the loop runs on
 * another thread now), which the caller stops first (asc_ev_adopt). Under asc_ev_lock, so a
 * pump thread never starts meanwhile. */
#define ASC_EV_PUMPED -2

static double
asc_ev_run(void* loop)
{
	struct ev_loop* ev = (struct ev_loop*)loop;
	double due = 0.0;  /* other threads keep queueing: run again at once */
	pthread_mutex_lock(&asc_ev_lock);
	if (asc_ev_pumped) {
		pthread_mutex_unlock(&asc_ev_lock);
		return (double)ASC_EV_PUMPED;
	}
	asc_ev_in_run = true;
	for (int i = 0; i < 4; i++) {
		ev_run(ev, EVRUN_NOWAIT);
		if (! asc_ev_want_wakeups(ev)) {
			due = asc_ev_next_timer(ev);
			break;
		}
	}
	asc_ev_in_run = false;
	pthread_mutex_unlock(&asc_ev_lock);
	return due;
}

static void
asc_ev_loop_destroy(void* loop)
{
	ev_loop_destroy((struct ev_loop*)loop);
}

static uint32_t
asc_event_loop_size(void)
{
	return as_event_loop_size;
}

/* In a forked child: the parent's loops (their threads, or the asyncio thread's external
 * loop) are not this process's, yet their libev backend, wake-up fd and sockets are shared
 * with the parent. Hide them from C, so an instance the child makes has no async state and
 * its close never runs (or queues work on) a loop whose events belong to the parent. */
static void
asc_event_forget_loops_in_child(void)
{
	as_event_loop_size = 0;
	/* The parent's pump thread (if any) is not here, and its lock may be held by another
	 * of the parent's threads. */
	pthread_mutex_init(&asc_ev_lock, NULL);
	asc_ev_pumped = false;
}

/* as_async_get_pending / _get_connections of a connected instance (-1: not connected). */
static int
asc_async_pending(aerospike* as, bool connections)
{
	if (as->cluster == NULL) {
		return -1;
	}
	return connections ? (int)as_async_get_connections(as->cluster)
		: (int)as_async_get_pending(as->cluster);
}

/* -- Closing an instance while event loops exist --
 *
 * With event loops, the C client's aerospike_close() waits for the cluster's async commands
 * on every loop and then destroys the instance itself (its config, and the struct when
 * aerospike_new() made it), leaving as->cluster set, and aerospike_destroy() does nothing:
 * every later use of the instance is a use after free, and an instance connected before the
 * loops existed (no async state) crashes. These do the same waiting and closing but leave the
 * instance as a sync close does (cluster NULL, config kept, reconnectable, destroyed by
 * aerospike_destroy), so the bindings' lifecycle rules hold with or without loops. */

void aerospike_destroy_internal(aerospike* as);
extern bool as_event_threads_created;  /* as_event.c: false for external loops */

typedef struct {
	as_monitor monitor;
	as_cluster* cluster;
	uint32_t loops_left;
} asc_close_state;

static void
asc_close_on_loop(as_event_loop* event_loop, void* udata)
{
	asc_close_state* state = (asc_close_state*)udata;
	as_event_state* event_state = &state->cluster->event_state[event_loop->index];
	if (event_state->pending > 0 && as_event_execute(event_loop, asc_close_on_loop, state)) {
		return;  /* commands still running there: look again after them */
	}
	event_state->closed = true;
	if (__atomic_sub_fetch(&state->loops_left, 1, __ATOMIC_ACQ_REL) == 0) {
		as_monitor_notify(&state->monitor);
	}
}

/* Wait until every loop ran its part of the close. An external loop (aerospike_c.aio's
 * "asyncio" mode) that this thread runs is run here meanwhile: nothing else would run it. */
static void
asc_close_wait(asc_close_state* state)
{
	if (! as_event_threads_created) {
		/* Under asc_ev_lock: no pump thread starts meanwhile (asc_ev_orphan waits). */
		pthread_mutex_lock(&asc_ev_lock);
		for (uint32_t i = 0; i < as_event_loop_size; i++) {
			as_event_loop* event_loop = &as_event_loops[i];
			if (pthread_equal(event_loop->thread, pthread_self())) {
				while (__atomic_load_n(&state->loops_left, __ATOMIC_ACQUIRE) > 0) {
					asc_ev_in_run = true;
					ev_run((struct ev_loop*)event_loop->loop, EVRUN_ONCE);
					asc_ev_in_run = false;
				}
				break;
			}
		}
		pthread_mutex_unlock(&asc_ev_lock);
	}
	as_monitor_wait(&state->monitor);
}

/* aerospike_close(); must not run on an event loop thread (it waits for them). */
static as_status
asc_aerospike_close(aerospike* as, as_error* err)
{
	as_cluster* cluster = as->cluster;
	as_error_reset(err);
	if (cluster == NULL || as_event_loop_size == 0 || as_event_single_thread) {
		return aerospike_close(as, err);
	}
	if (cluster->metrics_enabled) {
		pthread_mutex_lock(&cluster->metrics_lock);
		as_status status = as_cluster_disable_metrics(err, cluster);
		pthread_mutex_unlock(&cluster->metrics_lock);
		if (status != AEROSPIKE_OK) {
			as_log_warn("Metrics error: %s %s", as_error_string(status), err->message);
			as_error_reset(err);
		}
	}
	if (cluster->event_state != NULL) {
		asc_close_state state;
		as_monitor_init(&state.monitor);
		state.cluster = cluster;
		state.loops_left = as_event_loop_size;
		for (uint32_t i = 0; i < as_event_loop_size; i++) {
			as_event_loop* event_loop = &as_event_loops[i];
			if (! as_event_execute(event_loop, asc_close_on_loop, &state)) {
				as_log_error("Failed to queue cluster close command");
				asc_close_on_loop(event_loop, &state);
			}
		}
		asc_close_wait(&state);
		as_monitor_destroy(&state.monitor);
	}
	as_cluster_destroy(cluster);
	as->cluster = NULL;
	return AEROSPIKE_OK;
}

/* aerospike_destroy(), also while event loops exist (C's is then a no-op: a leak). */
static void
asc_aerospike_destroy(aerospike* as)
{
	aerospike_destroy_internal(as);
}

/* asc_aerospike_close() when connected, then asc_destroy() when that succeeded, in one call
 * (the caller holds the instance exclusively): the close status. */
static as_status
asc_close_and_destroy(asc_instance* g, as_error* err, const size_t* exp_offsets, size_t count)
{
	as_error_reset(err);
	if (g->ptr->cluster != NULL) {
		as_status status = asc_aerospike_close(g->ptr, err);
		if (status != AEROSPIKE_OK) {
			return status;
		}
	}
	asc_destroy(g, exp_offsets, count);
	return AEROSPIKE_OK;
}
