/*
 * The Client's hottest commands as CPython functions (bindings/asc_key.py calls them).
 *
 * A cffi call converts each argument and result in Python, and between two round trips
 * every Python-level step is paid cold: profiled, a get through cffi (pack the key, one
 * cffi call, unpack the result, build the Record) cost ~13,000 user instructions over the
 * C client's ~9,000, the official client ~3,000. These functions take the Python objects
 * themselves: the key tuple is read in place (no copy of a str or bytes user key), the GIL
 * is released around the C client's command only, and the result (a Record, or the meta
 * dict) is built from the as_record directly. They live in the cffi module (its C source
 * includes this file, with Python.h) and reach Python once, at import:
 * asc_key_export(module) sets them as attributes of that (importing) module.
 *
 *     get(as_, policy, key)                   -> Record | None
 *     put(as_, policy, key, bins, ttl, gen)   -> True | None        (bins: a dict)
 *     exists(as_, policy, key)                -> {"gen", "ttl"} | False (no record) | None
 *     remove(as_, policy, key)                -> True | None
 *     operate(as_, policy, key, ops, ttl, gen, ordered) -> Record | tuple | None
 *
 * as_ must be an `aerospike` (its `_guard_addr`: the asc_instance), policy the address of a
 * policy struct or 0 (NULL). None: not an input these take (another key type, a bin name or
 * value C refuses ...): nothing was sent, and the caller takes the general path, which names
 * the offending part. Every failure raises the exception that `setup(failure, ...)`'s
 * `failure(as_, what, status, err_address)` returns: the C as_error, or LifecycleError for
 * an instance that is closing, destroyed, forked (ASC_BUSY, ASC_DEAD: each call counts
 * itself in and out with asc_enter/asc_exit of aerospike_c.h) or not connected.
 *
 * The Limited API (cffi builds abi3) of Python 3.9 lacks PyUnicode_AsUTF8AndSize in its
 * headers, but every CPython 3 exports it (it is stable ABI from 3.10): declared here then.
 */
#pragma once

#include <aerospike/aerospike_key.h>
#include <aerospike/as_operations.h>
#include "aerospike_c.h"

#define ASC_BAD_INPUT -1000
#define ASC_BAD_OUTPUT -1001

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

#if defined(Py_LIMITED_API) && Py_LIMITED_API + 0 < 0x030A0000
PyAPI_FUNC(const char*) PyUnicode_AsUTF8AndSize(PyObject* unicode, Py_ssize_t* size);
#endif

static PyObject* asc_py_failure;     /* failure(as_, what, status, err_address) -> exception */
static PyObject* asc_py_policy;      /* policy_address(policy, ctype) -> int */
static PyObject* asc_py_record_type; /* Record */
static PyObject* asc_py_geojson;     /* GeoJSON(text) */
static PyObject* asc_py_wildcard;
static PyObject* asc_py_inf;
static PyObject* asc_py_aerospike;   /* the aerospike class */
static PyObject* asc_py_op_codes;    /* {as_operations_add_* function: ASC_OP_*} */
static PyObject* asc_py_op_class;    /* the Client's Operation (operation_class()) */
static PyObject* asc_py_s_guard;     /* "_guard_addr" */
static PyObject* asc_py_s_value;     /* "value" (of a GeoJSON) */
static PyObject* asc_py_s_gen;
static PyObject* asc_py_s_ttl;

/* Raise failure(as_, what, status, &err). */
static PyObject*
asc_py_fail(PyObject* as_, const char* what, as_status status, as_error* err)
{
	PyObject* exc = PyObject_CallFunction(asc_py_failure, "OsiK", as_, what, (int)status,
		(unsigned long long)(uintptr_t)err);
	if (exc != NULL) {
		PyErr_SetObject((PyObject*)Py_TYPE(exc), exc);
		Py_DECREF(exc);
	}
	return NULL;
}

/* The asc_instance of as_ (NULL: not an aerospike, no exception set). */
static asc_instance*
asc_py_instance(PyObject* as_)
{
	if ((PyObject*)Py_TYPE(as_) != asc_py_aerospike) {
		return NULL;
	}
	PyObject* addr = PyObject_GetAttr(as_, asc_py_s_guard);
	if (addr == NULL) {
		PyErr_Clear();
		return NULL;
	}
	asc_instance* inst = (asc_instance*)PyLong_AsVoidPtr(addr);
	Py_DECREF(addr);
	return inst;
}

/* A policy argument: None is NULL, else policy_address(policy, ctype) (a TypeError for
 * anything but a view of that policy struct). false: an exception is set. */
static bool
asc_py_policy_ptr(PyObject* policy, const char* ctype, const void** out)
{
	*out = NULL;
	if (policy == Py_None) {
		return true;
	}
	PyObject* addr = PyObject_CallFunction(asc_py_policy, "Os", policy, ctype);
	if (addr == NULL) {
		return false;
	}
	*out = PyLong_AsVoidPtr(addr);
	Py_DECREF(addr);
	return ! PyErr_Occurred();
}

/* A str as UTF-8 of at most max bytes (NUL-ended; NUL inside only when nul_ok). */
static const char*
asc_py_text(PyObject* obj, Py_ssize_t max, bool nul_ok, Py_ssize_t* len)
{
	if (! PyUnicode_CheckExact(obj)) {
		return NULL;
	}
	const char* text = PyUnicode_AsUTF8AndSize(obj, len);
	if (text == NULL) {
		PyErr_Clear();  /* not UTF-8 (a lone surrogate): the general path says so */
		return NULL;
	}
	if (*len > max || (! nul_ok && memchr(text, 0, (size_t)*len) != NULL)) {
		return NULL;
	}
	return text;
}

/*
 * A key tuple (ns, set | None, user key) or (ns, set | None, user key | None, digest | None)
 * into key, as asc_read_key reads its msgpack form: a user key int (not bool), str or bytes
 * of at most 1 MiB (pointed at, not copied: the tuple outlives the command), or None with a
 * 20-byte digest; a digest given with a user key must be its digest. false: not taken.
 */
static bool
asc_py_key(PyObject* obj, as_key* key)
{
	Py_ssize_t count, len;
	if (! PyTuple_CheckExact(obj) || ((count = PyTuple_Size(obj)) != 3 && count != 4)) {
		return false;
	}
	const char* ns = asc_py_text(PyTuple_GetItem(obj, 0), AS_NAMESPACE_MAX_SIZE - 1, false, &len);
	if (ns == NULL || len == 0) {
		return false;
	}
	PyObject* set_obj = PyTuple_GetItem(obj, 1);
	const char* set = "";
	if (set_obj != Py_None &&
			(set = asc_py_text(set_obj, AS_SET_MAX_SIZE - 1, false, &len)) == NULL) {
		return false;
	}
	PyObject* value = PyTuple_GetItem(obj, 2);
	const uint8_t* digest = NULL;
	if (count == 4) {
		PyObject* d = PyTuple_GetItem(obj, 3);
		if (d != Py_None) {
			if (! PyBytes_CheckExact(d) || PyBytes_Size(d) != AS_DIGEST_VALUE_SIZE) {
				return false;
			}
			digest = (const uint8_t*)PyBytes_AsString(d);
		}
	}
	if (value == Py_None) {
		return digest != NULL && as_key_init_digest(key, ns, set, digest) != NULL;
	}
	if (PyLong_CheckExact(value)) {
		int overflow;
		long long v = PyLong_AsLongLongAndOverflow(value, &overflow);
		if (overflow || (v == -1 && PyErr_Occurred())) {
			PyErr_Clear();
			return false;
		}
		as_key_init_int64(key, ns, set, (int64_t)v);
	}
	else if (PyUnicode_CheckExact(value)) {
		const char* text = asc_py_text(value, ASC_KEY_MAX_SIZE, true, &len);
		if (text == NULL) {
			return false;
		}
		as_key_init_strp(key, ns, set, text, false);
		key->value.string.len = (size_t)len;
	}
	else if (PyBytes_CheckExact(value)) {
		char* raw;
		if (PyBytes_AsStringAndSize(value, &raw, &len) != 0) {
			PyErr_Clear();
			return false;
		}
		if (len > ASC_KEY_MAX_SIZE) {
			return false;
		}
		as_key_init_rawp(key, ns, set, (const uint8_t*)raw, (uint32_t)len, false);
	}
	else {
		return false;
	}
	if (digest != NULL) {
		as_error err;
		if (as_key_set_digest(&err, key) != AEROSPIKE_OK ||
				memcmp(key->digest.value, digest, AS_DIGEST_VALUE_SIZE) != 0) {
			as_key_destroy(key);
			return false;
		}
	}
	return true;
}

/* A C value as Python, as the msgpack path decodes it (bindings/as_val.py). */
static PyObject*
asc_py_val(const as_val* v, uint32_t depth)
{
	if (v == NULL) {
		Py_RETURN_NONE;
	}
	if (depth > 256) {
		PyErr_SetString(PyExc_TypeError, "the record holds a value that has no Python value");
		return NULL;
	}
	switch (v->type) {
	case AS_NIL:
		Py_RETURN_NONE;
	case AS_BOOLEAN:
		return PyBool_FromLong(((const as_boolean*)v)->value);
	case AS_INTEGER:
		return PyLong_FromLongLong(((const as_integer*)v)->value);
	case AS_DOUBLE:
		return PyFloat_FromDouble(((const as_double*)v)->value);
	case AS_STRING: {
		as_string* s = (as_string*)v;
		return PyUnicode_DecodeUTF8(s->value, (Py_ssize_t)as_string_len(s), "surrogateescape");
	}
	case AS_BYTES: {
		const as_bytes* b = (const as_bytes*)v;
		return PyBytes_FromStringAndSize((const char*)b->value, (Py_ssize_t)b->size);
	}
	case AS_GEOJSON: {
		as_geojson* g = (as_geojson*)v;
		PyObject* text = PyUnicode_DecodeUTF8(g->value, (Py_ssize_t)as_geojson_len(g),
			"surrogateescape");
		if (text == NULL) {
			return NULL;
		}
		PyObject* geo = PyObject_CallFunctionObjArgs(asc_py_geojson, text, NULL);
		Py_DECREF(text);
		return geo;
	}
	case AS_LIST: {
		const as_list* list = (const as_list*)v;
		uint32_t size = as_list_size(list);
		PyObject* out = PyList_New((Py_ssize_t)size);
		for (uint32_t i = 0; out != NULL && i < size; i++) {
			PyObject* item = asc_py_val(as_list_get(list, i), depth + 1);
			if (item == NULL) {
				Py_CLEAR(out);
			}
			else {
				PyList_SetItem(out, (Py_ssize_t)i, item);
			}
		}
		return out;
	}
	case AS_MAP: {
		/* Every map the C client builds is an as_orderedmap; the iterator merges its table. */
		as_orderedmap* map = (as_orderedmap*)v;
		as_orderedmap_iterator it;
		as_orderedmap_iterator_init(&it, map);
		PyObject* out = PyDict_New();
		for (uint32_t i = 0; out != NULL && i < map->count; i++) {
			PyObject* k = asc_py_val(map->table[i].key, depth + 1);
			PyObject* item = k ? asc_py_val(map->table[i].value, depth + 1) : NULL;
			if (item == NULL || PyDict_SetItem(out, k, item) != 0) {
				Py_CLEAR(out);
			}
			Py_XDECREF(k);
			Py_XDECREF(item);
		}
		return out;
	}
	case AS_CMP_WILDCARD:
		Py_INCREF(asc_py_wildcard);
		return asc_py_wildcard;
	case AS_CMP_INF:
		Py_INCREF(asc_py_inf);
		return asc_py_inf;
	default:
		PyErr_SetString(PyExc_TypeError, "the record holds a value that has no Python value");
		return NULL;
	}
}

/* The short strings a batch or a chunk repeats in every record (bin names; namespace and
 * set), decoded once per batch or chunk. */
#define ASC_PY_NAMES 40

typedef struct asc_py_names_s {
	uint32_t n;
	struct {
		uint32_t len;
		char text[AS_SET_MAX_SIZE];
		PyObject* obj;
	} names[ASC_PY_NAMES];
} asc_py_names;

static void
asc_py_names_clear(asc_py_names* names)
{
	for (uint32_t i = 0; i < names->n; i++) {
		Py_DECREF(names->names[i].obj);
	}
	names->n = 0;
}

/* text[0:n] as a str (a new reference; decoded as every str read from C, surrogateescape),
 * from names when it was seen before (names NULL: no cache). */
static PyObject*
asc_py_names_get(asc_py_names* names, const char* text, size_t n)
{
	if (names != NULL) {
		for (uint32_t i = 0; i < names->n; i++) {
			if (names->names[i].len == n && memcmp(names->names[i].text, text, n) == 0) {
				Py_INCREF(names->names[i].obj);
				return names->names[i].obj;
			}
		}
	}
	PyObject* obj = PyUnicode_DecodeUTF8(text, (Py_ssize_t)n, "surrogateescape");
	if (obj != NULL && names != NULL && names->n < ASC_PY_NAMES && n < AS_SET_MAX_SIZE) {
		names->names[names->n].len = (uint32_t)n;
		memcpy(names->names[names->n].text, text, n);
		Py_INCREF(obj);
		names->names[names->n++].obj = obj;
	}
	return obj;
}

/* asc_py_bins, the bin names from the cache `names` (NULL: none). */
static PyObject*
asc_py_bins_cached(const as_record* rec, bool flat, asc_py_names* names)
{
	uint16_t n = rec->bins.size;
	PyObject* out = flat ? PyList_New(n) : PyDict_New();
	for (uint16_t i = 0; out != NULL && i < n; i++) {
		const as_bin* bin = &rec->bins.entries[i];
		PyObject* name = asc_py_names_get(names, bin->name, strlen(bin->name));
		PyObject* value = name ? asc_py_val((const as_val*)bin->valuep, 0) : NULL;
		if (value == NULL) {
			Py_CLEAR(out);
		}
		else if (flat) {
			PyObject* pair = PyTuple_Pack(2, name, value);
			if (pair == NULL) {
				Py_CLEAR(out);
			}
			else {
				PyList_SetItem(out, i, pair);
			}
		}
		else if (PyDict_SetItem(out, name, value) != 0) {
			Py_CLEAR(out);
		}
		Py_XDECREF(name);
		Py_XDECREF(value);
	}
	return out;
}

/* A record's bins as {name: value} (a repeated name: the last value), or with flat as
 * [(name, value), ...] in order, repeats kept. */
static PyObject*
asc_py_bins(const as_record* rec, bool flat)
{
	return asc_py_bins_cached(rec, flat, NULL);
}

static PyObject*
asc_py_meta(uint32_t gen, uint32_t ttl)
{
	PyObject* meta = PyDict_New();
	PyObject* g = PyLong_FromUnsignedLong(gen);
	PyObject* t = PyLong_FromUnsignedLong(ttl);
	if (meta == NULL || g == NULL || t == NULL || PyDict_SetItem(meta, asc_py_s_gen, g) != 0 ||
			PyDict_SetItem(meta, asc_py_s_ttl, t) != 0) {
		Py_CLEAR(meta);
	}
	Py_XDECREF(g);
	Py_XDECREF(t);
	return meta;
}

/* (key[0], key[1], key[2], digest): the record's key as records carry it (digest None:
 * no record). */
static PyObject*
asc_py_record_key(PyObject* key_obj, const as_key* key, bool digest)
{
	PyObject* d = digest
		? PyBytes_FromStringAndSize((const char*)key->digest.value, AS_DIGEST_VALUE_SIZE)
		: (Py_INCREF(Py_None), Py_None);
	if (d == NULL) {
		return NULL;
	}
	PyObject* out = PyTuple_Pack(4, PyTuple_GetItem(key_obj, 0), PyTuple_GetItem(key_obj, 1),
		PyTuple_GetItem(key_obj, 2), d);
	Py_DECREF(d);
	return out;
}

/* Record(key, {"gen", "ttl"}, bins) (ordered: a plain tuple, bins [(name, value), ...]);
 * no record: Record(key without digest, {}, empty bins), as operate answers it. A Record is
 * a tuple subclass: allocated as tuple.__new__(Record, ...) does, without the call. Bin
 * names from the cache `names` (NULL: none). */
static PyObject*
asc_py_record_cached(PyObject* key_obj, const as_key* key, const as_record* rec, bool ordered,
	asc_py_names* names)
{
	PyObject* items[3];
	items[0] = asc_py_record_key(key_obj, key, rec != NULL);
	items[1] = items[0] == NULL ? NULL : rec ? asc_py_meta(rec->gen, rec->ttl) : PyDict_New();
	items[2] = items[1] == NULL ? NULL : rec ? asc_py_bins_cached(rec, ordered, names)
		: ordered ? PyList_New(0) : PyDict_New();
	PyObject* out = NULL;
	if (items[2] != NULL) {
		out = ordered && rec != NULL ? PyTuple_New(3)
			: PyType_GenericAlloc((PyTypeObject*)asc_py_record_type, 3);
	}
	for (Py_ssize_t i = 0; i < 3; i++) {
		if (out != NULL) {
			PyTuple_SetItem(out, i, items[i]);  /* steals */
		}
		else {
			Py_XDECREF(items[i]);
		}
	}
	return out;
}

static PyObject*
asc_py_record(PyObject* key_obj, const as_key* key, const as_record* rec, bool ordered)
{
	return asc_py_record_cached(key_obj, key, rec, ordered, NULL);
}

/* The command's guard from as_ (None: the general path) and its key; false: not taken. */
static bool
asc_py_start(PyObject* as_, PyObject* key_obj, asc_instance** inst, as_key* key)
{
	return (*inst = asc_py_instance(as_)) != NULL && asc_py_key(key_obj, key);
}

/* Count in (asc_enter) and run, the GIL released: the status, as_error filled. */
#define ASC_PY_RUN(inst, err, status, call) do { \
	PyThreadState* _ts = PyEval_SaveThread(); \
	as_error_reset(err); \
	status = (as_status)asc_enter(inst); \
	if (status == AEROSPIKE_OK) { \
		if ((inst)->ptr->cluster == NULL) { \
			status = ASC_NOT_CONNECTED; \
		} \
		else { \
			status = call; \
		} \
		asc_exit(inst); \
	} \
	PyEval_RestoreThread(_ts); \
} while (0)

static bool
asc_py_args(PyObject* args, Py_ssize_t n, PyObject** out)
{
	if (PyTuple_Size(args) != n) {
		PyErr_Format(PyExc_TypeError, "takes %zd arguments", n);
		return false;
	}
	for (Py_ssize_t i = 0; i < n; i++) {
		out[i] = PyTuple_GetItem(args, i);
	}
	return true;
}

/* The arguments (as_, policy, key) of get, exists and remove: 1 with the instance, policy
 * and key set (destroy the key), 0 for the general path, -1 with an exception set. */
static int
asc_py_begin(PyObject* args, const char* policy_type, PyObject** a, asc_instance** inst,
	const void** policy, as_key* key)
{
	if (! asc_py_args(args, 3, a)) {
		return -1;
	}
	if (! asc_py_start(a[0], a[2], inst, key)) {
		return 0;
	}
	if (! asc_py_policy_ptr(a[1], policy_type, policy)) {
		as_key_destroy(key);
		return -1;
	}
	return 1;
}

/* get(as_, policy, key): aerospike_key_get() as a Record. */
static PyObject*
asc_py_get(PyObject* self, PyObject* args)
{
	PyObject* a[3];
	asc_instance* inst;
	const void* policy;
	as_key key;
	as_error err;
	as_record* rec = NULL;
	as_status status;
	(void)self;
	int begun = asc_py_begin(args, "as_policy_read", a, &inst, &policy, &key);
	if (begun <= 0) {
		return begun ? NULL : (Py_INCREF(Py_None), Py_None);
	}
	ASC_PY_RUN(inst, &err, status,
		aerospike_key_get(inst->ptr, &err, (const as_policy_read*)policy, &key, &rec));
	PyObject* out = status == AEROSPIKE_OK ? asc_py_record(a[2], &key, rec, false)
		: asc_py_fail(a[0], "aerospike_key_get", status, &err);
	if (rec) {
		as_record_destroy(rec);
	}
	as_key_destroy(&key);
	return out;
}

/* exists(as_, policy, key): {"gen", "ttl"}, False when there is no record. */
static PyObject*
asc_py_exists(PyObject* self, PyObject* args)
{
	PyObject* a[3];
	asc_instance* inst;
	const void* policy;
	as_key key;
	as_error err;
	as_record* rec = NULL;
	as_status status;
	(void)self;
	int begun = asc_py_begin(args, "as_policy_read", a, &inst, &policy, &key);
	if (begun <= 0) {
		return begun ? NULL : (Py_INCREF(Py_None), Py_None);
	}
	ASC_PY_RUN(inst, &err, status,
		aerospike_key_exists(inst->ptr, &err, (const as_policy_read*)policy, &key, &rec));
	PyObject* out;
	if (status == AEROSPIKE_OK) {
		out = asc_py_meta(rec->gen, rec->ttl);
	}
	else if (status == AEROSPIKE_ERR_RECORD_NOT_FOUND) {
		Py_INCREF(Py_False);
		out = Py_False;
	}
	else {
		out = asc_py_fail(a[0], "aerospike_key_exists", status, &err);
	}
	if (rec) {
		as_record_destroy(rec);
	}
	as_key_destroy(&key);
	return out;
}

/* remove(as_, policy, key): aerospike_key_remove(), True. */
static PyObject*
asc_py_remove(PyObject* self, PyObject* args)
{
	PyObject* a[3];
	asc_instance* inst;
	const void* policy;
	as_key key;
	as_error err;
	as_status status;
	(void)self;
	int begun = asc_py_begin(args, "as_policy_remove", a, &inst, &policy, &key);
	if (begun <= 0) {
		return begun ? NULL : (Py_INCREF(Py_None), Py_None);
	}
	ASC_PY_RUN(inst, &err, status,
		aerospike_key_remove(inst->ptr, &err, (const as_policy_remove*)policy, &key));
	as_key_destroy(&key);
	if (status != AEROSPIKE_OK) {
		return asc_py_fail(a[0], "aerospike_key_remove", status, &err);
	}
	Py_RETURN_TRUE;
}

/* A record ttl: None (0), seconds in [0, 2^32), or C's sentinels as C users write them
 * (-1 never expire, -2 no change, -3 the policy's), as c_ttl() takes it; a gen: None (0)
 * or [0, 65535]. false: not taken (the general path raises why). */
static bool
asc_py_ttl_gen(PyObject* ttl_obj, PyObject* gen_obj, uint32_t* ttl, uint16_t* gen)
{
	long long v;
	int overflow;
	*ttl = 0;
	*gen = 0;
	if (ttl_obj != Py_None) {
		if (! PyLong_CheckExact(ttl_obj)) {
			return false;
		}
		v = PyLong_AsLongLongAndOverflow(ttl_obj, &overflow);
		if (overflow || v < -3 || v > UINT32_MAX || (v == -1 && PyErr_Occurred())) {
			PyErr_Clear();
			return false;
		}
		*ttl = v == -1 ? AS_RECORD_NO_EXPIRE_TTL : v == -2 ? AS_RECORD_NO_CHANGE_TTL
			: v == -3 ? AS_RECORD_CLIENT_DEFAULT_TTL : (uint32_t)v;
	}
	if (gen_obj != Py_None) {
		if (! PyLong_CheckExact(gen_obj)) {
			return false;
		}
		v = PyLong_AsLongLongAndOverflow(gen_obj, &overflow);
		if (overflow || v < 0 || v > UINT16_MAX) {
			PyErr_Clear();
			return false;
		}
		*gen = (uint16_t)v;
	}
	return true;
}

/*
 * A Python value as a new as_val, as the msgpack path builds it (pack_value() then
 * asc_read_val: bindings/as_val.py): None, bool, int (int64), float, str (UTF-8), bytes, a
 * list or tuple, a dict (any of these as keys), GeoJSON and the CDT range bounds, nested at
 * most ASC_MAX_DEPTH levels; a bin's value, so a str nested in it may not hold a NUL. NULL:
 * not one of these exact types, or out of range (no exception set): the general path says
 * why.
 */
static as_val*
asc_py_to_val(PyObject* obj, uint32_t depth)
{
	Py_ssize_t len;
	if (obj == Py_None) {
		return (as_val*)&as_nil;
	}
	if (obj == Py_True || obj == Py_False) {
		return (as_val*)(obj == Py_True ? &as_true : &as_false);
	}
	if (PyLong_CheckExact(obj)) {
		int overflow;
		long long v = PyLong_AsLongLongAndOverflow(obj, &overflow);
		if (overflow || (v == -1 && PyErr_Occurred())) {
			PyErr_Clear();
			return NULL;
		}
		return (as_val*)as_integer_new((int64_t)v);
	}
	if (PyUnicode_CheckExact(obj)) {
		const char* text = asc_py_text(obj, PY_SSIZE_T_MAX, true, &len);
		if (text && depth > 0 && memchr(text, 0, (size_t)len)) {
			return NULL;  /* nested: read back cut at the NUL (the general path says so) */
		}
		return text ? asc_string_new_copy(text, (size_t)len) : NULL;
	}
	if (PyFloat_CheckExact(obj)) {
		return (as_val*)as_double_new(PyFloat_AsDouble(obj));
	}
	if (PyBytes_CheckExact(obj)) {
		char* raw;
		if (PyBytes_AsStringAndSize(obj, &raw, &len) != 0 || len > UINT32_MAX) {
			PyErr_Clear();
			return NULL;
		}
		return asc_bytes_new_copy((const uint8_t*)raw, (uint32_t)len, AS_BYTES_BLOB);
	}
	bool list = PyList_CheckExact(obj);
	if (list || PyTuple_CheckExact(obj)) {
		if (depth >= ASC_MAX_DEPTH) {
			return NULL;
		}
		len = list ? PyList_Size(obj) : PyTuple_Size(obj);
		if (len > UINT32_MAX) {
			return NULL;
		}
		as_arraylist* out = as_arraylist_new((uint32_t)len, 0);
		for (Py_ssize_t i = 0; out && i < len; i++) {
			/* borrowed; a list may change meanwhile only through code this runs: none */
			PyObject* item = list ? PyList_GetItem(obj, i) : PyTuple_GetItem(obj, i);
			as_val* v = item ? asc_py_to_val(item, depth + 1) : NULL;
			if (v == NULL) {
				as_arraylist_destroy(out);
				return NULL;
			}
			as_arraylist_append(out, v);
		}
		return (as_val*)out;
	}
	if (PyDict_CheckExact(obj)) {
		if (depth >= ASC_MAX_DEPTH) {
			return NULL;
		}
		PyObject* k;
		PyObject* item;
		Py_ssize_t pos = 0;
		as_orderedmap* out = as_orderedmap_new((uint32_t)PyDict_Size(obj));
		while (out && PyDict_Next(obj, &pos, &k, &item)) {
			as_val* kv = asc_py_to_val(k, depth + 1);
			as_val* v = kv ? asc_py_to_val(item, depth + 1) : NULL;
			if (v == NULL || as_orderedmap_set(out, kv, v) != 0) {
				as_val_destroy(kv);
				as_val_destroy(v);
				as_orderedmap_destroy(out);
				return NULL;
			}
		}
		return (as_val*)out;
	}
	if ((PyObject*)Py_TYPE(obj) == asc_py_geojson) {
		PyObject* value = PyObject_GetAttr(obj, asc_py_s_value);
		const char* text = value ? asc_py_text(value, PY_SSIZE_T_MAX, true, &len) : NULL;
		as_val* out = text ? asc_geojson_new_copy(text, (size_t)len) : NULL;
		Py_XDECREF(value);
		PyErr_Clear();
		return out;
	}
	if (obj == asc_py_wildcard) {
		return (as_val*)&as_cmp_wildcard;
	}
	if (obj == asc_py_inf) {
		return (as_val*)&as_cmp_inf;
	}
	return NULL;
}

/*
 * The Python objects a command points at instead of copying them (a put's or a write
 * operation's str and bytes values): each is held (a reference) until the command is done,
 * so that a concurrent change of the dict or list they came from, while the GIL is released,
 * cannot free them. Room for ASC_PY_PINS; past that values are copied.
 */
#define ASC_PY_PINS 16

typedef struct {
	uint32_t n;
	PyObject* objs[ASC_PY_PINS];
} asc_py_pins;

/* Hold obj for the command; false: no room (or pins NULL), copy it instead. */
static bool
asc_py_pin(asc_py_pins* pins, PyObject* obj)
{
	if (pins == NULL || pins->n == ASC_PY_PINS) {
		return false;
	}
	Py_INCREF(obj);
	pins->objs[pins->n++] = obj;
	return true;
}

/* Let go of what the command held (the GIL held). */
static void
asc_py_unpin(asc_py_pins* pins)
{
	for (uint32_t i = 0; i < pins->n; i++) {
		Py_DECREF(pins->objs[i]);
	}
	pins->n = 0;
}

/* A str of no NUL (the C client's string bins end at the first) or a bytes value, pointed at
 * and held in pins: its UTF-8 or bytes and their length; false: not one, or no room. */
static bool
asc_py_pinned_buffer(PyObject* value, asc_py_pins* pins, const char** data, Py_ssize_t* len,
	bool* text)
{
	if (pins == NULL || pins->n == ASC_PY_PINS) {
		return false;
	}
	if ((*text = PyUnicode_CheckExact(value))) {
		*data = asc_py_text(value, PY_SSIZE_T_MAX, false, len);
	}
	else if (PyBytes_CheckExact(value)) {
		char* raw;
		*data = PyBytes_AsStringAndSize(value, &raw, len) == 0 && *len <= UINT32_MAX ? raw : NULL;
		PyErr_Clear();
	}
	else {
		return false;
	}
	return *data != NULL && asc_py_pin(pins, value);
}

static bool asc_py_int64(PyObject* obj, int64_t* out);

/* One bin of a put: an int or float in place, a str or bytes pointed at (held in pins; pins
 * NULL: copied, as for a command that outlives the call), else as asc_py_to_val builds it.
 * false: not taken. */
static bool
asc_py_set_bin(as_record* rec, const char* name, PyObject* value, asc_py_pins* pins)
{
	const char* data;
	Py_ssize_t len;
	bool text;
	int64_t i;
	if (PyLong_CheckExact(value)) {
		return asc_py_int64(value, &i) && as_record_set_int64(rec, name, i);
	}
	if (PyFloat_CheckExact(value)) {
		return as_record_set_double(rec, name, PyFloat_AsDouble(value));
	}
	if (asc_py_pinned_buffer(value, pins, &data, &len, &text)) {
		return text ? as_record_set_strp(rec, name, data, false)
			: as_record_set_rawp(rec, name, (const uint8_t*)data, (uint32_t)len, false);
	}
	as_val* v = asc_py_to_val(value, 0);
	if (v == NULL) {
		return false;
	}
	if (! as_record_set(rec, name, (as_bin_value*)v)) {
		as_val_destroy(v);
		return false;
	}
	return true;
}

/* rec's bins from a dict {name: value} (names: str of at most 15 bytes, no NUL), str and
 * bytes values held in pins (NULL: copied); false: not taken. rec was initialised with room
 * for all of them. */
static bool
asc_py_set_bins_pinned(as_record* rec, PyObject* bins, asc_py_pins* pins)
{
	PyObject* name;
	PyObject* value;
	Py_ssize_t pos = 0, len;
	while (PyDict_Next(bins, &pos, &name, &value)) {
		const char* text = asc_py_text(name, AS_BIN_NAME_MAX_LEN, false, &len);
		if (text == NULL || ! asc_py_set_bin(rec, text, value, pins)) {
			return false;
		}
	}
	return true;
}

/* rec's bins from a dict {name: value}, every value copied; false: not taken. */
static bool
asc_py_set_bins(as_record* rec, PyObject* bins)
{
	return asc_py_set_bins_pinned(rec, bins, NULL);
}

/* put(as_, policy, key, bins, ttl, gen): aerospike_key_put() of a dict of bins, True. */
static PyObject*
asc_py_put(PyObject* self, PyObject* args)
{
	PyObject* a[6];
	asc_instance* inst;
	const void* policy;
	as_key key;
	as_error err;
	as_record rec;
	as_status status;
	uint32_t ttl;
	uint16_t gen;
	(void)self;
	if (! asc_py_args(args, 6, a)) {
		return NULL;
	}
	if (! PyDict_CheckExact(a[3]) || PyDict_Size(a[3]) > UINT16_MAX ||
			! asc_py_ttl_gen(a[4], a[5], &ttl, &gen) || ! asc_py_start(a[0], a[2], &inst, &key)) {
		Py_RETURN_NONE;
	}
	asc_py_pins pins;
	pins.n = 0;
	as_record_init(&rec, (uint16_t)PyDict_Size(a[3]));
	if (! asc_py_set_bins_pinned(&rec, a[3], &pins)) {
		as_record_destroy(&rec);
		asc_py_unpin(&pins);
		as_key_destroy(&key);
		Py_RETURN_NONE;
	}
	if (! asc_py_policy_ptr(a[1], "as_policy_write", &policy)) {
		as_record_destroy(&rec);
		asc_py_unpin(&pins);
		as_key_destroy(&key);
		return NULL;
	}
	rec.ttl = ttl;
	rec.gen = gen;
	ASC_PY_RUN(inst, &err, status,
		aerospike_key_put(inst->ptr, &err, (const as_policy_write*)policy, &key, &rec));
	as_record_destroy(&rec);
	asc_py_unpin(&pins);
	as_key_destroy(&key);
	if (status != AEROSPIKE_OK) {
		return asc_py_fail(a[0], "aerospike_key_put", status, &err);
	}
	Py_RETURN_TRUE;
}

/* An int that fits int64_t (exact int); false: not one. */
static bool
asc_py_int64(PyObject* obj, int64_t* out)
{
	int overflow;
	if (! PyLong_CheckExact(obj)) {
		return false;
	}
	long long v = PyLong_AsLongLongAndOverflow(obj, &overflow);
	if (overflow || (v == -1 && PyErr_Occurred())) {
		PyErr_Clear();
		return false;
	}
	*out = (int64_t)v;
	return true;
}

/* One Operation (function, args) of the Client's ops.* (the simple ones: their function's
 * code in setup's `codes`) added to ops, its str and bytes values held in pins (NULL:
 * copied); false: not one C takes here. */
static bool
asc_py_operation_pinned(PyObject* op, as_operations* ops, asc_py_pins* pins)
{
	const char* data;
	bool text;
	Py_ssize_t len;
	if (asc_py_op_class == NULL || (PyObject*)Py_TYPE(op) != asc_py_op_class ||
			PyTuple_Size(op) != 2) {
		return false;
	}
	PyObject* code_obj = PyDict_GetItem(asc_py_op_codes, PyTuple_GetItem(op, 0));  /* borrowed */
	PyObject* args = PyTuple_GetItem(op, 1);
	int64_t code;
	if (code_obj == NULL || ! asc_py_int64(code_obj, &code) || ! PyTuple_CheckExact(args)) {
		return false;
	}
	Py_ssize_t n = PyTuple_Size(args);
	switch (code) {
	case ASC_OP_READ_ALL:
		return n == 0 && as_operations_add_read_all(ops);
	case ASC_OP_TOUCH:
		return n == 0 && as_operations_add_touch(ops);
	case ASC_OP_DELETE:
		return n == 0 && as_operations_add_delete(ops);
	}
	const char* name = n >= 1 ? asc_py_text(PyTuple_GetItem(args, 0), AS_BIN_NAME_MAX_LEN, false,
		&len) : NULL;
	if (name == NULL) {
		return false;
	}
	PyObject* value = n >= 2 ? PyTuple_GetItem(args, 1) : NULL;
	switch (code) {
	case ASC_OP_READ:
		return n == 1 && as_operations_add_read(ops, name);
	case ASC_OP_WRITE: {
		int64_t i;
		if (n != 2) {
			return false;
		}
		if (PyLong_CheckExact(value)) {
			return asc_py_int64(value, &i) && as_operations_add_write_int64(ops, name, i);
		}
		if (PyFloat_CheckExact(value)) {
			return as_operations_add_write_double(ops, name, PyFloat_AsDouble(value));
		}
		if (asc_py_pinned_buffer(value, pins, &data, &len, &text)) {
			return text ? as_operations_add_write_strp(ops, name, data, false)
				: as_operations_add_write_rawp(ops, name, (const uint8_t*)data, (uint32_t)len,
					false);
		}
		as_val* v = asc_py_to_val(value, 0);
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
		return n == 2 && asc_py_int64(value, &by) && as_operations_add_incr(ops, name, by);
	}
	case ASC_OP_INCR_DOUBLE:
		return n == 2 && PyFloat_CheckExact(value) &&
			as_operations_add_incr_double(ops, name, PyFloat_AsDouble(value));
	case ASC_OP_APPEND_STR:
	case ASC_OP_PREPEND_STR: {
		if (n == 2 && PyUnicode_CheckExact(value) &&
				asc_py_pinned_buffer(value, pins, &data, &len, &text)) {
			return code == ASC_OP_APPEND_STR ? as_operations_add_append_strp(ops, name, data, false)
				: as_operations_add_prepend_strp(ops, name, data, false);
		}
		const char* text = n == 2 ? asc_py_text(value, PY_SSIZE_T_MAX, false, &len) : NULL;
		char* copy;
		if (text == NULL || (copy = asc_copy_chars(text, (size_t)len)) == NULL) {
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
		char* raw;
		int64_t used;
		uint8_t* copy;
		if (n != 3 || ! PyBytes_CheckExact(value) ||
				PyBytes_AsStringAndSize(value, &raw, &len) != 0 ||
				! asc_py_int64(PyTuple_GetItem(args, 2), &used) || used < 0 || used > len ||
				used > UINT32_MAX || (copy = (uint8_t*)cf_malloc(used ? (size_t)used : 1)) == NULL) {
			PyErr_Clear();
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

/* One Operation added to ops, its values copied; false: not one C takes here. */
static bool
asc_py_operation(PyObject* op, as_operations* ops)
{
	return asc_py_operation_pinned(op, ops, NULL);
}

/* operate(as_, policy, key, operations, ttl, gen, ordered): aerospike_key_operate() of a
 * list of the Client's Operations: a Record, or with ordered the tuple (key, meta,
 * [(bin, value), ...]). */
static PyObject*
asc_py_operate(PyObject* self, PyObject* args)
{
	PyObject* a[7];
	asc_instance* inst;
	const void* policy;
	as_key key;
	as_error err;
	as_operations ops;
	as_record* rec = NULL;
	as_status status;
	uint32_t ttl;
	uint16_t gen;
	(void)self;
	if (! asc_py_args(args, 7, a)) {
		return NULL;
	}
	if (! PyList_CheckExact(a[3]) || PyList_Size(a[3]) > UINT16_MAX ||
			! asc_py_ttl_gen(a[4], a[5], &ttl, &gen)) {
		Py_RETURN_NONE;
	}
	bool ordered = PyObject_IsTrue(a[6]) == 1;
	Py_ssize_t n = PyList_Size(a[3]);
	asc_py_pins pins;
	pins.n = 0;
	as_operations_init(&ops, (uint16_t)n);
	for (Py_ssize_t i = 0; i < n; i++) {
		if (! asc_py_operation_pinned(PyList_GetItem(a[3], i), &ops, &pins)) {
			as_operations_destroy(&ops);
			asc_py_unpin(&pins);
			Py_RETURN_NONE;
		}
	}
	if (! asc_py_start(a[0], a[2], &inst, &key)) {
		as_operations_destroy(&ops);
		asc_py_unpin(&pins);
		Py_RETURN_NONE;
	}
	if (! asc_py_policy_ptr(a[1], "as_policy_operate", &policy)) {
		as_operations_destroy(&ops);
		asc_py_unpin(&pins);
		as_key_destroy(&key);
		return NULL;
	}
	ops.ttl = ttl;
	ops.gen = gen;
	ASC_PY_RUN(inst, &err, status,
		aerospike_key_operate(inst->ptr, &err, (const as_policy_operate*)policy, &key, &ops,
			&rec));
	as_operations_destroy(&ops);
	asc_py_unpin(&pins);
	PyObject* out = status == AEROSPIKE_OK ? asc_py_record(a[2], &key, rec, ordered)
		: asc_py_fail(a[0], "aerospike_key_operate", status, &err);
	if (rec) {
		as_record_destroy(rec);
	}
	as_key_destroy(&key);
	return out;
}

/* setup(failure, policy_address, Record, GeoJSON, as_cmp_wildcard, as_cmp_inf, aerospike,
 * codes): the Python objects these functions use, kept for the life of the process (codes:
 * {as_operations_add_* function: ASC_OP_* code} of the operations operate() takes). */
static PyObject*
asc_py_setup(PyObject* self, PyObject* args)
{
	PyObject* a[8];
	(void)self;
	if (! asc_py_args(args, 8, a)) {
		return NULL;
	}
	if (! PyDict_Check(a[7])) {
		PyErr_SetString(PyExc_TypeError, "codes must be a dict");
		return NULL;
	}
	PyObject** slots[8] = {&asc_py_failure, &asc_py_policy, &asc_py_record_type,
		&asc_py_geojson, &asc_py_wildcard, &asc_py_inf, &asc_py_aerospike, &asc_py_op_codes};
	for (int i = 0; i < 8; i++) {
		PyObject* old = *slots[i];
		Py_INCREF(a[i]);
		*slots[i] = a[i];
		Py_XDECREF(old);
	}
	if (asc_py_s_guard == NULL) {
		asc_py_s_guard = PyUnicode_InternFromString("_guard_addr");
		asc_py_s_value = PyUnicode_InternFromString("value");
		asc_py_s_gen = PyUnicode_InternFromString("gen");
		asc_py_s_ttl = PyUnicode_InternFromString("ttl");
		if (! asc_py_s_guard || ! asc_py_s_value || ! asc_py_s_gen || ! asc_py_s_ttl) {
			return NULL;
		}
	}
	Py_RETURN_NONE;
}

/* operation_class(Operation): the Client's operation type (a (function, args) tuple), the
 * only items operate() reads. */
static PyObject*
asc_py_operation_class(PyObject* self, PyObject* cls)
{
	(void)self;
	if (! PyType_Check(cls) || ! PyType_IsSubtype((PyTypeObject*)cls, &PyTuple_Type)) {
		PyErr_SetString(PyExc_TypeError, "operation_class takes a tuple subclass");
		return NULL;
	}
	PyObject* old = asc_py_op_class;
	Py_INCREF(cls);
	asc_py_op_class = cls;
	Py_XDECREF(old);
	Py_RETURN_NONE;
}

/*
 * The Client's simplest operation factories (ops.write, ops.read, ops.incr) in C: an
 * operate() call builds its operations in the caller's loop, and each Python factory call
 * (a frame, isinstance, the Operation tuple through tuple.__new__) cost more than reading
 * the operation in C. self: (Operation, python factory, ASC_OP_* code, its as_operations_add_*
 * function, the other one: read_all for read(), incr_double for a float). Keywords or
 * argument counts it does not know go to the Python factory, which raises what it raises.
 */
static PyObject*
asc_py_make_operation(PyObject* self, PyObject* args, PyObject* kwargs)
{
	PyObject* fn = PyTuple_GetItem(self, 3);
	PyObject* op_args = NULL;
	Py_ssize_t n = PyTuple_Size(args);
	if (kwargs == NULL || PyDict_Size(kwargs) == 0) {
		switch (PyLong_AsLong(PyTuple_GetItem(self, 2))) {
		case ASC_OP_WRITE:
			op_args = n == 2 ? (Py_INCREF(args), args) : NULL;
			break;
		case ASC_OP_READ:
			if (n == 1 && PyTuple_GetItem(args, 0) != Py_None) {
				op_args = (Py_INCREF(args), args);
			}
			else if (n <= 1) {
				fn = PyTuple_GetItem(self, 4);
				op_args = PyTuple_New(0);
			}
			break;
		case ASC_OP_INCR:
			if (n == 2) {
				if (PyFloat_Check(PyTuple_GetItem(args, 1))) {
					fn = PyTuple_GetItem(self, 4);
				}
				op_args = (Py_INCREF(args), args);
			}
			break;
		}
	}
	if (op_args == NULL) {
		return PyErr_Occurred() ? NULL : PyObject_Call(PyTuple_GetItem(self, 1), args, kwargs);
	}
	PyObject* out = PyType_GenericAlloc((PyTypeObject*)PyTuple_GetItem(self, 0), 2);
	if (out == NULL) {
		Py_DECREF(op_args);
		return NULL;
	}
	Py_INCREF(fn);
	PyTuple_SetItem(out, 0, fn);
	PyTuple_SetItem(out, 1, op_args);
	return out;
}

static PyMethodDef asc_py_operation_factory_def = {"operation", (PyCFunction)(void(*)(void))
	asc_py_make_operation, METH_VARARGS | METH_KEYWORDS,
	"An operation for Client.operate() (ops.write / ops.read / ops.incr, built in C)"};

/* operation_factory(Operation, python_factory, code, function, other): the C factory. */
static PyObject*
asc_py_operation_factory(PyObject* self, PyObject* args)
{
	PyObject* a[5];
	(void)self;
	if (! asc_py_args(args, 5, a)) {
		return NULL;
	}
	if (! PyType_Check(a[0]) || ! PyType_IsSubtype((PyTypeObject*)a[0], &PyTuple_Type) ||
			! PyCallable_Check(a[1]) || ! PyLong_CheckExact(a[2])) {
		PyErr_SetString(PyExc_TypeError, "operation_factory(tuple subclass, callable, int, "
			"function, function)");
		return NULL;
	}
	return PyCFunction_NewEx(&asc_py_operation_factory_def, args, NULL);
}

static PyMethodDef asc_py_methods[] = {
	{"operation_factory", asc_py_operation_factory, METH_VARARGS,
		"operation_factory(Operation, python_factory, code, function, other): ops.write / "
		"read / incr in C"},
	{"operation_class", asc_py_operation_class, METH_O,
		"operation_class(cls): the type of the operations operate() reads"},
	{"setup", asc_py_setup, METH_VARARGS,
		"setup(failure, policy_address, Record, GeoJSON, wildcard, inf, aerospike, codes)"},
	{"get", asc_py_get, METH_VARARGS,
		"get(as_, policy, key): aerospike_key_get() as a Record; None: the general path"},
	{"put", asc_py_put, METH_VARARGS,
		"put(as_, policy, key, bins, ttl, gen): aerospike_key_put(); True, or None: the "
		"general path"},
	{"exists", asc_py_exists, METH_VARARGS,
		"exists(as_, policy, key): aerospike_key_exists(): {'gen', 'ttl'}, False when there "
		"is no record, None: the general path"},
	{"remove", asc_py_remove, METH_VARARGS,
		"remove(as_, policy, key): aerospike_key_remove(); True, or None: the general path"},
	{"operate", asc_py_operate, METH_VARARGS,
		"operate(as_, policy, key, ops, ttl, gen, ordered): aerospike_key_operate(); None: "
		"the general path"},
	{NULL, NULL, 0, NULL},
};

/* Set each function of `methods` as a `_py_<name>` attribute of the module `name` (already
 * in sys.modules: the module calling this while it imports). 0, or -1. */
static int
asc_py_export(const char* name, PyMethodDef* methods)
{
	PyGILState_STATE gil = PyGILState_Ensure();
	int result = -1;
	PyObject* module = PyImport_AddModule(name);  /* borrowed */
	PyObject* module_name = module ? PyUnicode_FromString(name) : NULL;
	if (module_name != NULL) {
		result = 0;
		for (PyMethodDef* def = methods; result == 0 && def->ml_name; def++) {
			char attr[40];
			PyObject* function = PyCFunction_NewEx(def, NULL, module_name);
			snprintf(attr, sizeof(attr), "_py_%s", def->ml_name);
			if (function == NULL || PyObject_SetAttrString(module, attr, function) != 0) {
				result = -1;
			}
			Py_XDECREF(function);
		}
		Py_DECREF(module_name);
	}
	if (result != 0) {
		PyErr_Clear();  /* the caller raises ImportError */
	}
	PyGILState_Release(gil);
	return result;
}

/* The functions above into the module `name` (bindings/asc_key.py). */
static int
asc_key_export(const char* name)
{
	return asc_py_export(name, asc_py_methods);
}
