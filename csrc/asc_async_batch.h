/*
 * The C client's multi-record async commands (aerospike_batch_read_async/_write_async,
 * aerospike_info_node_async, aerospike_commit_async/_abort_async) completing into the
 * asc_queue of asc_async.h, as its single-record commands do: their listeners run on an
 * event loop thread, never touch Python, count the command out (asc_async_finish) and queue
 * one completion. Declared for cffi in cdefs/asc_async_batch.h.
 *
 * What a completion carries besides status and error:
 * - a batch of Python's as_batch_records (the C-named functions, aio's batch_records):
 *   nothing; C filled the records in place, and they stay Python's.
 * - a batch of key tuples (aio's batch_get/_exists/_remove, asc_async_batch_keys): the
 *   records are built here from msgpack keys, and the listener packs their rows (csrc/
 *   asc_batch.h's forms: lean rows as asc_batch_get's, or full rows) into data, counts the
 *   rows that failed other than by not found in gen, and destroys the records. When C
 *   reports AEROSPIKE_BATCH_FAILED the rows say what failed: the completion's status is OK,
 *   ttl is 1 and err holds C's error (Python raises it as the rows say, as the sync path).
 * - an info response: data, the response text (NUL-terminated; size without the NUL).
 * - a commit/abort: gen, the as_commit_status / as_abort_status (also with an error; for
 *   aio the error rides along as for a failed batch: status OK, ttl 1, err set).
 */
#pragma once

#include <aerospike/aerospike_batch.h>
#include <aerospike/aerospike_info.h>
#include <aerospike/aerospike_txn.h>
#include <aerospike/as_cluster.h>
#include "asc_async.h"
#include "asc_batch.h"

#define ASC_BATCH_KEYS_GET 0     /* read records: every bin, or the bin names given */
#define ASC_BATCH_KEYS_EXISTS 1  /* read records: metadata only */
#define ASC_BATCH_KEYS_REMOVE 2  /* remove records */

/* The listener's state: the command, and for a batch of keys what was made for it. */
typedef struct {
	asc_async_cmd* cmd;
	as_batch_records* records;  /* made from keys: packed and destroyed by the listener */
	char* names;                /* one block: the bin names' array, then the names */
	int form;                   /* ASC_ROWS_FULL / _RECORDS / _BINS */
} asc_batch_cmd;

typedef struct {
	const as_batch_records* records;
	int form;
} asc_batch_rows;

/* Every record's row in one array: full rows, or lean ones as asc_batch_get's. */
static int
asc_pack_batch_rows(as_packer* pk, const void* what)
{
	const asc_batch_rows* rows = (const asc_batch_rows*)what;
	const as_vector* list = &rows->records->list;
	if (as_pack_list_header(pk, list->size) != 0) {
		return -1;
	}
	for (uint32_t i = 0; i < list->size; i++) {
		const as_batch_base_record* r = (const as_batch_base_record*)as_vector_get(
			(as_vector*)list, i);
		if ((rows->form == ASC_ROWS_FULL
				? asc_pack_batch_row(pk, &r->key, &r->record, r->result, r->subcode, r->message,
					r->in_doubt)
				: asc_pack_lean_fields(pk, &r->key, &r->record, r->result, r->subcode,
					r->message, r->in_doubt, rows->form)) != 0) {
			return -1;
		}
	}
	return 0;
}

static void
asc_on_batch(as_error* err, as_batch_records* records, void* udata, as_event_loop* event_loop)
{
	asc_batch_cmd* b = (asc_batch_cmd*)udata;
	asc_async_cmd* cmd = b->cmd;
	asc_completion c = {0};
	if (b->records != NULL) {
		if (err == NULL || err->code == AEROSPIKE_BATCH_FAILED) {
			asc_batch_rows rows = {records, b->form};
			c.data = asc_pack_twice(asc_pack_batch_rows, &rows, &c.size);
			if (c.data == NULL) {
				c.status = ASC_BAD_OUTPUT;
			}
			for (uint32_t i = 0; i < records->list.size; i++) {
				as_status result = ((as_batch_base_record*)as_vector_get(&records->list, i))->result;
				c.gen += result != AEROSPIKE_OK && result != AEROSPIKE_ERR_RECORD_NOT_FOUND;
			}
			if (c.data != NULL && err != NULL) {
				/* The rows say what failed; the batch's error rides along. */
				c.ttl = 1;
				if ((c.err = (as_error*)cf_malloc(sizeof(as_error))) != NULL) {
					as_error_copy(c.err, err);
				}
				err = NULL;
			}
		}
		as_batch_records_destroy(b->records);
		cf_free(b->names);
	}
	cf_free(b);
	asc_async_finish(cmd, err, &c, event_loop);
}

/* Count in (asc_async_start) and make the listener's state; AEROSPIKE_OK or why not. */
static as_status
asc_batch_cmd_start(asc_instance* inst, asc_queue* q, uint64_t id, asc_batch_cmd** out)
{
	asc_async_cmd* cmd;
	as_status status = asc_async_start(inst, q, id, ASC_RESULT_NONE, NULL, &cmd);
	if (status != AEROSPIKE_OK) {
		return status;
	}
	asc_batch_cmd* b = (asc_batch_cmd*)cf_calloc(1, sizeof(asc_batch_cmd));
	if (b == NULL) {
		asc_async_submitted(ASC_BAD_OUTPUT, cmd);
		return ASC_BAD_OUTPUT;
	}
	b->cmd = cmd;
	*out = b;
	return AEROSPIKE_OK;
}

/* After the C call: on an error it returned, the listener never runs. */
static as_status
asc_batch_cmd_submitted(as_status status, asc_batch_cmd* b)
{
	if (status != AEROSPIKE_OK) {
		asc_async_submitted(status, b->cmd);
		cf_free(b);
	}
	return status;
}

/* aerospike_batch_read_async() (write false) or aerospike_batch_write_async() of records
 * Python owns; they must stay alive and untouched until the completion. On an error
 * returned, C may still be running the sub-commands it queued before it (they fill the
 * records): Python keeps the records until the instance is closed. */
static as_status
asc_async_batch(asc_instance* inst, asc_queue* q, uint64_t id, as_error* err, bool write,
	const as_policy_batch* policy, as_batch_records* records, as_event_loop* event_loop)
{
	asc_batch_cmd* b;
	as_status status = asc_batch_cmd_start(inst, q, id, &b);
	if (status != AEROSPIKE_OK) {
		return status;
	}
	status = write
		? aerospike_batch_write_async(inst->ptr, err, policy, records, asc_on_batch, b, event_loop)
		: aerospike_batch_read_async(inst->ptr, err, policy, records, asc_on_batch, b, event_loop);
	return asc_batch_cmd_submitted(status, b);
}

/* A copy of n bin names in one block: the char* array, then the names. */
static char*
asc_bin_names_copy(char** names, uint32_t n)
{
	size_t size = sizeof(char*) * (n ? n : 1);
	for (uint32_t i = 0; i < n; i++) {
		size += strlen(names[i]) + 1;
	}
	char* block = (char*)cf_malloc(size);
	if (block == NULL) {
		return NULL;
	}
	char** array = (char**)block;
	char* text = block + sizeof(char*) * (n ? n : 1);
	for (uint32_t i = 0; i < n; i++) {
		size_t len = strlen(names[i]) + 1;
		memcpy(text, names[i], len);
		array[i] = text;
		text += len;
	}
	return block;
}

/* Records of `kind` for n msgpack key tuples (bin names: GET only, NULL for every bin);
 * NULL: a key this path does not take, or no memory. */
static as_batch_records*
asc_batch_records_from_keys(int kind, const uint8_t* keys, uint32_t size, uint32_t n,
	char* names, uint32_t n_names)
{
	asc_reader r = {keys, keys + size};
	uint64_t count;
	if (! asc_read_header(&r, false, &count) || count != n) {
		return NULL;
	}
	as_batch_records* records = as_batch_records_create(n);
	if (records == NULL) {
		return NULL;
	}
	for (uint32_t i = 0; i < n; i++) {
		as_batch_base_record* rec = kind == ASC_BATCH_KEYS_REMOVE
			? (as_batch_base_record*)as_batch_remove_reserve(records)
			: (as_batch_base_record*)as_batch_read_reserve(records);
		if (rec == NULL || ! asc_read_key(&r, &rec->key)) {
			if (rec != NULL) {
				memset(&rec->key, 0, sizeof(as_key));
			}
			as_batch_records_destroy(records);
			return NULL;
		}
		if (kind == ASC_BATCH_KEYS_GET) {
			as_batch_read_record* read = (as_batch_read_record*)rec;
			read->read_all_bins = names == NULL;
			read->bin_names = n_names ? (char**)names : NULL;  /* none: metadata, as C's key list */
			read->n_bin_names = n_names;
		}
	}
	if (r.p != r.end) {
		as_batch_records_destroy(records);
		return NULL;
	}
	return records;
}

/* The Client's batch_get (GET, EXISTS) or batch_remove (REMOVE) of n key tuples (a msgpack
 * array) as one aerospike_batch_read_async / _write_async; its rows (`form`) come back in
 * the completion. ASC_BAD_INPUT: a key this path does not take (nothing sent). The records
 * hold no operations, so C cannot fail after queueing part of the batch (only when an
 * event loop is gone, which the bindings' lifecycle rules out): an error it returns frees
 * them here. */
static as_status
asc_async_batch_keys(asc_instance* inst, asc_queue* q, uint64_t id, as_error* err, int kind,
	const as_policy_batch* policy, const uint8_t* keys, uint32_t size, uint32_t n,
	char** bin_names, uint32_t n_bins, int form, as_event_loop* event_loop)
{
	char* names = NULL;
	if (kind == ASC_BATCH_KEYS_GET && bin_names != NULL &&
			(names = asc_bin_names_copy(bin_names, n_bins)) == NULL) {
		return ASC_BAD_OUTPUT;
	}
	as_batch_records* records = asc_batch_records_from_keys(kind, keys, size, n, names, n_bins);
	if (records == NULL) {
		cf_free(names);
		return ASC_BAD_INPUT;
	}
	asc_batch_cmd* b;
	as_status status = asc_batch_cmd_start(inst, q, id, &b);
	if (status != AEROSPIKE_OK) {
		as_batch_records_destroy(records);
		cf_free(names);
		return status;
	}
	b->records = records;
	b->names = names;
	b->form = form;
	status = kind == ASC_BATCH_KEYS_REMOVE
		? aerospike_batch_write_async(inst->ptr, err, policy, records, asc_on_batch, b, event_loop)
		: aerospike_batch_read_async(inst->ptr, err, policy, records, asc_on_batch, b, event_loop);
	if (status != AEROSPIKE_OK) {
		as_batch_records_destroy(records);
		cf_free(names);
	}
	return asc_batch_cmd_submitted(status, b);
}

/* -- info -- */

static void
asc_on_info(as_error* err, char* response, void* udata, as_event_loop* event_loop)
{
	asc_completion c = {0};
	if (err == NULL && response != NULL) {
		size_t len = strlen(response);
		if ((c.data = (uint8_t*)cf_malloc(len + 1)) != NULL) {
			memcpy(c.data, response, len + 1);
			c.size = (uint32_t)len;
		}
		else {
			c.status = AEROSPIKE_ERR_CLIENT;
		}
	}
	asc_async_finish((asc_async_cmd*)udata, err, &c, event_loop);
}

/* aerospike_info_node_async() to the node named node_name (NULL: a random node, as
 * aerospike_info_any); the command holds a reference on the node until it completes.
 * AEROSPIKE_ERR_INVALID_NODE (err set) when there is no such node. */
static as_status
asc_async_info(asc_instance* inst, asc_queue* q, uint64_t id, as_error* err,
	as_policy_info* policy, const char* node_name, const char* req, as_event_loop* event_loop)
{
	asc_async_cmd* cmd;
	as_status status = asc_async_start(inst, q, id, ASC_RESULT_NONE, NULL, &cmd);
	if (status != AEROSPIKE_OK) {
		return status;
	}
	as_cluster* cluster = inst->ptr->cluster;
	as_node* node = node_name ? as_node_get_by_name(cluster, node_name)
		: as_node_get_random(cluster);
	if (node == NULL) {
		if (node_name != NULL) {
			status = as_error_update(err, AEROSPIKE_ERR_INVALID_NODE, "Node not found: %s",
				node_name);
		}
		else {
			status = as_error_set_message(err, AEROSPIKE_ERR_CLIENT, "Failed to find server node.");
		}
		return asc_async_submitted(status, cmd);
	}
	/* The reference passes to the command (released when it completes, or by C on an error
	 * it returns). */
	status = aerospike_info_node_async(inst->ptr, err, policy, node, req, asc_on_info, cmd,
		event_loop);
	return asc_async_submitted(status, cmd);
}

/* -- transactions -- */

/* A command's result kind (asc_async_cmd.result) for aio's commit/abort: the error rides
 * along with the status (completion status OK, ttl 1, err set), so Python gets both. */
#define ASC_RESULT_ERROR_ALONG 0x80

static void
asc_on_txn_end(as_error* err, int status, void* udata, as_event_loop* event_loop)
{
	asc_async_cmd* cmd = (asc_async_cmd*)udata;
	asc_completion c = {0};
	c.gen = (uint32_t)status;
	if (err != NULL && cmd->result == ASC_RESULT_ERROR_ALONG) {
		c.ttl = 1;
		if ((c.err = (as_error*)cf_malloc(sizeof(as_error))) != NULL) {
			as_error_copy(c.err, err);
		}
		else {
			c.status = AEROSPIKE_ERR_CLIENT;
		}
		err = NULL;
	}
	asc_async_finish(cmd, err, &c, event_loop);
}

static void
asc_on_commit(as_error* err, as_commit_status status, void* udata, as_event_loop* event_loop)
{
	asc_on_txn_end(err, (int)status, udata, event_loop);
}

static void
asc_on_abort(as_error* err, as_abort_status status, void* udata, as_event_loop* event_loop)
{
	asc_on_txn_end(err, (int)status, udata, event_loop);
}

/* aerospike_commit_async() (abort false) or aerospike_abort_async() of txn, which must stay
 * alive until the completion; along: the error rides along with the status. */
static as_status
asc_async_txn_end(asc_instance* inst, asc_queue* q, uint64_t id, as_error* err, bool abort,
	bool along, as_txn* txn, as_event_loop* event_loop)
{
	asc_async_cmd* cmd;
	as_status status = asc_async_start(inst, q, id,
		along ? ASC_RESULT_ERROR_ALONG : ASC_RESULT_NONE, NULL, &cmd);
	if (status != AEROSPIKE_OK) {
		return status;
	}
	status = abort ? aerospike_abort_async(inst->ptr, err, txn, asc_on_abort, cmd, event_loop)
		: aerospike_commit_async(inst->ptr, err, txn, asc_on_commit, cmd, event_loop);
	return asc_async_submitted(status, cmd);
}
