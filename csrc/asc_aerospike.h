/*
 * The instance calls of bindings/aerospike.py that every connect cycle makes, as CPython
 * functions (asc_key.h says why: between two round trips every Python step is paid cold, and
 * a cffi call with its out-parameters costs more than the C work of these). Exported at import
 * as `_py_<name>` attributes of bindings/aerospike.py (asc_aerospike_export):
 *
 *     connect(as_)      -> 0 (connected), or ASC_NEEDS_CHECK / ASC_CONNECTING / ASC_BUSY /
 *                          ASC_DEAD (nothing done: the caller says why); asc_connect, the GIL
 *                          released
 *     node_names(as_)   -> [str, ...]; asc_node_names
 *     config_key(hosts, fields)
 *                       -> the key of client.py's plain Config recipes (_RECIPES) for these
 *                          Config arguments, or None when they are not all of the types it
 *                          caches
 *     close_and_destroy(as_, main_ident, after, exp_offsets, count)
 *                       -> True (closed and destroyed), or False (nothing done: take the
 *                          Python path, which waits, or raises why it cannot)
 *
 * None: as_ is not an `aerospike` (the caller raises the TypeError). A failure raises what
 * asc_key.h's failure(as_, what, status, err_address) returns: the C as_error, or
 * LifecycleError for an instance that is closing, destroyed, forked or not connected.
 */
#pragma once

#include "aerospike_c.h"
#include "asc_async.h"  /* asc_close_and_destroy */
#include "asc_key.h"

/* The asc_instance of as_; NULL with no exception set: not an aerospike. */
static asc_instance*
asc_py_checked_instance(PyObject* as_)
{
	if (asc_py_failure == NULL) {  /* bindings/asc_key.py not imported yet */
		PyErr_SetString(PyExc_RuntimeError, "aerospike_c.bindings.asc_key is not set up");
		return NULL;
	}
	return asc_py_instance(as_);
}

/* What a function returns when asc_py_checked_instance() found no instance: None, or NULL
 * for its exception. */
static PyObject*
asc_py_no_instance(void)
{
	if (PyErr_Occurred()) {
		return NULL;
	}
	Py_RETURN_NONE;
}

static PyObject*
asc_py_connect(PyObject* self, PyObject* as_)
{
	(void)self;
	asc_instance* g = asc_py_checked_instance(as_);
	if (g == NULL) {
		return asc_py_no_instance();
	}
	as_error err;
	int status;
	Py_BEGIN_ALLOW_THREADS
	status = asc_connect(g, &err, false);
	Py_END_ALLOW_THREADS
	if (status == AEROSPIKE_OK || status == ASC_NEEDS_CHECK || status == ASC_CONNECTING ||
			status == ASC_BUSY || status == ASC_DEAD) {
		return PyLong_FromLong(status);
	}
	return asc_py_fail(as_, "aerospike_connect", status, &err);
}

static PyObject*
asc_py_node_names(PyObject* self, PyObject* as_)
{
	(void)self;
	asc_instance* g = asc_py_checked_instance(as_);
	if (g == NULL) {
		return asc_py_no_instance();
	}
	int count = 0;
	char* names = NULL;
	int status = asc_node_names(g, &count, &names);  /* never blocks: the GIL is kept */
	if (status != 0) {
		return asc_py_fail(as_, "as_cluster_get_node_names", status, NULL);
	}
	PyObject* list = PyList_New(0);
	for (int i = 0; list != NULL && names != NULL && i < count; i++) {
		const char* name = names + (size_t)i * AS_NODE_NAME_SIZE;
		size_t len = strnlen(name, AS_NODE_NAME_SIZE);
		if (len == 0) {
			continue;
		}
		PyObject* text = PyUnicode_DecodeUTF8(name, (Py_ssize_t)len, "strict");
		if (text == NULL || PyList_Append(list, text) != 0) {
			Py_CLEAR(list);
		}
		Py_XDECREF(text);
	}
	free(names);
	return list;
}

/* A str, int, bool or None exactly (no subclass, whose == could say otherwise): equal values
 * of these types C takes alike, but for a bool and its int (config_key marks bools). */
static bool
asc_py_key_part(PyObject* part, unsigned long long* bools, int* bit)
{
	if (*bit >= 64) {
		return false;
	}
	if (PyBool_Check(part)) {
		*bools |= 1ULL << *bit;
	}
	else if (! PyUnicode_CheckExact(part) && ! PyLong_CheckExact(part) && part != Py_None) {
		return false;
	}
	(*bit)++;
	return true;
}

/* config_key(hosts, fields): (hosts as a tuple of tuples, fields' items as a tuple, a mask of
 * the parts that are bools) when hosts is a list or tuple of tuples, fields a dict, and every
 * part (address, port, tls_name, field name and value) is of a type asc_py_key_part takes;
 * else None. Equal keys are Config arguments that C takes alike. */
static PyObject*
asc_py_config_key(PyObject* self, PyObject* args)
{
	PyObject* a[2];
	(void)self;
	if (! asc_py_args(args, 2, a)) {
		return NULL;
	}
	if (! (PyList_CheckExact(a[0]) || PyTuple_CheckExact(a[0])) || ! PyDict_CheckExact(a[1])) {
		Py_RETURN_NONE;
	}
	PyObject* hosts = PySequence_Tuple(a[0]);
	PyObject* list = hosts != NULL ? PyDict_Items(a[1]) : NULL;
	PyObject* items = list != NULL ? PySequence_Tuple(list) : NULL;
	Py_XDECREF(list);
	if (items == NULL) {
		Py_XDECREF(hosts);
		return NULL;
	}
	unsigned long long bools = 0;
	int bit = 0;
	bool cached = true;
	PyObject* groups[2] = {hosts, items};
	for (int g = 0; cached && g < 2; g++) {
		Py_ssize_t n = PyTuple_Size(groups[g]);
		for (Py_ssize_t i = 0; cached && i < n; i++) {
			PyObject* group = PyTuple_GetItem(groups[g], i);
			cached = PyTuple_CheckExact(group);  /* a host, or a (name, value) item */
			Py_ssize_t parts = cached ? PyTuple_Size(group) : 0;
			for (Py_ssize_t j = 0; cached && j < parts; j++) {
				cached = asc_py_key_part(PyTuple_GetItem(group, j), &bools, &bit);
			}
		}
	}
	PyObject* key = NULL;
	if (! cached) {
		Py_INCREF(Py_None);
		key = Py_None;
	}
	else {
		PyObject* mask = PyLong_FromUnsignedLongLong(bools);
		key = mask != NULL ? PyTuple_Pack(3, hosts, items, mask) : NULL;
		Py_XDECREF(mask);
	}
	Py_DECREF(hosts);
	Py_DECREF(items);
	return key;
}

static PyObject* asc_py_s_lock;
static PyObject* asc_py_s_acquire;
static PyObject* asc_py_s_release;
static PyObject* asc_py_s_destroyed;
static PyObject* asc_py_s_forked;
static PyObject* asc_py_s_closing;
static PyObject* asc_py_s_calls;
static PyObject* asc_py_s_note_destroyed;
static PyObject* asc_py_s_is_owned;

/* Is obj.<name> true? -1: an exception. */
static int
asc_py_attr_true(PyObject* obj, PyObject* name)
{
	PyObject* value = PyObject_GetAttr(obj, name);
	if (value == NULL) {
		return -1;
	}
	int result = PyObject_IsTrue(value);
	Py_DECREF(value);
	return result;
}

/*
 * Take the instance exclusively as bindings/aerospike.py _enter_exclusive() does, when that
 * needs neither a wait nor an error: its lock not held by this thread and free now
 * (acquire(False) never blocks, so no signal can interrupt it), not destroyed, forked nor
 * closing, no Python call counted in (_calls empty), no C call inside
 * (asc_enter_exclusive). No Python code runs in here, so no interrupt lands between the
 * checks and the take. 1: taken (_closing is True), 0: not (nothing changed), -1: an
 * exception (nothing changed).
 */
static int
asc_py_take_exclusive(PyObject* as_, asc_instance* g, uintptr_t owner)
{
	if (g->ptr == NULL) {  /* never initialized: the Python path says so */
		return 0;
	}
	PyObject* lock = PyObject_GetAttr(as_, asc_py_s_lock);
	if (lock == NULL) {
		return -1;
	}
	/* This thread holds it (a finalizer or signal handler inside one of its sections): the
	 * Python path refuses that (_refuse_reentry); the reentrant acquire would let it in. */
	PyObject* owned = PyObject_CallMethodObjArgs(lock, asc_py_s_is_owned, NULL);
	int mine = owned != NULL ? PyObject_IsTrue(owned) : -1;
	Py_XDECREF(owned);
	if (mine != 0) {
		Py_DECREF(lock);
		return mine < 0 ? -1 : 0;
	}
	PyObject* got = PyObject_CallMethodObjArgs(lock, asc_py_s_acquire, Py_False, NULL);
	if (got != Py_True) {
		Py_XDECREF(got);
		Py_DECREF(lock);
		return got == NULL ? -1 : 0;
	}
	Py_DECREF(got);
	PyObject* flags[] = {asc_py_s_destroyed, asc_py_s_forked, asc_py_s_closing, asc_py_s_calls};
	int busy = 0;
	for (int i = 0; busy == 0 && i < 4; i++) {
		busy = asc_py_attr_true(as_, flags[i]);
	}
	int taken = busy < 0 ? -1 : 0;
	if (busy == 0 && asc_enter_exclusive(g, owner) < 0) {
		taken = PyObject_SetAttr(as_, asc_py_s_closing, Py_True) == 0 ? 1 : -1;
		if (taken < 0) {
			asc_exit_exclusive(g, false);
		}
	}
	PyObject* released = PyObject_CallMethodObjArgs(lock, asc_py_s_release, NULL);
	Py_DECREF(lock);
	if (released == NULL) {  /* (a lock we hold always releases) */
		if (taken == 1) {
			PyObject_SetAttr(as_, asc_py_s_closing, Py_False);
			asc_exit_exclusive(g, false);
		}
		return -1;
	}
	Py_DECREF(released);
	return taken;
}

/* close_and_destroy(as_, main_ident, after, exp_offsets, count): bindings/aerospike.py
 * close_and_destroy() when the instance can be taken at once on the main thread: the
 * exclusive section taken (asc_py_take_exclusive), asc_close_and_destroy with the GIL
 * released, after(as_, destroyed) (Python's bookkeeping), and the section ended here
 * whatever after() raised (as _end_orphaned_exclusive ends it). */
static PyObject*
asc_py_close_and_destroy(PyObject* self, PyObject* args)
{
	PyObject* a[5];
	(void)self;
	if (! asc_py_args(args, 5, a)) {
		return NULL;
	}
	asc_instance* g = asc_py_checked_instance(a[0]);
	unsigned long main_ident = PyLong_AsUnsignedLong(a[1]);
	const size_t* offsets = (const size_t*)PyLong_AsVoidPtr(a[3]);
	size_t count = PyLong_AsSize_t(a[4]);
	if (PyErr_Occurred()) {
		return NULL;
	}
	if (g == NULL || PyThread_get_thread_ident() != main_ident) {
		Py_RETURN_FALSE;  /* not an aerospike; maybe a tend thread (refuse_on_tend_thread) */
	}
	as_error err;
	int taken = asc_py_take_exclusive(a[0], g, (uintptr_t)&err);
	if (taken <= 0) {
		if (taken < 0) {
			return NULL;
		}
		Py_RETURN_FALSE;
	}
	as_status status;
	Py_BEGIN_ALLOW_THREADS
	status = asc_close_and_destroy(g, &err, offsets, count);
	Py_END_ALLOW_THREADS
	bool destroyed = status == AEROSPIKE_OK;
	PyObject* done = PyObject_CallFunctionObjArgs(a[2], a[0], destroyed ? Py_True : Py_False,
		NULL);
	PyObject *type, *value, *traceback;
	PyErr_Fetch(&type, &value, &traceback);  /* what after() raised (an interrupt), for later */
	if (PyObject_SetAttr(a[0], asc_py_s_closing, Py_False) != 0) {
		PyErr_Clear();  /* (a slot of the exact type: it always sets) */
	}
	if (done == NULL && destroyed) {
		/* after() was cut short: its bookkeeping is done now, as _end_orphaned_exclusive
		 * does it (nothing else would: __del__ sees it destroyed). */
		PyObject* noted = PyObject_CallMethodObjArgs(a[0], asc_py_s_note_destroyed, NULL);
		Py_XDECREF(noted);
		PyErr_Clear();  /* the first exception is the one raised */
	}
	if (destroyed && PyObject_SetAttr(a[0], asc_py_s_destroyed, Py_True) != 0) {
		PyErr_Clear();  /* (whatever cut that short: never destroyed again) */
	}
	asc_exit_exclusive(g, destroyed);
	PyErr_Restore(type, value, traceback);
	if (done == NULL) {
		return NULL;
	}
	Py_DECREF(done);
	if (! destroyed) {
		return asc_py_fail(a[0], "aerospike_destroy", status, &err);
	}
	Py_RETURN_TRUE;
}

static PyMethodDef asc_aerospike_py_methods[] = {
	{"connect", asc_py_connect, METH_O,
		"connect(as_): aerospike_connect() counted in and out (asc_connect): 0, or an ASC_ "
		"status; None: not an aerospike"},
	{"node_names", asc_py_node_names, METH_O,
		"node_names(as_): as_cluster_get_node_names() as a list of str; None: not an aerospike"},
	{"config_key", asc_py_config_key, METH_VARARGS,
		"config_key(hosts, fields): the key of a plain Config's recipe, or None"},
	{"close_and_destroy", asc_py_close_and_destroy, METH_VARARGS,
		"close_and_destroy(as_, main_ident, after, exp_offsets, count): True, or False: "
		"nothing done, take the Python path"},
	{NULL, NULL, 0, NULL},
};

/* The functions above into the module `name` (bindings/aerospike.py). */
static int
asc_aerospike_export(const char* name)
{
	PyGILState_STATE gil = PyGILState_Ensure();
	PyObject** names[] = {&asc_py_s_lock, &asc_py_s_acquire, &asc_py_s_release,
		&asc_py_s_destroyed, &asc_py_s_forked, &asc_py_s_closing, &asc_py_s_calls,
		&asc_py_s_note_destroyed, &asc_py_s_is_owned};
	const char* texts[] = {"_lock", "acquire", "release", "_destroyed", "_forked", "_closing",
		"_calls", "_note_destroyed_in_c", "_is_owned"};
	int result = 0;
	for (int i = 0; i < 9; i++) {
		if (*names[i] == NULL && (*names[i] = PyUnicode_InternFromString(texts[i])) == NULL) {
			PyErr_Clear();  /* the caller raises ImportError */
			result = -1;
		}
	}
	PyGILState_Release(gil);
	return result == 0 ? asc_py_export(name, asc_aerospike_py_methods) : -1;
}
