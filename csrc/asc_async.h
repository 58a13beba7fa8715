/*
 * The C client's async commands (aerospike_key_*_async on its libev event loops) completing
 * into a queue that Python drains in bulk.
 *
 * A command's listener runs on an event loop thread. Ours never touch Python: each appends a
 * completion (the id Python gave the command, its status, a copy of its as_error, and its
 * result: a msgpack buffer [gen, ttl, digest, bins] as the sync fast path packs it, or the
 * as_record / as_val moved out of the C client's hands) to an asc_queue. The first completion
 * that finds the queue empty makes its file descriptor readable (an eventfd, a pipe where
 * there is none); Python (an asyncio reader, or the dispatcher thread of the C-named API)
 * takes every completion waiting in one asc_queue_drain() call and frees their memory with
 * one asc_queue_release() call. No event loop thread ever waits for the GIL.
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
#endif
#include <aerospike/aerospike_key.h>
#include <aerospike/aerospike_stats.h>
#include <aerospike/as_async_proto.h>
#include <aerospike/as_event.h>
#include <aerospike/as_event_internal.h>
#include <aerospike/as_log_macros.h>
#include <aerospike/as_monitor.h>
#include "asc_key.h"

/* The msgpack side of the async commands: Python packs the key tuple, bins and operations
 * (bindings/_async.py), C reads them here and packs the result back. */

/* Per-call scratch, reused by Python between calls: the error, and the packed result
 * (in buf when it fits, else in big, a cf_malloc'd buffer Python frees). */
typedef struct {
	as_error err;
	uint8_t* big;
	uint32_t size;
	uint32_t gen;
	uint32_t ttl;
	uint8_t buf[4096];
} asc_key_io;

/* The key from one msgpack key tuple (asc_read_key) and nothing after it; false: not a
 * key this path takes. Destroy it with as_key_destroy(). */
static bool
asc_key_read(as_key* key, const uint8_t* data, uint32_t size)
{
	asc_reader r = {data, data + size};
	if (! asc_read_key(&r, key)) {
		return false;
	}
	if (r.p != r.end) {
		as_key_destroy(key);
		return false;
	}
	return true;
}

typedef struct {
	const as_key* key;
	const as_record* rec;
	bool flat;
} asc_key_result;

/* [gen, ttl, digest, bins], or nil when there is no record. */
static int
asc_pack_result(as_packer* pk, const void* p)
{
	const asc_key_result* what = (const asc_key_result*)p;
	if (what->rec == NULL) {
		return as_pack_nil(pk);
	}
	if (as_pack_list_header(pk, 4) != 0 ||
			as_pack_uint64(pk, what->rec->gen) != 0 ||
			as_pack_uint64(pk, what->rec->ttl) != 0 ||
			as_pack_bin(pk, what->key->digest.value, AS_DIGEST_VALUE_SIZE) != 0) {
		return -1;
	}
	return asc_pack_bins_as(pk, what->rec, what->flat);
}

static as_status
asc_key_pack(asc_key_io* io, const as_key* key, const as_record* rec, bool flat)
{
	asc_key_result what = {key, rec, flat};
	as_packer pk = {.head = NULL, .tail = NULL, .buffer = NULL, .offset = 0, .capacity = 0};
	if (asc_pack_result(&pk, &what) != 0) {
		return ASC_BAD_OUTPUT;
	}
	io->size = pk.offset;
	if (pk.offset <= sizeof(io->buf)) {
		pk.buffer = io->buf;
	}
	else if ((io->big = (uint8_t*)cf_malloc(pk.offset)) != NULL) {
		pk.buffer = io->big;
	}
	else {
		return as_error_update(&io->err, AEROSPIKE_ERR_CLIENT, "Out of memory");
	}
	pk.capacity = pk.offset;
	pk.offset = 0;
	if (asc_pack_result(&pk, &what) != 0) {
		cf_free(io->big);
		io->big = NULL;
		return ASC_BAD_OUTPUT;
	}
	return AEROSPIKE_OK;
}

/* The key (a msgpack key tuple) and the record of a put (bins: a msgpack map {name: value});
 * false: not what this path takes (nothing to destroy). Destroy both after the command. */
static bool
asc_key_put_read(as_key* key, const uint8_t* key_data, uint32_t key_size, as_record* rec,
	const uint8_t* bins, uint32_t size, uint32_t ttl, uint16_t gen)
{
	uint64_t n;
	asc_reader r = {bins, bins + size};
	if (! asc_read_header(&r, true, &n) || n > UINT16_MAX) {
		return false;
	}
	if (! asc_key_read(key, key_data, key_size)) {
		return false;
	}
	as_record_init(rec, (uint16_t)n);
	if (! asc_record_set_msgpack(rec, bins, size)) {
		as_record_destroy(rec);
		as_key_destroy(key);
		return false;
	}
	rec->ttl = ttl;
	rec->gen = gen;
	return true;
}

/* A bin name: a fixstr of at most 15 bytes without NUL, copied into name. */
static bool
asc_read_bin_name(asc_reader* r, as_bin_name name)
{
	const uint8_t* text;
	uint64_t len;
	if (r->p >= r->end || (*r->p & 0xe0) != 0xa0) {
		return false;
	}
	len = *r->p++ & 0x1f;
	if (len > AS_BIN_NAME_MAX_LEN || (text = asc_read_bytes(r, len)) == NULL ||
			memchr(text, 0, len) != NULL) {
		return false;
	}
	memcpy(name, text, len);
	name[len] = 0;
	return true;
}

/* A str (text) or bin (not text) of any length. */
static const uint8_t*
asc_read_raw(asc_reader* r, bool text, uint64_t* n)
{
	if (r->p >= r->end) {
		return NULL;
	}
	uint8_t b = *r->p++;
	if (text && (b & 0xe0) == 0xa0) {
		*n = b & 0x1f;
	}
	else if (text && b >= 0xd9 && b <= 0xdb) {
		if (! asc_read_be(r, 1u << (b - 0xd9), n)) {
			return NULL;
		}
	}
	else if (! text && b >= 0xc4 && b <= 0xc6) {
		if (! asc_read_be(r, 1u << (b - 0xc4), n)) {
			return NULL;
		}
	}
	else {
		return NULL;
	}
	return asc_read_bytes(r, *n);
}

/* An integer that fits int64_t. */
static bool
asc_read_int(asc_reader* r, int64_t* out)
{
	as_val* v = asc_read_val(r, 0);
	bool ok = v != NULL && v->type == AS_INTEGER;
	if (ok) {
		*out = ((as_integer*)v)->value;
	}
	as_val_destroy(v);
	return ok;
}

/* One operation [code, bin, args...] added to ops. */
static bool
asc_read_operation(asc_reader* r, as_operations* ops)
{
	uint64_t n, code, size;
	as_bin_name name;
	if (! asc_read_header(r, false, &n) || n < 1 || r->p >= r->end || *r->p > 0x7f) {
		return false;
	}
	code = *r->p++;
	switch (code) {
	case ASC_OP_READ_ALL:
		return n == 1 && as_operations_add_read_all(ops);
	case ASC_OP_TOUCH:
		return n == 1 && as_operations_add_touch(ops);
	case ASC_OP_DELETE:
		return n == 1 && as_operations_add_delete(ops);
	}
	if (n < 2 || ! asc_read_bin_name(r, name)) {
		return false;
	}
	switch (code) {
	case ASC_OP_READ:
		return n == 2 && as_operations_add_read(ops, name);
	case ASC_OP_WRITE: {
		as_val* v = n == 3 ? asc_read_val(r, 0) : NULL;
		if (v == NULL) {
			return false;
		}
		if (! as_operations_add_write(ops, name, (as_bin_value*)v)) {
			as_val_destroy(v);
			return false;
		}
		return true;
	}
	case ASC_OP_INCR: {
		int64_t by;
		return n == 3 && asc_read_int(r, &by) && as_operations_add_incr(ops, name, by);
	}
	case ASC_OP_INCR_DOUBLE: {
		uint64_t bits;
		double by;
		if (n != 3 || r->p >= r->end || *r->p++ != 0xcb || ! asc_read_be(r, 8, &bits)) {
			return false;
		}
		memcpy(&by, &bits, sizeof(by));
		return as_operations_add_incr_double(ops, name, by);
	}
	case ASC_OP_APPEND_STR:
	case ASC_OP_PREPEND_STR: {
		const uint8_t* text = n == 3 ? asc_read_raw(r, true, &size) : NULL;
		char* copy;
		if (text == NULL || memchr(text, 0, size) != NULL ||
				(copy = asc_copy_chars((const char*)text, size)) == NULL) {
			return false;
		}
		if (! (code == ASC_OP_APPEND_STR ? as_operations_add_append_strp(ops, name, copy, true)
				: as_operations_add_prepend_strp(ops, name, copy, true))) {
			cf_free(copy);
			return false;
		}
		return true;
	}
	case ASC_OP_APPEND_RAW:
	case ASC_OP_PREPEND_RAW: {
		int64_t used;
		const uint8_t* raw = n == 4 ? asc_read_raw(r, false, &size) : NULL;
		uint8_t* copy;
		if (raw == NULL || ! asc_read_int(r, &used) || used < 0 || (uint64_t)used > size ||
				(copy = (uint8_t*)cf_malloc(used ? (size_t)used : 1)) == NULL) {
			return false;
		}
		memcpy(copy, raw, (size_t)used);
		if (! (code == ASC_OP_APPEND_RAW
				? as_operations_add_append_rawp(ops, name, copy, (uint32_t)used, true)
				: as_operations_add_prepend_rawp(ops, name, copy, (uint32_t)used, true))) {
			cf_free(copy);
			return false;
		}
		return true;
	}
	default:
		return false;
	}
}

/* The key (a msgpack key tuple) and the operations of an operate (a msgpack array of
 * [code, bin, args...]); false: not what this path takes (nothing to destroy). */
static bool
asc_key_operate_read(as_key* key, const uint8_t* key_data, uint32_t key_size, as_operations* ops,
	const uint8_t* operations, uint32_t size, uint32_t ttl, uint16_t gen)
{
	uint64_t n;
	asc_reader r = {operations, operations + size};
	if (! asc_read_header(&r, false, &n) || n > UINT16_MAX) {
		return false;
	}
	as_operations_init(ops, (uint16_t)n);
	for (uint64_t i = 0; i < n; i++) {
		if (! asc_read_operation(&r, ops)) {
			as_operations_destroy(ops);
			return false;
		}
	}
	if (r.p != r.end || ! asc_key_read(key, key_data, key_size)) {
		as_operations_destroy(ops);
		return false;
	}
	ops->ttl = ttl;
	ops->gen = gen;
	return true;
}

/* What a completion carries besides its status. */
/* The instance connected before the event loops were created: it cannot run async commands. */
#define ASC_NO_EVENT_LOOPS -1005

#define ASC_RESULT_NONE 0    /* writes, removes */
#define ASC_RESULT_PACKED 1  /* data: msgpack [gen, ttl, digest, bins] (nil: no record) */
#define ASC_RESULT_FLAT 2    /* the same with bins as [name, value, ...] (operate_ordered) */
#define ASC_RESULT_META 3    /* gen, ttl (exists) */
#define ASC_RESULT_RECORD 4  /* ptr: an as_record* now Python's (as_record_destroy) */
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
} asc_queue;

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

/* Append c (an event loop thread); wake the reader if the queue was not signalled yet. */
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
	bool wake = ! q->signalled;
	q->signalled = true;
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
asc_record_take(as_record* rec)
{
	uint16_t n = rec->bins.size;
	as_record* own = as_record_new(n);
	if (own == NULL) {
		return NULL;
	}
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
		case ASC_RESULT_PACKED:
		case ASC_RESULT_FLAT: {
			as_key key;
			memset(&key, 0, sizeof(key));
			memcpy(key.digest.value, cmd->digest, AS_DIGEST_VALUE_SIZE);
			asc_key_io io;
			io.big = NULL;
			as_error_reset(&io.err);
			as_status status = asc_key_pack(&io, &key, rec, cmd->result == ASC_RESULT_FLAT);
			if (status == AEROSPIKE_OK) {
				c.size = io.size;
				c.data = io.big;
				if (c.data == NULL && (c.data = (uint8_t*)cf_malloc(io.size ? io.size : 1)) != NULL) {
					memcpy(c.data, io.buf, io.size);
				}
				if (c.data == NULL) {
					c.status = AEROSPIKE_ERR_CLIENT;
				}
			}
			else {
				c.status = status;
			}
			break;
		}
		case ASC_RESULT_META:
			c.gen = rec ? rec->gen : 0;
			c.ttl = rec ? rec->ttl : 0;
			break;
		case ASC_RESULT_RECORD:
			if (rec != NULL && (c.ptr = asc_record_take(rec)) == NULL) {
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
	as_status status = asc_async_start(inst, q, id, result, key, &cmd);
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
	as_status status = asc_async_start(inst, q, id, ASC_RESULT_VALUE, key, &cmd);
	if (status != AEROSPIKE_OK) {
		return status;
	}
	status = aerospike_key_apply_async(inst->ptr, err, policy, key, module, function, arglist,
		asc_on_value, cmd, event_loop, NULL);
	return asc_async_submitted(status, cmd);
}

/* -- The Client's commands from msgpack (the sync fast path's readers): one C call each. -- */

/* get (ASC_RESULT_PACKED) or exists (ASC_RESULT_META) of a msgpack key tuple. */
static as_status
asc_async_get_packed(asc_instance* inst, asc_queue* q, uint64_t id, as_error* err,
	const as_policy_read* policy, const uint8_t* key_data, uint32_t key_size, bool exists,
	as_event_loop* event_loop)
{
	as_key key;
	if (! asc_key_read(&key, key_data, key_size)) {
		return ASC_BAD_INPUT;
	}
	as_key_digest(&key);  /* the result carries it */
	as_status status = asc_async_key(inst, q, id, err, exists ? ASC_ASYNC_EXISTS : ASC_ASYNC_GET,
		policy, &key, NULL, exists ? ASC_RESULT_META : ASC_RESULT_PACKED, event_loop);
	as_key_destroy(&key);
	return status;
}

/* remove of a msgpack key tuple. */
static as_status
asc_async_remove_packed(asc_instance* inst, asc_queue* q, uint64_t id, as_error* err,
	const as_policy_remove* policy, const uint8_t* key_data, uint32_t key_size,
	as_event_loop* event_loop)
{
	as_key key;
	if (! asc_key_read(&key, key_data, key_size)) {
		return ASC_BAD_INPUT;
	}
	as_status status = asc_async_key(inst, q, id, err, ASC_ASYNC_REMOVE, policy, &key, NULL,
		ASC_RESULT_NONE, event_loop);
	as_key_destroy(&key);
	return status;
}

/* put of a msgpack key tuple and a msgpack map of bins. */
static as_status
asc_async_put_packed(asc_instance* inst, asc_queue* q, uint64_t id, as_error* err,
	const as_policy_write* policy, const uint8_t* key_data, uint32_t key_size,
	const uint8_t* bins, uint32_t size, uint32_t ttl, uint16_t gen, as_event_loop* event_loop)
{
	as_key key;
	as_record rec;
	if (! asc_key_put_read(&key, key_data, key_size, &rec, bins, size, ttl, gen)) {
		return ASC_BAD_INPUT;
	}
	as_status status = asc_async_key(inst, q, id, err, ASC_ASYNC_PUT, policy, &key, &rec,
		ASC_RESULT_NONE, event_loop);
	as_record_destroy(&rec);
	as_key_destroy(&key);
	return status;
}

/* operate of a msgpack key tuple and msgpack operations [code, bin, args...]. */
static as_status
asc_async_operate_packed(asc_instance* inst, asc_queue* q, uint64_t id, as_error* err,
	const as_policy_operate* policy, const uint8_t* key_data, uint32_t key_size,
	const uint8_t* operations, uint32_t size, uint32_t ttl, uint16_t gen, bool flat,
	as_event_loop* event_loop)
{
	as_key key;
	as_operations ops;
	if (! asc_key_operate_read(&key, key_data, key_size, &ops, operations, size, ttl, gen)) {
		return ASC_BAD_INPUT;
	}
	as_key_digest(&key);
	as_status status = asc_async_key(inst, q, id, err, ASC_ASYNC_OPERATE, policy, &key, &ops,
		flat ? ASC_RESULT_FLAT : ASC_RESULT_PACKED, event_loop);
	as_operations_destroy(&ops);
	as_key_destroy(&key);
	return status;
}

/* -- Event loops -- */

static uint32_t
asc_event_loop_size(void)
{
	return as_event_loop_size;
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
		as_monitor_wait(&state.monitor);
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
