/*
 * The C client's async scans and queries (aerospike_scan_async, _partitions_async, _node_async,
 * aerospike_query_async, _partitions_async) completing into an asc_queue (csrc/asc_async.h)
 * in chunks of records, not one completion (nor one wakeup) per record.
 *
 * Our listener runs on the scan's event loop thread (C runs every node command of one scan on
 * the same loop) and never touches Python. It packs each record into the scan's chunk (as the
 * sync scans' asc_scan_chunker does, csrc/asc_batch.h) and hands the chunk to the queue once
 * it holds `chunk` records or 1 MiB, or else once the loop has finished what it read from the
 * socket (a flush queued with as_event_execute, run after the current read's records), so a
 * record never waits for later ones. Completions of a scan share its id; `ttl` says which:
 *
 *   ASC_SCAN_RECORDS   data/size: a msgpack array of `gen` records ([key | nil, gen, ttl, bins])
 *   ASC_SCAN_END       C's last call (record NULL): the scan is complete
 *   ASC_SCAN_FAILED    C's error call: status, err
 *   ASC_SCAN_STOPPED   we returned false to C because Python said stop (asc_async_scan_stop)
 *   ASC_SCAN_PAUSED    we returned false to C because too many records were not consumed
 *                      (ASC_SCAN_PAUSE mode); the record in hand was not taken
 *   ASC_SCAN_BAD_VALUE we returned false to C: a record had a value with no Python value
 * After any but RECORDS the listener is never called again (C's rule once it returned false).
 *
 * Backpressure. The records handed over and not yet consumed (asc_async_scan_consumed) are
 * counted, with their bytes; once there are max_records of them or max_bytes, the listener
 * either waits (ASC_SCAN_BLOCK: what
 * a slow C listener does, it holds up its event loop; for Python listeners run by a dispatcher
 * thread, which consumes independently of the loops) or stops the scan (ASC_SCAN_PAUSE: for
 * aio, whose consumer may be awaiting a command of that same loop, so the loop must never wait
 * for it; aio resumes the scan from its partition progress, as_scan_set_paginate). Either way
 * C never holds more than max_records + chunk records (max_bytes + 1 MiB) for Python.
 *
 * A paginated scan (as_scan_set_paginate) keeps, per partition, the digest of the last record
 * its listener returned true for, and resumes after it: there the listener must answer for
 * each record as Python's listener did, or records Python never saw would count as read.
 * ASC_SCAN_SYNC hands each record over alone and waits for Python's answer before returning
 * it to C (a stop then leaves that record to be read again on resume, as in C).
 *
 * Each scan counts itself in on the instance (asc_async_start) and out with its last
 * completion. Declared for cffi in cdefs/asc_async_scan.h.
 */
#pragma once

#include <aerospike/aerospike_query.h>
#include <aerospike/aerospike_scan.h>
#include <aerospike/as_config_file.h>
#include "asc_async.h"
#include "asc_batch.h"

#define ASC_SCAN_RECORDS 0
#define ASC_SCAN_END 1
#define ASC_SCAN_FAILED 2
#define ASC_SCAN_STOPPED 3
#define ASC_SCAN_PAUSED 4
#define ASC_SCAN_BAD_VALUE 5

#define ASC_SCAN_BLOCK 0
#define ASC_SCAN_PAUSE 1
#define ASC_SCAN_SYNC 2

#define ASC_ASYNC_SCAN 0
#define ASC_ASYNC_SCAN_PARTITIONS 1
#define ASC_ASYNC_SCAN_NODE 2
#define ASC_ASYNC_QUERY 3
#define ASC_ASYNC_QUERY_PARTITIONS 4

typedef struct asc_async_scan_s {
	asc_async_cmd* cmd;        /* q, inst, id; freed by asc_async_finish with the last completion */
	as_event_loop* event_loop; /* the scan's loop (loop thread) */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	uint32_t refs;             /* Python's, the listener's, a queued flush's (lock) */
	uint32_t handed;           /* records handed over, not consumed yet (lock) */
	uint64_t handed_bytes;     /* their msgpack size (lock) */
	uint32_t max_records;
	uint64_t max_bytes;
	int mode;
	bool stop;                 /* Python's word (lock) */
	bool done;                 /* the listener has had its last call (loop thread) */
	bool flush_queued;         /* loop thread */
	asc_scan_chunker chunker;  /* the chunk being filled (loop thread; its lock unused) */
} asc_async_scan;

static void
asc_async_scan_release(asc_async_scan* s)
{
	pthread_mutex_lock(&s->lock);
	uint32_t refs = --s->refs;
	pthread_mutex_unlock(&s->lock);
	if (refs == 0) {
		free(s->chunker.buffer);
		pthread_cond_destroy(&s->cond);
		pthread_mutex_destroy(&s->lock);
		cf_free(s);
	}
}

/* Hand the chunk's records to Python (loop thread). */
static void
asc_async_scan_flush(asc_async_scan* s)
{
	asc_scan_chunker* c = &s->chunker;
	if (c->count == 0) {
		return;
	}
	c->buffer[0] = 0xdd;
	c->buffer[1] = (uint8_t)(c->count >> 24);
	c->buffer[2] = (uint8_t)(c->count >> 16);
	c->buffer[3] = (uint8_t)(c->count >> 8);
	c->buffer[4] = (uint8_t)c->count;
	asc_completion item = {0};
	item.id = s->cmd->id;
	item.data = c->buffer;
	item.size = c->size;
	item.gen = c->count;
	item.ttl = ASC_SCAN_RECORDS;
	item.event_loop = s->event_loop;
	pthread_mutex_lock(&s->lock);
	s->handed += c->count;
	s->handed_bytes += c->size;
	pthread_mutex_unlock(&s->lock);
	c->buffer = NULL;
	c->size = c->capacity = c->count = 0;
	asc_queue_push(s->cmd->q, &item);
}

/* The listener's last call: what is buffered, then the final completion; false for C. */
static bool
asc_async_scan_end(asc_async_scan* s, int kind, as_error* err, as_event_loop* event_loop)
{
	if (kind != ASC_SCAN_BAD_VALUE) {
		asc_async_scan_flush(s);
	}
	s->done = true;
	asc_completion item = {0};
	item.ttl = (uint32_t)kind;
	if (kind == ASC_SCAN_BAD_VALUE) {
		item.status = ASC_BAD_OUTPUT;
	}
	asc_async_finish(s->cmd, err, &item, event_loop);
	s->cmd = NULL;
	asc_async_scan_release(s);
	return false;
}

/* Run on the loop after the records it read so far: hand over what waits. */
static void
asc_async_scan_deferred_flush(as_event_loop* event_loop, void* udata)
{
	asc_async_scan* s = (asc_async_scan*)udata;
	(void)event_loop;
	s->flush_queued = false;
	if (! s->done) {
		asc_async_scan_flush(s);
	}
	asc_async_scan_release(s);
}

/* as_async_scan_listener / as_async_query_record_listener (loop thread). */
static bool
asc_async_scan_listener(as_error* err, as_record* record, void* udata, as_event_loop* event_loop)
{
	asc_async_scan* s = (asc_async_scan*)udata;
	s->event_loop = event_loop;
	if (err != NULL) {
		return asc_async_scan_end(s, ASC_SCAN_FAILED, err, event_loop);
	}
	if (record == NULL) {
		return asc_async_scan_end(s, ASC_SCAN_END, NULL, event_loop);
	}
	pthread_mutex_lock(&s->lock);
	bool over = s->handed >= s->max_records || s->handed_bytes >= s->max_bytes;
	bool stop = s->stop;
	pthread_mutex_unlock(&s->lock);
	if (over && ! stop) {
		if (s->mode == ASC_SCAN_PAUSE) {
			return asc_async_scan_end(s, ASC_SCAN_PAUSED, NULL, event_loop);
		}
		asc_async_scan_flush(s);  /* so Python can consume what we would wait for */
		pthread_mutex_lock(&s->lock);
		while ((s->handed >= s->max_records || s->handed_bytes >= s->max_bytes) && ! s->stop) {
			pthread_cond_wait(&s->cond, &s->lock);
		}
		stop = s->stop;
		pthread_mutex_unlock(&s->lock);
	}
	if (stop) {
		return asc_async_scan_end(s, ASC_SCAN_STOPPED, NULL, event_loop);
	}
	asc_scan_chunker* c = &s->chunker;
	if (! asc_scan_chunker_add(c, (const as_val*)record)) {
		return asc_async_scan_end(s, ASC_SCAN_BAD_VALUE, NULL, event_loop);
	}
	if (s->mode == ASC_SCAN_SYNC) {
		/* C's own listener semantics, record by record: its answer is Python's. */
		asc_async_scan_flush(s);
		pthread_mutex_lock(&s->lock);
		while (s->handed > 0 && ! s->stop) {
			pthread_cond_wait(&s->cond, &s->lock);
		}
		stop = s->stop;
		pthread_mutex_unlock(&s->lock);
		if (stop) {
			return asc_async_scan_end(s, ASC_SCAN_STOPPED, NULL, event_loop);
		}
	}
	else if (c->count >= c->chunk || c->size >= ASC_SCAN_CHUNK_BYTES) {
		asc_async_scan_flush(s);
	}
	else if (! s->flush_queued) {
		pthread_mutex_lock(&s->lock);
		s->refs++;
		pthread_mutex_unlock(&s->lock);
		s->flush_queued = true;
		if (! as_event_execute(event_loop, asc_async_scan_deferred_flush, s)) {
			asc_async_scan_deferred_flush(event_loop, s);
		}
	}
	return true;
}

/* The replica C's scan/query merge gives (as_policy_scan_merge, as_policy_query_merge: the
 * config's when no policy, or when the dynamic config file set it). */
static as_policy_replica
asc_async_scan_replica(aerospike* as, int kind, const void* policy)
{
	bool query = kind == ASC_ASYNC_QUERY || kind == ASC_ASYNC_QUERY_PARTITIONS;
	as_config* config = aerospike_load_config(as);
	as_policy_replica own = query ? config->policies.query.replica : config->policies.scan.replica;
	if (policy == NULL || (as->config_bitmap != NULL &&
			as_field_is_set(as->config_bitmap, query ? AS_QUERY_REPLICA : AS_SCAN_REPLICA))) {
		return own;
	}
	return query ? ((const as_policy_query*)policy)->replica
		: ((const as_policy_scan*)policy)->replica;
}

/* What the partition tracker refuses (tracker_init, as_partition_tracker.c), checked before
 * the all-nodes and node forms: after that refusal aerospike_scan_node_async goes on to start
 * the scan with the half-made tracker (SIGSEGV), and aerospike_scan_async and
 * aerospike_query_async leak the tracker they allocated. The _partitions forms free it. */
static as_status
asc_async_scan_check(aerospike* as, as_error* err, int kind, const void* policy, void* target)
{
	if (kind != ASC_ASYNC_SCAN && kind != ASC_ASYNC_SCAN_NODE && kind != ASC_ASYNC_QUERY) {
		return AEROSPIKE_OK;
	}
	as_partitions_status* resume;
	if (kind == ASC_ASYNC_QUERY) {
		as_query* query = (as_query*)target;
		if (query->apply.function[0] || as_operations_has_write(query->ops) ||
				(! as->cluster->has_partition_query && query->where.size != 0)) {
			return AEROSPIKE_OK;  /* C refuses these itself, or uses no tracker */
		}
		resume = query->parts_all;
	}
	else {
		resume = ((as_scan*)target)->parts_all;
	}
	if (asc_async_scan_replica(as, kind, policy) == AS_POLICY_REPLICA_RANDOM) {
		return as_error_set_message(err, AEROSPIKE_ERR_PARAM,
			"Invalid replica: AS_POLICY_REPLICA_RANDOM");
	}
	uint16_t n_partitions = as->cluster->n_partitions;
	if (resume && !(resume->part_begin == 0 && resume->part_count == n_partitions)) {
		return as_error_update(err, AEROSPIKE_ERR_PARAM,
			"Partition filter can not change when pagination is enabled. prev=%u,%u current=%u,%u",
			resume->part_begin, resume->part_count, 0, n_partitions);
	}
	return AEROSPIKE_OK;
}

/* One of the five async scan/query functions (kind: ASC_ASYNC_*), completing into q under id.
 * target: the as_scan or as_query; pf: the partition filter (the _partitions kinds);
 * node_name: aerospike_scan_node_async's. AEROSPIKE_OK: *out is Python's reference (release
 * it with asc_async_scan_release once the last completion came); else nothing was started,
 * as asc_async_key says. */
static as_status
asc_async_scan_start(asc_instance* inst, asc_queue* q, uint64_t id, as_error* err, int kind,
	const void* policy, void* target, as_partition_filter* pf, const char* node_name, int mode,
	uint32_t max_records, uint64_t max_bytes, uint32_t chunk, as_event_loop* event_loop,
	asc_async_scan** out)
{
	asc_async_cmd* cmd;
	as_status status = asc_async_start(inst, q, id, ASC_RESULT_NONE, NULL, &cmd);
	if (status != AEROSPIKE_OK) {
		return status;
	}
	status = asc_async_scan_check(inst->ptr, err, kind, policy, target);
	if (status != AEROSPIKE_OK) {
		return asc_async_submitted(status, cmd);  /* nothing started */
	}
	asc_async_scan* s = (asc_async_scan*)cf_calloc(1, sizeof(asc_async_scan));
	if (s == NULL) {
		return asc_async_submitted(ASC_BAD_OUTPUT, cmd);
	}
	s->cmd = cmd;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	s->refs = 2;
	s->max_records = max_records ? max_records : 1;
	s->max_bytes = max_bytes ? max_bytes : 1;
	s->mode = mode;
	s->chunker.chunk = chunk ? chunk : 1;
	*out = s;  /* before C can call the listener: a completion may reach Python at once */
	aerospike* as = inst->ptr;
	switch (kind) {
	case ASC_ASYNC_SCAN:
		status = aerospike_scan_async(as, err, (const as_policy_scan*)policy, (as_scan*)target,
			NULL, asc_async_scan_listener, s, event_loop);
		break;
	case ASC_ASYNC_SCAN_PARTITIONS:
		status = aerospike_scan_partitions_async(as, err, (const as_policy_scan*)policy,
			(as_scan*)target, pf, asc_async_scan_listener, s, event_loop);
		break;
	case ASC_ASYNC_SCAN_NODE:
		status = aerospike_scan_node_async(as, err, (const as_policy_scan*)policy,
			(as_scan*)target, NULL, node_name, asc_async_scan_listener, s, event_loop);
		break;
	case ASC_ASYNC_QUERY:
		status = aerospike_query_async(as, err, (const as_policy_query*)policy,
			(as_query*)target, asc_async_scan_listener, s, event_loop);
		break;
	case ASC_ASYNC_QUERY_PARTITIONS:
		status = aerospike_query_partitions_async(as, err, (const as_policy_query*)policy,
			(as_query*)target, pf, asc_async_scan_listener, s, event_loop);
		break;
	default:
		status = as_error_set_message(err, AEROSPIKE_ERR_PARAM, "unknown async scan");
	}
	if (status != AEROSPIKE_OK) {
		asc_async_submitted(status, cmd);  /* the listener never runs: undo the start */
		*out = NULL;
		s->refs = 1;
		asc_async_scan_release(s);
		return status;
	}
	return AEROSPIKE_OK;
}

/* Python consumed n records (of `bytes` msgpack bytes) of the handed chunks: a waiting
 * listener may go on. */
static void
asc_async_scan_consumed(asc_async_scan* s, uint32_t n, uint64_t bytes)
{
	pthread_mutex_lock(&s->lock);
	s->handed = n < s->handed ? s->handed - n : 0;
	s->handed_bytes = bytes < s->handed_bytes ? s->handed_bytes - bytes : 0;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

/* Stop the scan: the listener returns false to C at its next record (ASC_SCAN_STOPPED). */
static void
asc_async_scan_stop(asc_async_scan* s)
{
	pthread_mutex_lock(&s->lock);
	s->stop = true;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
}
