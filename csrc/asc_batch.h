/*
 * Multi-record results in bulk: batch reads and scans/queries cross into Python as ONE
 * msgpack buffer per batch (per chunk of records for a scan), decoded by one
 * msgpack.unpackb, instead of several cffi calls per record. Declared in cdefs/asc_batch.h.
 * Uses the plain-msgpack packer and reader of aerospike_c.h (asc_pack_val, asc_read_*).
 */
#pragma once

#include <pthread.h>
#include "aerospike_c.h"
#include "asc_key.h"
#include <aerospike/as_batch.h>
#include <aerospike/aerospike_batch.h>

/* A key as key_to_python() gives it: [ns, set | nil, user key | nil, digest | nil]. */
static int
asc_pack_key(as_packer* pk, const as_key* key)
{
	size_t set_len = strlen(key->set);
	if (as_pack_list_header(pk, 4) != 0 ||
			as_pack_str(pk, (const uint8_t*)key->ns, (uint32_t)strlen(key->ns)) != 0 ||
			(set_len ? as_pack_str(pk, (const uint8_t*)key->set, (uint32_t)set_len)
				: as_pack_nil(pk)) != 0 ||
			asc_pack_val(pk, (const as_val*)key->valuep, 0) != 0) {
		return -1;
	}
	return key->digest.init ? as_pack_bin(pk, key->digest.value, AS_DIGEST_VALUE_SIZE)
			: as_pack_nil(pk);
}

/*
 * One batch result (of a key list, or a batch record) as a row
 * [key, result, subcode, message | nil, in_doubt, gen, ttl, bins | nil] (bins only for OK).
 */
static int
asc_pack_batch_row(as_packer* pk, const as_key* key, const as_record* rec, as_status result,
	uint32_t subcode, const char* message, bool in_doubt)
{
	return (as_pack_list_header(pk, 8) != 0 || asc_pack_key(pk, key) != 0 ||
			as_pack_int64(pk, result) != 0 || as_pack_uint64(pk, subcode) != 0 ||
			(message ? as_pack_str(pk, (const uint8_t*)message, (uint32_t)strlen(message))
				: as_pack_nil(pk)) != 0 ||
			as_pack_bool(pk, in_doubt) != 0 ||
			as_pack_uint64(pk, rec->gen) != 0 || as_pack_uint64(pk, rec->ttl) != 0 ||
			(result == AEROSPIKE_OK ? asc_pack_bins_as(pk, rec, false) : as_pack_nil(pk)) != 0) ? -1 : 0;
}

/* Row forms of a key-list batch read: the full row above, or the one-call read's lean rows
 * (asc_batch_get): nil where not found, [code, subcode, message | nil, in_doubt, nil] for
 * another failure, and for a record [gen, ttl, digest, bins] (ASC_ROWS_RECORDS) or its
 * bins alone (ASC_ROWS_BINS). Python has the keys it asked for already. */
#define ASC_ROWS_FULL 0
#define ASC_ROWS_RECORDS 1
#define ASC_ROWS_BINS 2

typedef struct {
	const as_batch_result* results;
	uint32_t n;
	int form;
} asc_batch_results;

static int
asc_pack_lean_fields(as_packer* pk, const as_key* key, const as_record* rec, as_status result,
	uint32_t subcode, const char* message, bool in_doubt, int form)
{
	if (result == AEROSPIKE_ERR_RECORD_NOT_FOUND) {
		return as_pack_nil(pk);
	}
	if (result != AEROSPIKE_OK) {
		return (as_pack_list_header(pk, 5) != 0 || as_pack_int64(pk, result) != 0 ||
				as_pack_uint64(pk, subcode) != 0 ||
				(message ? as_pack_str(pk, (const uint8_t*)message,
					(uint32_t)strlen(message)) : as_pack_nil(pk)) != 0 ||
				as_pack_bool(pk, in_doubt) != 0 || as_pack_nil(pk) != 0) ? -1 : 0;
	}
	if (form == ASC_ROWS_RECORDS && (as_pack_list_header(pk, 4) != 0 ||
			as_pack_uint64(pk, rec->gen) != 0 || as_pack_uint64(pk, rec->ttl) != 0 ||
			as_pack_bin(pk, key->digest.value, AS_DIGEST_VALUE_SIZE) != 0)) {
		return -1;
	}
	return asc_pack_bins_as(pk, rec, false);
}

static int
asc_pack_lean_row(as_packer* pk, const as_batch_result* r, int form)
{
	return asc_pack_lean_fields(pk, r->key, &r->record, r->result, r->subcode, r->message,
		r->in_doubt, form);
}

/* Every result of a key-list batch call as one array of rows. */
static int
asc_pack_batch_results(as_packer* pk, const void* what)
{
	const asc_batch_results* all = (const asc_batch_results*)what;
	if (as_pack_list_header(pk, all->n) != 0) {
		return -1;
	}
	for (uint32_t i = 0; i < all->n; i++) {
		const as_batch_result* r = &all->results[i];
		if ((all->form == ASC_ROWS_FULL
				? asc_pack_batch_row(pk, r->key, &r->record, r->result, r->subcode, r->message,
					r->in_doubt)
				: asc_pack_lean_row(pk, r, all->form)) != 0) {
			return -1;
		}
	}
	return 0;
}

/* Every record of an as_batch_records (after the call) as one array of rows. */
static int
asc_pack_batch_records(as_packer* pk, const void* what)
{
	const as_vector* list = &((const as_batch_records*)what)->list;
	if (as_pack_list_header(pk, list->size) != 0) {
		return -1;
	}
	for (uint32_t i = 0; i < list->size; i++) {
		const as_batch_base_record* r =
			(const as_batch_base_record*)((const char*)list->list + (size_t)i * list->item_size);
		if (asc_pack_batch_row(pk, &r->key, &r->record, r->result, r->subcode, r->message,
				r->in_doubt) != 0) {
			return -1;
		}
	}
	return 0;
}

/* The rows of a batch records call as one cf_malloc'd msgpack buffer (free() it). */
static uint8_t*
asc_batch_records_to_msgpack(const as_batch_records* records, uint32_t* size)
{
	return asc_pack_twice(asc_pack_batch_records, records, size);
}

/* Bytes per result of the last batch: the next batch is packed in one pass into a buffer
 * of that guess (untouched pages cost nothing), and sized first only when it does not fit. */
static uint32_t asc_batch_result_size_hint = 256;

/* The results as one cf_malloc'd msgpack buffer of rows of `form` (free() it); NULL when a
 * value has no Python value. */
static uint8_t*
asc_batch_rows_to_msgpack(const as_batch_result* results, uint32_t n, int form, uint32_t* size)
{
	asc_batch_results all = {results, n, form};
	uint32_t hint = __atomic_load_n(&asc_batch_result_size_hint, __ATOMIC_RELAXED);
	uint64_t guess = (uint64_t)n * (hint + hint / 4) + 64;
	uint8_t* buffer = NULL;
	if (guess <= INT32_MAX) {
		as_packer pk = {.head = NULL, .tail = NULL, .buffer = NULL, .offset = 0,
			.capacity = (uint32_t)guess};
		pk.buffer = (unsigned char*)cf_malloc(pk.capacity);
		if (pk.buffer && asc_pack_batch_results(&pk, &all) == 0) {
			*size = pk.offset;
			buffer = pk.buffer;
		}
		else {
			cf_free(pk.buffer);
		}
	}
	if (buffer == NULL) {
		buffer = asc_pack_twice(asc_pack_batch_results, &all, size);
	}
	if (buffer != NULL && n) {
		__atomic_store_n(&asc_batch_result_size_hint, *size / n + 1, __ATOMIC_RELAXED);
	}
	return buffer;
}

static uint8_t*
asc_batch_results_to_msgpack(const as_batch_result* results, uint32_t n, uint32_t* size)
{
	return asc_batch_rows_to_msgpack(results, n, ASC_ROWS_FULL, size);
}

/*
 * as_batch_init() with every key zeroed (as_batch_destroy() destroys each one, set or not),
 * in one call: an asynchronous exception in Python never finds the keys half-initialized.
 * The keys are calloc'ed (as_batch_init's malloc then a memset wrote every page of a large
 * batch at once); false when there is no memory for them (C's as_batch_init then leaves the
 * batch untouched: an empty batch standing for the size asked).
 */
static bool
asc_batch_init(as_batch* batch, uint32_t size)
{
	as_key* entries = NULL;
	if (size != 0) {
		entries = (as_key*)cf_calloc(size, sizeof(as_key));
		if (entries == NULL) {
			return false;
		}
	}
	batch->_free = false;
	batch->keys._free = true;
	batch->keys.size = size;
	batch->keys.entries = entries;
	return true;
}

/*
 * Set the keys of `batch` from a msgpack array of keys (tuples packed by Python), in order.
 * Returns how many were set: a key C does not take (wrong shape or type, name too long,
 * int out of range) stops there and Python sets it, and the rest, one by one for the error.
 */
static uint32_t
asc_batch_set_keys(as_batch* batch, const uint8_t* buf, uint32_t size)
{
	asc_reader r = {buf, buf + size};
	uint64_t n;
	if (! asc_read_header(&r, false, &n)) {
		return 0;
	}
	uint32_t done = 0;
	while (done < n && done < batch->keys.size) {
		as_key* key = &batch->keys.entries[done];
		as_key_destroy(key);
		memset(key, 0, sizeof(as_key));
		if (! asc_read_key(&r, key)) {
			memset(key, 0, sizeof(as_key));
			break;
		}
		done++;
	}
	return done;
}

/*
 * Scans and queries: the C client calls asc_scan_chunk_callback per record (from several
 * threads for a concurrent scan); it packs each record into the chunk buffer and hands
 * Python every `chunk` records at once (and the rest at the end), one call at a time
 * (the mutex). Items: a record as [key | nil, gen, ttl, bins], another value (a query's
 * aggregation) as [value]. Once Python says stop, every later call returns false.
 */
/* A chunk goes to Python at `chunk` records or this many bytes, whichever comes first. */
#define ASC_SCAN_CHUNK_BYTES (1u << 20)

typedef struct asc_scan_chunker_s {
	pthread_mutex_t lock;
	void* udata;
	uint8_t* buffer;
	uint32_t size;
	uint32_t capacity;
	uint32_t count;
	uint32_t chunk;
	bool stopped;
} asc_scan_chunker;

/* status: 0 records, 1 the end (after the records), 2 a value with no Python value. */
static bool asc_scan_chunk_to_python(void* udata, const uint8_t* buffer, uint32_t size,
	uint32_t count, int status);

static asc_scan_chunker*
asc_scan_chunker_new(void* udata, uint32_t chunk)
{
	asc_scan_chunker* c = (asc_scan_chunker*)calloc(1, sizeof(asc_scan_chunker));
	if (c) {
		pthread_mutex_init(&c->lock, NULL);
		c->udata = udata;
		c->chunk = chunk ? chunk : 1;
	}
	return c;
}

static void
asc_scan_chunker_free(asc_scan_chunker* c)
{
	if (c) {
		pthread_mutex_destroy(&c->lock);
		free(c->buffer);
		free(c);
	}
}

static int
asc_pack_scan_item(as_packer* pk, const void* what)
{
	const as_val* v = (const as_val*)what;
	if (v->type != AS_REC) {
		return as_pack_list_header(pk, 1) != 0 ? -1 : asc_pack_val(pk, v, 0);
	}
	const as_record* rec = (const as_record*)v;
	if (as_pack_list_header(pk, 4) != 0 ||
			(rec->key.ns[0] ? asc_pack_key(pk, &rec->key) : as_pack_nil(pk)) != 0 ||
			as_pack_uint64(pk, rec->gen) != 0 || as_pack_uint64(pk, rec->ttl) != 0) {
		return -1;
	}
	return asc_pack_bins_as(pk, rec, false);
}

/* Append one item (sized first, then written in place); false when it cannot be packed. */
static bool
asc_scan_chunker_add(asc_scan_chunker* c, const as_val* v)
{
	if (c->size == 0 && c->capacity > 5) {
		c->size = 5;  /* room for the array32 header flush() writes */
	}
	if (c->size && c->size < c->capacity) {  /* one pass when it fits */
		as_packer direct = {.head = NULL, .tail = NULL, .buffer = c->buffer + c->size,
			.offset = 0, .capacity = c->capacity - c->size};
		if (asc_pack_scan_item(&direct, v) == 0) {
			c->size += direct.offset;
			c->count++;
			return true;
		}
	}
	as_packer pk = {.head = NULL, .tail = NULL, .buffer = NULL, .offset = 0, .capacity = 0};
	if (asc_pack_scan_item(&pk, v) != 0) {
		return false;
	}
	uint32_t need = pk.offset;
	if (c->size == 0) {
		c->size = 5;  /* room for the array32 header flush() writes */
	}
	if (c->size + need > c->capacity) {
		uint32_t capacity = c->capacity ? c->capacity : 4096;
		while (capacity < c->size + need) {
			capacity *= 2;
		}
		uint8_t* grown = (uint8_t*)realloc(c->buffer, capacity);
		if (grown == NULL) {
			return false;
		}
		c->buffer = grown;
		c->capacity = capacity;
	}
	pk.buffer = c->buffer + c->size;
	pk.capacity = need;
	pk.offset = 0;
	if (asc_pack_scan_item(&pk, v) != 0) {
		return false;
	}
	c->size += need;
	c->count++;
	return true;
}

/* Python gets one msgpack array of the buffered items (size 0 when there are none). */
static bool
asc_scan_chunker_flush(asc_scan_chunker* c, int status)
{
	if (c->count) {
		c->buffer[0] = 0xdd;
		c->buffer[1] = (uint8_t)(c->count >> 24);
		c->buffer[2] = (uint8_t)(c->count >> 16);
		c->buffer[3] = (uint8_t)(c->count >> 8);
		c->buffer[4] = (uint8_t)c->count;
	}
	bool go_on = asc_scan_chunk_to_python(c->udata, c->buffer, c->count ? c->size : 0, c->count,
		status);
	c->size = 0;
	c->count = 0;
	if (! go_on) {
		c->stopped = true;
	}
	return go_on;
}

static bool
asc_scan_chunk_callback(const as_val* v, void* udata)
{
	asc_scan_chunker* c = (asc_scan_chunker*)udata;
	bool go_on;
	pthread_mutex_lock(&c->lock);
	if (c->stopped) {
		go_on = false;
	}
	else if (v == NULL) {
		go_on = asc_scan_chunker_flush(c, 1);
	}
	else if (! asc_scan_chunker_add(c, v)) {
		go_on = asc_scan_chunker_flush(c, 2);
	}
	else {
		go_on = (c->count < c->chunk && c->size < ASC_SCAN_CHUNK_BYTES) ||
				asc_scan_chunker_flush(c, 0);
	}
	pthread_mutex_unlock(&c->lock);
	return go_on;
}

/* After the C call: hand Python what is still buffered (a scan that failed part-way). */
static void
asc_scan_chunker_finish(asc_scan_chunker* c)
{
	pthread_mutex_lock(&c->lock);
	if (! c->stopped && c->count) {
		asc_scan_chunker_flush(c, 0);
	}
	pthread_mutex_unlock(&c->lock);
}

/*
 * The Client's scan_foreach: a chunk's records straight to Python objects and the callback
 * (bindings/asc_batch.py calls it with the GIL held, in asc_scan_chunk_to_python), instead
 * of msgpack.unpackb and a Python loop building each Record. The chunk is what
 * asc_pack_scan_item wrote; values decode as bindings/as_val.py's unpacker decodes them.
 */
static PyObject* asc_py_unpack(asc_reader* r, uint32_t depth);
static PyObject* asc_py_unpack_name(asc_reader* r, asc_py_names* names);

static PyObject*
asc_py_unpack_text(asc_reader* r, uint64_t n, bool text)
{
	const uint8_t* data = asc_read_bytes(r, n);
	if (data == NULL) {
		return NULL;
	}
	return text ? PyUnicode_DecodeUTF8((const char*)data, (Py_ssize_t)n, "surrogateescape")
		: PyBytes_FromStringAndSize((const char*)data, (Py_ssize_t)n);
}

static PyObject*
asc_py_unpack_list(asc_reader* r, uint64_t n, uint32_t depth)
{
	if (depth > 256 || n > (uint64_t)(r->end - r->p)) {
		return NULL;
	}
	PyObject* out = PyList_New((Py_ssize_t)n);
	for (uint64_t i = 0; out != NULL && i < n; i++) {
		PyObject* item = asc_py_unpack(r, depth + 1);
		if (item == NULL) {
			Py_CLEAR(out);
		}
		else {
			PyList_SetItem(out, (Py_ssize_t)i, item);
		}
	}
	return out;
}

/* A map of n entries; names: keys that are short strings from that cache (a record's bins). */
static PyObject*
asc_py_unpack_map(asc_reader* r, uint64_t n, uint32_t depth, asc_py_names* names)
{
	if (depth > 256 || n > (uint64_t)(r->end - r->p) / 2) {
		return NULL;
	}
	PyObject* out = PyDict_New();
	for (uint64_t i = 0; out != NULL && i < n; i++) {
		PyObject* k = names ? asc_py_unpack_name(r, names) : asc_py_unpack(r, depth + 1);
		PyObject* v = k ? asc_py_unpack(r, depth + 1) : NULL;
		if (v == NULL || PyDict_SetItem(out, k, v) != 0) {
			Py_CLEAR(out);
		}
		Py_XDECREF(k);
		Py_XDECREF(v);
	}
	return out;
}

static PyObject*
asc_py_unpack_ext(asc_reader* r, uint64_t n)
{
	uint64_t type;
	if (! asc_read_be(r, 1, &type)) {
		return NULL;
	}
	switch (type) {
	case ASC_EXT_GEOJSON: {
		PyObject* text = asc_py_unpack_text(r, n, true);
		PyObject* geo = text ? PyObject_CallFunctionObjArgs(asc_py_geojson, text, NULL) : NULL;
		Py_XDECREF(text);
		return geo;
	}
	case ASC_EXT_WILDCARD:
	case ASC_EXT_INF:
		if (asc_read_bytes(r, n) == NULL) {
			return NULL;
		}
		Py_INCREF(type == ASC_EXT_INF ? asc_py_inf : asc_py_wildcard);
		return type == ASC_EXT_INF ? asc_py_inf : asc_py_wildcard;
	default:
		return NULL;
	}
}

/* One msgpack value as Python; NULL: an exception is set, or the input is not ours (then
 * the caller raises). */
static PyObject*
asc_py_unpack(asc_reader* r, uint32_t depth)
{
	uint64_t n;
	if (r->p >= r->end) {
		return NULL;
	}
	uint8_t b = *r->p++;
	if (b <= 0x7f || b >= 0xe0) {
		return PyLong_FromLong((long)(int8_t)b);
	}
	if ((b & 0xe0) == 0xa0) {
		return asc_py_unpack_text(r, b & 0x1f, true);
	}
	if ((b & 0xf0) == 0x90) {
		return asc_py_unpack_list(r, b & 0x0f, depth);
	}
	if ((b & 0xf0) == 0x80) {
		return asc_py_unpack_map(r, b & 0x0f, depth, NULL);
	}
	switch (b) {
	case 0xc0:
		Py_RETURN_NONE;
	case 0xc2:
		Py_RETURN_FALSE;
	case 0xc3:
		Py_RETURN_TRUE;
	case 0xd9: case 0xda: case 0xdb:
		return asc_read_be(r, 1u << (b - 0xd9), &n) ? asc_py_unpack_text(r, n, true) : NULL;
	case 0xc4: case 0xc5: case 0xc6:
		return asc_read_be(r, 1u << (b - 0xc4), &n) ? asc_py_unpack_text(r, n, false) : NULL;
	case 0xcc: case 0xcd: case 0xce: case 0xcf:
		return asc_read_be(r, 1u << (b - 0xcc), &n) ? PyLong_FromUnsignedLongLong(n) : NULL;
	case 0xd0:
		return asc_read_be(r, 1, &n) ? PyLong_FromLong((int8_t)n) : NULL;
	case 0xd1:
		return asc_read_be(r, 2, &n) ? PyLong_FromLong((int16_t)n) : NULL;
	case 0xd2:
		return asc_read_be(r, 4, &n) ? PyLong_FromLong((int32_t)n) : NULL;
	case 0xd3:
		return asc_read_be(r, 8, &n) ? PyLong_FromLongLong((int64_t)n) : NULL;
	case 0xca: {
		uint32_t bits;
		float f;
		if (! asc_read_be(r, 4, &n)) {
			return NULL;
		}
		bits = (uint32_t)n;
		memcpy(&f, &bits, sizeof(f));
		return PyFloat_FromDouble(f);
	}
	case 0xcb: {
		double d;
		if (! asc_read_be(r, 8, &n)) {
			return NULL;
		}
		memcpy(&d, &n, sizeof(d));
		return PyFloat_FromDouble(d);
	}
	case 0xdc: case 0xdd:
		return asc_read_be(r, b == 0xdc ? 2 : 4, &n) ? asc_py_unpack_list(r, n, depth) : NULL;
	case 0xde: case 0xdf:
		return asc_read_be(r, b == 0xde ? 2 : 4, &n) ? asc_py_unpack_map(r, n, depth, NULL) : NULL;
	case 0xd4: case 0xd5: case 0xd6: case 0xd7: case 0xd8:
		return asc_py_unpack_ext(r, 1u << (b - 0xd4));
	case 0xc7: case 0xc8: case 0xc9:
		return asc_read_be(r, 1u << (b - 0xc7), &n) ? asc_py_unpack_ext(r, n) : NULL;
	default:
		return NULL;
	}
}

/* A str (a new reference), from the cache when it is a short one seen before. */
static PyObject*
asc_py_unpack_name(asc_reader* r, asc_py_names* names)
{
	uint64_t n;
	if (r->p >= r->end) {
		return NULL;
	}
	uint8_t b = *r->p;
	if ((b & 0xe0) == 0xa0) {
		n = b & 0x1f;
	}
	else if (b == 0xd9 && r->end - r->p >= 2) {
		n = r->p[1];
	}
	else {
		return asc_py_unpack(r, 0);  /* not a str of <= 255 bytes: as any value */
	}
	const uint8_t* text = r->p + (b == 0xd9 ? 2 : 1);
	if (n >= AS_SET_MAX_SIZE || (uint64_t)(r->end - text) < n) {
		return asc_py_unpack(r, 0);
	}
	r->p = text + n;
	return asc_py_names_get(names, (const char*)text, (size_t)n);
}

/* A key [ns, set | nil, user key | nil, digest | nil] as a tuple; nil as None. */
static PyObject*
asc_py_unpack_key(asc_reader* r, asc_py_names* names)
{
	uint64_t n;
	if (r->p < r->end && *r->p == 0xc0) {
		r->p++;
		Py_RETURN_NONE;
	}
	if (! asc_read_header(r, false, &n) || n != 4) {
		return NULL;
	}
	PyObject* key = PyTuple_New(4);
	for (Py_ssize_t i = 0; key != NULL && i < 4; i++) {
		PyObject* item = i < 2 ? asc_py_unpack_name(r, names) : asc_py_unpack(r, 0);
		if (item == NULL) {
			Py_CLEAR(key);
		}
		else {
			PyTuple_SetItem(key, i, item);
		}
	}
	return key;
}

/* A record's bins {name: value}. */
static PyObject*
asc_py_unpack_bins(asc_reader* r, asc_py_names* names)
{
	uint64_t n;
	return asc_read_header(r, true, &n) ? asc_py_unpack_map(r, n, 0, names) : NULL;
}

/* Record(key, {"gen": gen, "ttl": ttl}, the bins read next); takes over key (which may
 * be NULL: then nothing is built), borrows gen and ttl. */
static PyObject*
asc_py_make_record(PyObject* key, PyObject* gen, PyObject* ttl, asc_reader* r,
	asc_py_names* names)
{
	PyObject* items[3] = {key, NULL, NULL};
	if (key != NULL) {
		items[1] = PyDict_New();
		if (items[1] != NULL && (PyDict_SetItem(items[1], asc_py_s_gen, gen) != 0 ||
				PyDict_SetItem(items[1], asc_py_s_ttl, ttl) != 0)) {
			Py_CLEAR(items[1]);
		}
	}
	items[2] = items[1] ? asc_py_unpack_bins(r, names) : NULL;
	PyObject* out = items[2] ? PyType_GenericAlloc((PyTypeObject*)asc_py_record_type, 3) : NULL;
	for (Py_ssize_t i = 0; i < 3; i++) {
		if (out != NULL) {
			PyTuple_SetItem(out, i, items[i]);
		}
		else {
			Py_XDECREF(items[i]);
		}
	}
	return out;
}

/* A scan item [key | nil, gen, ttl, bins] as Record(key tuple | None, {"gen", "ttl"}, bins). */
static PyObject*
asc_py_unpack_record(asc_reader* r, asc_py_names* names)
{
	uint64_t n;
	if (! asc_read_header(r, false, &n) || n != 4) {
		return NULL;
	}
	PyObject* key = asc_py_unpack_key(r, names);
	PyObject* gen = key ? asc_py_unpack(r, 0) : NULL;
	PyObject* ttl = gen ? asc_py_unpack(r, 0) : NULL;
	if (ttl == NULL) {
		Py_CLEAR(key);
	}
	PyObject* out = asc_py_make_record(key, gen, ttl, r, names);
	Py_XDECREF(gen);
	Py_XDECREF(ttl);
	return out;
}

/* scan_each(buffer_address, size, function): function(Record) for each record of a chunk;
 * True when a false return (not None) stopped it. */
static PyObject*
asc_py_scan_each(PyObject* self, PyObject* args)
{
	PyObject* a[3];
	uint64_t n;
	(void)self;
	if (! asc_py_args(args, 3, a)) {
		return NULL;
	}
	if (asc_py_record_type == NULL) {
		PyErr_SetString(PyExc_RuntimeError, "scan_each: asc_key's setup() has not run");
		return NULL;
	}
	const uint8_t* buffer = (const uint8_t*)PyLong_AsVoidPtr(a[0]);
	Py_ssize_t size = PyLong_AsSsize_t(a[1]);
	if (PyErr_Occurred()) {
		return NULL;
	}
	asc_reader r = {buffer, buffer + size};
	if (! asc_read_header(&r, false, &n)) {
		PyErr_SetString(PyExc_ValueError, "scan_each: not a chunk of records");
		return NULL;
	}
	asc_py_names names;
	names.n = 0;
	int stop = 0;
	for (uint64_t i = 0; stop == 0 && i < n; i++) {
		PyObject* record = asc_py_unpack_record(&r, &names);
		if (record == NULL) {
			if (! PyErr_Occurred()) {
				PyErr_SetString(PyExc_ValueError, "scan_each: not a chunk of records");
			}
			stop = -1;
			break;
		}
		PyObject* result = PyObject_CallFunctionObjArgs(a[2], record, NULL);
		Py_DECREF(record);
		stop = result == NULL ? -1 : result == Py_None ? 0 : PyObject_Not(result);
		Py_XDECREF(result);
	}
	asc_py_names_clear(&names);
	if (stop < 0) {
		return NULL;
	}
	return PyBool_FromLong(stop);
}

/* One lean row: nil (not found) -> None; [gen, ttl, digest, bins] -> Record((key[0],
 * key[1], key[2], digest), {"gen", "ttl"}, bins), or with bins_only the bins alone. */
static PyObject*
asc_py_unpack_row(asc_reader* r, PyObject* key, bool bins_only, asc_py_names* names)
{
	uint64_t n;
	if (r->p < r->end && *r->p == 0xc0) {
		r->p++;
		Py_RETURN_NONE;
	}
	if (bins_only) {
		return asc_py_unpack_bins(r, names);
	}
	if (! asc_read_header(r, false, &n) || n != 4) {
		return NULL;
	}
	PyObject* gen = asc_py_unpack(r, 0);
	PyObject* ttl = gen ? asc_py_unpack(r, 0) : NULL;
	PyObject* digest = ttl ? asc_py_unpack(r, 0) : NULL;
	PyObject* record_key = digest ? PyTuple_New(4) : NULL;
	for (Py_ssize_t i = 0; record_key != NULL && i < 3; i++) {
		PyObject* part = PySequence_GetItem(key, i);
		if (part == NULL) {
			Py_CLEAR(record_key);
		}
		else {
			PyTuple_SetItem(record_key, i, part);
		}
	}
	if (record_key != NULL) {
		Py_INCREF(digest);
		PyTuple_SetItem(record_key, 3, digest);
	}
	PyObject* out = asc_py_make_record(record_key, gen, ttl, r, names);
	Py_XDECREF(gen);
	Py_XDECREF(ttl);
	Py_XDECREF(digest);
	return out;
}

/* batch_rows(buffer_address, size, keys, bins_only): asc_batch_get's lean rows, none of
 * them failed, as [Record | None] (keys: the list it was asked for) or [bins | None]. */
static PyObject*
asc_py_batch_rows(PyObject* self, PyObject* args)
{
	PyObject* a[4];
	uint64_t n;
	(void)self;
	if (! asc_py_args(args, 4, a)) {
		return NULL;
	}
	if (asc_py_record_type == NULL || ! PyList_CheckExact(a[2])) {
		PyErr_SetString(PyExc_TypeError, "batch_rows: keys must be a list (after asc_key's setup())");
		return NULL;
	}
	const uint8_t* buffer = (const uint8_t*)PyLong_AsVoidPtr(a[0]);
	Py_ssize_t size = PyLong_AsSsize_t(a[1]);
	if (PyErr_Occurred()) {
		return NULL;
	}
	bool bins_only = PyObject_IsTrue(a[3]) == 1;
	asc_reader r = {buffer, buffer + size};
	if (! asc_read_header(&r, false, &n) || n != (uint64_t)PyList_Size(a[2])) {
		PyErr_SetString(PyExc_ValueError, "batch_rows: not a row per key");
		return NULL;
	}
	asc_py_names names;
	names.n = 0;
	PyObject* out = PyList_New((Py_ssize_t)n);
	for (uint64_t i = 0; out != NULL && i < n; i++) {
		PyObject* row = asc_py_unpack_row(&r, PyList_GetItem(a[2], (Py_ssize_t)i), bins_only,
			&names);
		if (row == NULL) {
			if (! PyErr_Occurred()) {
				PyErr_SetString(PyExc_ValueError, "batch_rows: not a lean row");
			}
			Py_CLEAR(out);
		}
		else {
			PyList_SetItem(out, (Py_ssize_t)i, row);
		}
	}
	asc_py_names_clear(&names);
	return out;
}

/*
 * batch_get(as_, policy, keys, bins_only): the Client's batch read in one C call. The key
 * tuples (a list or tuple of them, each as asc_py_key reads it: pointed at, not copied; the
 * sequence is held as a tuple meanwhile) go into an as_batch, aerospike_batch_get() runs
 * counted in on the instance with the GIL released, and its listener (called in this
 * thread once every node has answered) takes the GIL back to build each result straight
 * from the as_record: Record((key[0], key[1], key[2], digest), {"gen", "ttl"}, bins), or
 * with bins_only the bins; None where not found; [code, subcode, message | None, in_doubt,
 * None] for another failure. Bin names are decoded once per batch.
 * Returns (rows, None, failed) (failed: rows that failed other than by not found), with
 * AEROSPIKE_BATCH_FAILED and rows (rows, its exception, failed); None: a key (or keys) this
 * does not take, nothing was sent. Any other failure raises.
 */
typedef struct {
	PyThreadState* ts;  /* the caller's, while the GIL is released */
	PyObject* keys;     /* a tuple of the key tuples */
	PyObject* rows;     /* the results; NULL before the listener ran, or when it failed */
	PyObject* error[3]; /* what the listener raised (PyErr_Fetch) */
	uint32_t failed;
	bool bins_only;
} asc_py_batch_io;

static PyObject*
asc_py_batch_row(asc_py_batch_io* io, const as_batch_result* r, uint32_t i, asc_py_names* names)
{
	if (r->result == AEROSPIKE_ERR_RECORD_NOT_FOUND) {
		Py_RETURN_NONE;
	}
	if (r->result != AEROSPIKE_OK) {
		io->failed++;
		PyObject* message = r->message ? asc_py_names_get(NULL, r->message, strlen(r->message))
			: (Py_INCREF(Py_None), Py_None);
		PyObject* row = message ? Py_BuildValue("[iIOOO]", (int)r->result, (unsigned)r->subcode,
			message, r->in_doubt ? Py_True : Py_False, Py_None) : NULL;
		Py_XDECREF(message);
		return row;
	}
	if (io->bins_only) {
		return asc_py_bins_cached(&r->record, false, names);
	}
	return asc_py_record_cached(PyTuple_GetItem(io->keys, (Py_ssize_t)i), r->key, &r->record,
		false, names);
}

static bool
asc_py_batch_listener(const as_batch_result* results, uint32_t n, void* udata)
{
	asc_py_batch_io* io = (asc_py_batch_io*)udata;
	PyEval_RestoreThread(io->ts);
	asc_py_names names;
	names.n = 0;
	PyObject* rows = n == (uint32_t)PyTuple_Size(io->keys) ? PyList_New((Py_ssize_t)n) : NULL;
	if (rows == NULL && ! PyErr_Occurred()) {
		PyErr_SetString(PyExc_RuntimeError, "aerospike_batch_get: not a result per key");
	}
	for (uint32_t i = 0; rows != NULL && i < n; i++) {
		PyObject* row = asc_py_batch_row(io, &results[i], i, &names);
		if (row == NULL) {
			Py_CLEAR(rows);
		}
		else {
			PyList_SetItem(rows, (Py_ssize_t)i, row);
		}
	}
	asc_py_names_clear(&names);
	io->rows = rows;
	if (rows == NULL) {
		PyErr_Fetch(&io->error[0], &io->error[1], &io->error[2]);
	}
	io->ts = PyEval_SaveThread();
	return true;
}

static PyObject*
asc_py_batch_get(PyObject* self, PyObject* args)
{
	PyObject* a[4];
	const void* policy;
	as_batch batch;
	as_error err;
	as_status status;
	(void)self;
	if (! asc_py_args(args, 4, a)) {
		return NULL;
	}
	asc_instance* inst = asc_py_instance(a[0]);
	if (inst == NULL || asc_py_record_type == NULL ||
			! (PyList_CheckExact(a[2]) || PyTuple_CheckExact(a[2]))) {
		Py_RETURN_NONE;
	}
	PyObject* keys = PySequence_Tuple(a[2]);
	if (keys == NULL) {
		return NULL;
	}
	Py_ssize_t n = PyTuple_Size(keys);
	if (n > UINT32_MAX || as_batch_init(&batch, (uint32_t)n) == NULL ||
			(n && batch.keys.entries == NULL)) {
		Py_DECREF(keys);
		return PyErr_NoMemory();
	}
	if (n) {
		memset(batch.keys.entries, 0, sizeof(as_key) * (size_t)n);
	}
	for (Py_ssize_t i = 0; i < n; i++) {
		if (! asc_py_key(PyTuple_GetItem(keys, i), &batch.keys.entries[i])) {
			memset(&batch.keys.entries[i], 0, sizeof(as_key));
			as_batch_destroy(&batch);
			Py_DECREF(keys);
			Py_RETURN_NONE;
		}
	}
	if (! asc_py_policy_ptr(a[1], "as_policy_batch", &policy)) {
		as_batch_destroy(&batch);
		Py_DECREF(keys);
		return NULL;
	}
	asc_py_batch_io io = {.keys = keys, .bins_only = PyObject_IsTrue(a[3]) == 1};
	io.ts = PyEval_SaveThread();
	as_error_reset(&err);
	status = (as_status)asc_enter(inst);
	if (status == AEROSPIKE_OK) {
		status = inst->ptr->cluster == NULL ? ASC_NOT_CONNECTED
			: aerospike_batch_get(inst->ptr, &err, (const as_policy_batch*)policy, &batch,
				asc_py_batch_listener, &io);
		asc_exit(inst);
	}
	PyEval_RestoreThread(io.ts);
	as_batch_destroy(&batch);
	Py_DECREF(keys);
	if (io.error[0] != NULL) {
		PyErr_Restore(io.error[0], io.error[1], io.error[2]);
		return NULL;
	}
	if (io.rows != NULL && (status == AEROSPIKE_OK || status == AEROSPIKE_BATCH_FAILED)) {
		PyObject* failure = Py_None;
		if (status != AEROSPIKE_OK) {
			failure = PyObject_CallFunction(asc_py_failure, "OsiK", a[0], "aerospike_batch_get",
				(int)status, (unsigned long long)(uintptr_t)&err);
			if (failure == NULL) {
				Py_DECREF(io.rows);
				return NULL;
			}
		}
		else {
			Py_INCREF(failure);
		}
		return Py_BuildValue("(NNI)", io.rows, failure, (unsigned)io.failed);
	}
	Py_XDECREF(io.rows);
	return asc_py_fail(a[0], "aerospike_batch_get", status, &err);
}

static PyMethodDef asc_batch_py_methods[] = {
	{"batch_get", asc_py_batch_get, METH_VARARGS,
		"batch_get(as_, policy, keys, bins_only): aerospike_batch_get() as (rows, error | None, "
		"failed); None: the general path"},
	{"batch_rows", asc_py_batch_rows, METH_VARARGS,
		"batch_rows(buffer_address, size, keys, bins_only): lean rows as Records or bins"},
	{"scan_each", asc_py_scan_each, METH_VARARGS,
		"scan_each(buffer_address, size, function): function(Record) per record of a chunk; "
		"True when a false return stopped it"},
	{NULL, NULL, 0, NULL},
};

/* The functions above into the module `name` (bindings/asc_batch.py). */
static int
asc_batch_export(const char* name)
{
	return asc_py_export(name, asc_batch_py_methods);
}
