/*
 * One C call per single-record command of the Client (get, put, exists, remove, operate).
 * Between two round trips every Python or cffi call is paid cold, so each helper reads the
 * key from one msgpack key tuple (asc_read_key, so Python checks nothing itself), runs the
 * aerospike_key_* command and packs the result as one plain msgpack buffer
 * [gen, ttl, digest, bins] (the packer of aerospike_c.h) that Python decodes in one call. Bins to write and operations come in as one msgpack buffer each.
 * None of this touches Python objects, so the GIL stays released for the whole call.
 *
 * Each counts itself in and out of the instance (asc_enter/asc_exit of aerospike_c.h):
 * ASC_BUSY (a close/destroy is running), ASC_DEAD (destroyed, or a fork's child) and
 * ASC_NOT_CONNECTED (as->cluster is NULL: the C client would crash): nothing was done.
 * ASC_BAD_INPUT: the key, bins or operations were not what these readers take (a bin name over
 * 15 bytes, a value C refuses ...); nothing was sent, and Python takes its slower path that
 * names the offending part. Declared for cffi in cdefs/asc_key.h.
 */
#pragma once

#include <aerospike/aerospike_key.h>
#include <aerospike/as_operations.h>
#include "aerospike_c.h"

#define ASC_BAD_INPUT -1000
#define ASC_BAD_OUTPUT -1001
#define ASC_NOT_CONNECTED -1002

#define ASC_OP_WRITE 0
#define ASC_OP_READ 1
#define ASC_OP_READ_ALL 2
#define ASC_OP_INCR 3
#define ASC_OP_INCR_DOUBLE 4
#define ASC_OP_APPEND_STR 5
#define ASC_OP_APPEND_RAW 6
#define ASC_OP_PREPEND_STR 7
#define ASC_OP_PREPEND_RAW 8
#define ASC_OP_TOUCH 9
#define ASC_OP_DELETE 10

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

/* Reset the scratch and count the call in (asc_enter): AEROSPIKE_OK, ASC_BUSY, ASC_DEAD,
 * or ASC_NOT_CONNECTED (nothing counted). Pair AEROSPIKE_OK with asc_exit(). */
static as_status
asc_key_start(asc_instance* inst, asc_key_io* io)
{
	as_error_reset(&io->err);
	io->big = NULL;
	io->size = 0;
	int status = asc_enter(inst);
	if (status == 0 && inst->ptr->cluster == NULL) {
		asc_exit(inst);
		status = ASC_NOT_CONNECTED;
	}
	return (as_status)status;
}

/* aerospike_key_get(): the record as [gen, ttl, digest, {bins}] in io. */
static as_status
asc_key_get(asc_instance* inst, asc_key_io* io, const as_policy_read* policy,
	const uint8_t* key_data, uint32_t key_size)
{
	as_key key;
	as_record* rec = NULL;
	if (! asc_key_read(&key, key_data, key_size)) {
		return ASC_BAD_INPUT;
	}
	as_status status = asc_key_start(inst, io);
	if (status == AEROSPIKE_OK) {
		status = aerospike_key_get(inst->ptr, &io->err, policy, &key, &rec);
		asc_exit(inst);
	}
	if (status == AEROSPIKE_OK) {
		status = asc_key_pack(io, &key, rec, false);
	}
	if (rec) {
		as_record_destroy(rec);
	}
	as_key_destroy(&key);
	return status;
}

/* aerospike_key_exists(): the record's gen and ttl in io. */
static as_status
asc_key_exists(asc_instance* inst, asc_key_io* io, const as_policy_read* policy,
	const uint8_t* key_data, uint32_t key_size)
{
	as_key key;
	as_record* rec = NULL;
	if (! asc_key_read(&key, key_data, key_size)) {
		return ASC_BAD_INPUT;
	}
	as_status status = asc_key_start(inst, io);
	if (status == AEROSPIKE_OK) {
		status = aerospike_key_exists(inst->ptr, &io->err, policy, &key, &rec);
		asc_exit(inst);
	}
	if (rec) {
		io->gen = rec->gen;
		io->ttl = rec->ttl;
		as_record_destroy(rec);
	}
	as_key_destroy(&key);
	return status;
}

/* aerospike_key_remove(). */
static as_status
asc_key_remove(asc_instance* inst, asc_key_io* io, const as_policy_remove* policy,
	const uint8_t* key_data, uint32_t key_size)
{
	as_key key;
	if (! asc_key_read(&key, key_data, key_size)) {
		return ASC_BAD_INPUT;
	}
	as_status status = asc_key_start(inst, io);
	if (status == AEROSPIKE_OK) {
		status = aerospike_key_remove(inst->ptr, &io->err, policy, &key);
		asc_exit(inst);
	}
	as_key_destroy(&key);
	return status;
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

/* aerospike_key_put() of the bins in `bins` (a msgpack map {name: value}). */
static as_status
asc_key_put(asc_instance* inst, asc_key_io* io, const as_policy_write* policy,
	const uint8_t* key_data, uint32_t key_size,
	const uint8_t* bins, uint32_t size, uint32_t ttl, uint16_t gen)
{
	as_key key;
	as_record rec;
	if (! asc_key_put_read(&key, key_data, key_size, &rec, bins, size, ttl, gen)) {
		return ASC_BAD_INPUT;
	}
	as_status status = asc_key_start(inst, io);
	if (status == AEROSPIKE_OK) {
		status = aerospike_key_put(inst->ptr, &io->err, policy, &key, &rec);
		asc_exit(inst);
	}
	as_record_destroy(&rec);
	as_key_destroy(&key);
	return status;
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

/* aerospike_key_operate() of the operations in `operations` (a msgpack array of
 * [code, bin, args...]): the record as [gen, ttl, digest, bins] in io (bins a map, or
 * with flat a list [name, value, ...] keeping repeats), nil when C returned none. */
static as_status
asc_key_operate(asc_instance* inst, asc_key_io* io, const as_policy_operate* policy,
	const uint8_t* key_data, uint32_t key_size,
	const uint8_t* operations, uint32_t size, uint32_t ttl, uint16_t gen, bool flat)
{
	as_key key;
	as_operations ops;
	as_record* rec = NULL;
	if (! asc_key_operate_read(&key, key_data, key_size, &ops, operations, size, ttl, gen)) {
		return ASC_BAD_INPUT;
	}
	as_status status = asc_key_start(inst, io);
	if (status == AEROSPIKE_OK) {
		status = aerospike_key_operate(inst->ptr, &io->err, policy, &key, &ops, &rec);
		asc_exit(inst);
	}
	as_operations_destroy(&ops);
	if (status == AEROSPIKE_OK) {
		status = asc_key_pack(io, &key, rec, flat);
	}
	if (rec) {
		as_record_destroy(rec);
	}
	as_key_destroy(&key);
	return status;
}
