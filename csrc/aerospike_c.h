/*
 * Small helpers of aerospike_c for what the C client reaches through macros or
 * struct internals that Python cannot name. Declared for cffi in cdefs/aerospike_c.h.
 */
#pragma once

#include <aerospike/aerospike.h>
#include <aerospike/as_config.h>
#include <aerospike/as_node.h>
#include <aerospike/as_vector.h>
#include <aerospike/version.h>
#include <string.h>

/* The node's name (as_node is opaque to Python). */
static const char*
asc_node_name(as_node* node)
{
	return node->name;
}

/* Drop every rack id added with as_config_add_rack_id(). */
static void
asc_config_clear_rack_ids(as_config* config)
{
	if (config->rack_ids) {
		as_vector_destroy(config->rack_ids);
		config->rack_ids = NULL;
	}
}

/* Set the pointer fields at these byte offsets of the struct at base to NULL (one call for
 * what would be a cffi attribute write per field: a config's every policy filter_exp). */
static void
asc_null_pointers(void* base, const size_t* offsets, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		*(void**)((char*)base + offsets[i]) = NULL;
	}
}

/*
 * True on the tend thread of as's cluster: cluster-event and most log callbacks run there,
 * holding cluster->tend_lock, so aerospike_close() (which takes that lock and joins the
 * thread) would wait for itself. as->cluster is set only after the thread is created.
 */
#include <pthread.h>
#include <aerospike/as_cluster.h>

static bool
asc_on_tend_thread(aerospike* as)
{
	as_cluster* cluster = as->cluster;
	return cluster != NULL && pthread_equal(pthread_self(), cluster->tend_thread);
}

/*
 * The call count of an aerospike instance (bindings/aerospike.py): every call on the
 * instance is counted in and out, so close/destroy can refuse while calls run and no call
 * starts on a destroyed (or forked-away) instance. One atomic word, so a call pays two
 * atomic adds instead of two Python lock round trips, and the one-call helpers
 * (asc_key.h) count themselves in C, with the GIL released.
 * state: the calls inside, plus ASC_GUARD_EXCLUSIVE while close/destroy runs and
 * ASC_GUARD_DEAD once the instance is destroyed or this process is a fork's child.
 */
#define ASC_NOT_CONNECTED -1002  /* as->cluster is NULL: C would dereference it */
#define ASC_BUSY -1003
#define ASC_DEAD -1004
#define ASC_GUARD_EXCLUSIVE (1LL << 40)
#define ASC_GUARD_DEAD (1LL << 41)
#define ASC_GUARD_CONNECTING (1LL << 42)  /* asc_connect is running */
#define ASC_GUARD_CALLS (ASC_GUARD_EXCLUSIVE - 1)

typedef struct {
	aerospike* ptr;
	int64_t state;
	uintptr_t owner;  /* who holds ASC_GUARD_EXCLUSIVE (asc_enter_exclusive), else 0 */
} asc_instance;

/*
 * Metrics listeners (csrc/asc_metrics.h) run holding their cluster's metrics_lock, which is
 * not recursive, and every command may take it (as_node_prepare_metrics, for a namespace
 * the node has not seen yet): a call on that cluster's instance from the listener's own
 * thread would wait for itself. asc_listening is that cluster while a listener runs on this
 * thread; ASC_LISTENING_ANY when the cluster is not known (an enable listener called inside
 * aerospike_connect): every instance then refuses. asc_enter() and asc_refused() refuse
 * such calls as ASC_BUSY; asc_in_metrics_listener() tells Python why.
 */
#define ASC_LISTENING_ANY ((struct as_cluster_s*)1)
static __thread struct as_cluster_s* asc_listening;

static bool
asc_in_metrics_listener(asc_instance* g)
{
	struct as_cluster_s* listening = asc_listening;
	return listening != NULL && (listening == ASC_LISTENING_ANY ||
		(g->ptr != NULL && g->ptr->cluster == listening));
}

/* Count a call in: 0, or ASC_BUSY (close/destroy is running) or ASC_DEAD (destroyed,
 * forked, or never initialized: its aerospike_init raised, g->ptr is NULL) with nothing
 * counted: the call is refused (LifecycleError). */
static int
asc_enter(asc_instance* g)
{
	if (g->ptr == NULL) {  /* (set once, before any other thread can see the instance) */
		return ASC_DEAD;
	}
	int64_t state = __atomic_add_fetch(&g->state, 1, __ATOMIC_ACQ_REL);
	if (state & (ASC_GUARD_EXCLUSIVE | ASC_GUARD_DEAD)) {
		__atomic_sub_fetch(&g->state, 1, __ATOMIC_ACQ_REL);
		return (state & ASC_GUARD_DEAD) ? ASC_DEAD : ASC_BUSY;
	}
	if (asc_listening != NULL && asc_in_metrics_listener(g)) {
		__atomic_sub_fetch(&g->state, 1, __ATOMIC_ACQ_REL);
		return ASC_BUSY;
	}
	return 0;
}

static void
asc_exit(asc_instance* g)
{
	__atomic_sub_fetch(&g->state, 1, __ATOMIC_ACQ_REL);
}

/* For close/destroy: take the instance for `owner` (non-zero) when no call is inside. -1:
 * done; else the calls inside (nothing taken). Callers serialize their exclusive sections
 * themselves. The owner is recorded in the same call, so that a Python exception landing
 * right after it returns cannot leave the instance taken by nobody (asc_exclusive_owner). */
static int64_t
asc_enter_exclusive(asc_instance* g, uintptr_t owner)
{
	int64_t expected = 0;
	if (__atomic_compare_exchange_n(&g->state, &expected, ASC_GUARD_EXCLUSIVE, false,
			__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		__atomic_store_n(&g->owner, owner, __ATOMIC_RELEASE);
		return -1;
	}
	return expected & ASC_GUARD_CALLS;
}

/* End the exclusive section; dead: the instance was destroyed (every later call refused).
 * One atomic update, not a store: a refused asc_enter() may still be undoing its count; the
 * dead bit may be set already (asc_destroy). */
static void
asc_exit_exclusive(asc_instance* g, bool dead)
{
	__atomic_store_n(&g->owner, 0, __ATOMIC_RELEASE);
	int64_t state = __atomic_load_n(&g->state, __ATOMIC_ACQUIRE);
	while (! __atomic_compare_exchange_n(&g->state, &state,
			(state - ASC_GUARD_EXCLUSIVE) | (dead ? ASC_GUARD_DEAD : 0), false,
			__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
	}
}

/* Who holds the exclusive section (asc_enter_exclusive's owner), 0 when nobody does. */
static uintptr_t
asc_exclusive_owner(asc_instance* g)
{
	return __atomic_load_n(&g->owner, __ATOMIC_ACQUIRE);
}

/* aerospike_destroy() of the closed instance (inside its exclusive section), marked dead in the
 * same call: an interrupt landing before Python's own bookkeeping cannot make Python destroy
 * it twice. The config's as_exp* fields at `exp_offsets` are Python's (bindings/as_config.py
 * detach_exps): NULLed before C would free them. */
static void asc_aerospike_destroy(aerospike* as);

static void
asc_destroy(asc_instance* g, const size_t* exp_offsets, size_t count)
{
	asc_null_pointers(&g->ptr->config, exp_offsets, count);
	asc_aerospike_destroy(g->ptr);
	__atomic_or_fetch(&g->state, ASC_GUARD_DEAD, __ATOMIC_ACQ_REL);
}

/* Refuse every later call (the fork child's copy of a parent's instance). */
static void
asc_mark_dead(asc_instance* g)
{
	__atomic_or_fetch(&g->state, ASC_GUARD_DEAD, __ATOMIC_ACQ_REL);
}

/* Why a call would be refused now (ASC_BUSY, ASC_DEAD), or 0; counts nothing (the calls
 * Python counts itself check it, so an interrupt can never leave them counted here). */
static int
asc_refused(asc_instance* g)
{
	int64_t state = __atomic_load_n(&g->state, __ATOMIC_ACQUIRE);
	if (state & (ASC_GUARD_EXCLUSIVE | ASC_GUARD_DEAD)) {
		return (state & ASC_GUARD_DEAD) ? ASC_DEAD : ASC_BUSY;
	}
	return (asc_listening != NULL && asc_in_metrics_listener(g)) ? ASC_BUSY : 0;
}

/* The calls inside now (for messages). */
static int64_t
asc_calls(asc_instance* g)
{
	return __atomic_load_n(&g->state, __ATOMIC_ACQUIRE) & ASC_GUARD_CALLS;
}

/* as_cluster_get_node_names() counted in and out in this one call (no Python runs between, so
 * no interrupt can leave it counted): 0, ASC_BUSY / ASC_DEAD (refused, nothing counted), or
 * ASC_NOT_CONNECTED. */

static int
asc_node_names(asc_instance* g, int* count, char** names)
{
	int status = asc_enter(g);
	if (status != 0) {
		return status;
	}
	as_cluster* cluster = g->ptr->cluster;
	if (cluster == NULL) {
		status = ASC_NOT_CONNECTED;
	}
	else {
		as_cluster_get_node_names(cluster, count, names);
		/* C copies each node's name whole: the bytes after its NUL are not set. Zero them,
		 * so that Python splits the buffer once at the NULs. */
		for (int i = 0; *names != NULL && i < *count; i++) {
			char* name = *names + (size_t)i * AS_NODE_NAME_SIZE;
			size_t len = strnlen(name, AS_NODE_NAME_SIZE);
			memset(name + len, 0, AS_NODE_NAME_SIZE - len);
		}
	}
	asc_exit(g);
	return status;
}

/* $AEROSPIKE_CLIENT_CONFIG_URL as the C client reads it (getenv), or NULL. */
#include <stdlib.h>

static const char*
asc_config_url(void)
{
	return getenv("AEROSPIKE_CLIENT_CONFIG_URL");
}

/* aerospike_connect() counted in and out in this one call, when the config needs none of the
 * checks bindings/as_config.py check_config() makes (no dynamic config file, min <= max
 * connections, no tend thread CPU, no shared memory): its status, ASC_BUSY / ASC_DEAD
 * (refused, nothing counted), ASC_NEEDS_CHECK (nothing done: check, then call it again with
 * `checked`), or ASC_CONNECTING: another connect of the instance is running (a cluster-event
 * callback during the connect, or another thread), which C would let make a second cluster
 * and leak one (its tend and pool threads, its sockets). Python between the calls of a connect
 * runs slowly (the caches are cold after the C client starts its threads), so the common case
 * is one C call. */
#define ASC_NEEDS_CHECK -1006
#define ASC_CONNECTING -1007

static int
asc_connect(asc_instance* g, as_error* err, bool checked)
{
	int status = asc_enter(g);
	if (status != 0) {
		return status;
	}
	if (__atomic_fetch_or(&g->state, ASC_GUARD_CONNECTING, __ATOMIC_ACQ_REL) & ASC_GUARD_CONNECTING) {
		asc_exit(g);
		return ASC_CONNECTING;
	}
	aerospike* as = g->ptr;
	const as_config* c = &as->config;
	if (! checked && as->cluster == NULL && (asc_config_url() != NULL || c->config_provider.path != NULL ||
			c->min_conns_per_node > c->max_conns_per_node ||
			c->async_min_conns_per_node > c->async_max_conns_per_node ||
			c->tend_thread_cpu >= 0 || c->use_shm)) {
		status = ASC_NEEDS_CHECK;
	}
	else {
		status = aerospike_connect(as, err);
	}
	__atomic_and_fetch(&g->state, ~ASC_GUARD_CONNECTING, __ATOMIC_ACQ_REL);
	asc_exit(g);
	return status;
}

/* A seed host of a plain config (bindings/aerospike.py PlainInit); tls_name NULL for none. */
typedef struct {
	const char* address;
	const char* tls_name;
	uint16_t port;
} asc_seed;

/*
 * aerospike_init() into `as` of a copy of `config` (as_config_init() with plain int and bool
 * fields set: no heap memory of its own, so a copy is what aerospike_init() itself makes)
 * with `seeds` added, in one call; then g->ptr is `as`. Unless `checked`, ASC_NEEDS_CHECK,
 * doing nothing, when C would read a dynamic config file ($AEROSPIKE_CLIENT_CONFIG_URL):
 * Python checks the file first (check_config_file), then calls again. Else 0.
 */
static int
asc_init_plain(asc_instance* g, aerospike* as, const as_config* config, const asc_seed* seeds,
	uint32_t count, bool checked)
{
	if (! checked && asc_config_url() != NULL) {
		return ASC_NEEDS_CHECK;
	}
	as_config copy;
	memcpy(&copy, config, sizeof(copy));
	for (uint32_t i = 0; i < count; i++) {
		if (seeds[i].tls_name == NULL) {
			as_config_add_host(&copy, seeds[i].address, seeds[i].port);
		}
		else {
			as_config_tls_add_host(&copy, seeds[i].address, seeds[i].tls_name, seeds[i].port);
		}
	}
	aerospike_init(as, &copy);
	g->ptr = as;
	return 0;
}

/* The version string compiled into the C client (version.c). */
static const char*
asc_client_version(void)
{
	return aerospike_client_version;
}

/*
 * Logging: the C client's as_log_callback is variadic, which Python cannot implement.
 * asc_log_trampoline formats the message in C and hands the finished string to the
 * Python callback asc_log_to_python (extern "Python", defined in bindings/as_log.py).
 */
#include <stdarg.h>
#include <stdio.h>
#include <aerospike/as_log.h>

static bool asc_log_to_python(as_log_level level, const char* func, const char* file,
	uint32_t line, const char* message);

static bool
asc_log_trampoline(as_log_level level, const char* func, const char* file, uint32_t line,
	const char* fmt, ...)
{
	char message[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	return asc_log_to_python(level, func, file, line, message);
}

/* Route the C client's log to Python at `level` and below. */
static void
asc_log_enable(as_log_level level)
{
	as_log_set_level(level);
	as_log_set_callback(asc_log_trampoline);
}

/*
 * Values built from Python own C copies of their bytes (the C client frees them with
 * the value). C has no constructor that copies a buffer of a given length (strdup
 * stops at NUL; Python strings may hold NUL), hence these three. They return as_val*
 * so Python needs no cast to put them in a list, map or record.
 */
#include <string.h>
#include <citrusleaf/alloc.h>
#include <aerospike/as_bytes.h>
#include <aerospike/as_geojson.h>
#include <aerospike/as_string.h>

static char*
asc_copy_chars(const char* value, size_t len)
{
	char* copy = (char*)cf_malloc(len + 1);
	if (copy) {
		memcpy(copy, value, len);
		copy[len] = 0;
	}
	return copy;
}

static as_val*
asc_string_new_copy(const char* value, size_t len)
{
	char* copy = asc_copy_chars(value, len);
	return copy ? (as_val*)as_string_new_wlen(copy, len, true) : NULL;
}

static as_val*
asc_geojson_new_copy(const char* value, size_t len)
{
	char* copy = asc_copy_chars(value, len);
	return copy ? (as_val*)as_geojson_new_wlen(copy, len, true) : NULL;
}

static as_val*
asc_bytes_new_copy(const uint8_t* value, uint32_t size, as_bytes_type type)
{
	as_bytes* bytes = as_bytes_new(size);
	if (bytes) {
		as_bytes_append(bytes, value, size);
		bytes->type = type;
	}
	return (as_val*)bytes;
}

/*
 * Values and records read from C as plain msgpack, which Python's msgpack decodes in one
 * call (rather than one cffi access per value): strings as str, bytes as bin, GeoJSON and
 * the CDT wildcard/infinity as extension types ASC_EXT_*. C's own packer writes the
 * Aerospike wire flavour (type-prefixed strings), hence this walk over the as_val tree.
 * Each returns a cf_malloc'd buffer (free() it) and its size, or NULL for a value type
 * that has no Python value.
 */
#include <aerospike/as_arraylist.h>
#include <aerospike/as_boolean.h>
#include <aerospike/as_double.h>
#include <aerospike/as_integer.h>
#include <aerospike/as_msgpack.h>
#include <aerospike/as_orderedmap.h>
#include <aerospike/as_record.h>

#define ASC_EXT_GEOJSON 1
#define ASC_EXT_WILDCARD 2
#define ASC_EXT_INF 3

static int
asc_pack_val(as_packer* pk, const as_val* v, uint32_t depth)
{
	if (v == NULL) {
		return as_pack_nil(pk);
	}
	if (depth > 256) {
		return -1;
	}
	switch (v->type) {
	case AS_NIL:
		return as_pack_nil(pk);
	case AS_BOOLEAN:
		return as_pack_bool(pk, ((const as_boolean*)v)->value);
	case AS_INTEGER:
		return as_pack_int64(pk, ((const as_integer*)v)->value);
	case AS_DOUBLE:
		return as_pack_double(pk, ((const as_double*)v)->value);
	case AS_STRING: {
		as_string* s = (as_string*)v;
		return as_pack_str(pk, (const uint8_t*)s->value, (uint32_t)as_string_len(s));
	}
	case AS_BYTES: {
		const as_bytes* b = (const as_bytes*)v;
		return as_pack_bin(pk, b->value, b->size);
	}
	case AS_GEOJSON: {
		as_geojson* g = (as_geojson*)v;
		uint32_t size = (uint32_t)as_geojson_len(g);
		if (as_pack_ext_header(pk, size, ASC_EXT_GEOJSON) != 0) {
			return -1;
		}
		return as_pack_append(pk, (const unsigned char*)g->value, size);
	}
	case AS_LIST: {
		const as_list* list = (const as_list*)v;
		uint32_t size = as_list_size(list);
		if (as_pack_list_header(pk, size) != 0) {
			return -1;
		}
		for (uint32_t i = 0; i < size; i++) {
			if (asc_pack_val(pk, as_list_get(list, i), depth + 1) != 0) {
				return -1;
			}
		}
		return 0;
	}
	case AS_MAP: {
		/* Every map the C client builds is an as_orderedmap; the iterator merges its table. */
		as_orderedmap* map = (as_orderedmap*)v;
		as_orderedmap_iterator it;
		as_orderedmap_iterator_init(&it, map);
		if (as_pack_map_header(pk, map->count) != 0) {
			return -1;
		}
		for (uint32_t i = 0; i < map->count; i++) {
			if (asc_pack_val(pk, map->table[i].key, depth + 1) != 0 ||
					asc_pack_val(pk, map->table[i].value, depth + 1) != 0) {
				return -1;
			}
		}
		return 0;
	}
	case AS_CMP_WILDCARD:
		return as_pack_ext_header(pk, 0, ASC_EXT_WILDCARD);
	case AS_CMP_INF:
		return as_pack_ext_header(pk, 0, ASC_EXT_INF);
	default:
		return -1;
	}
}

/* Size the output (no buffer), then write it. */
static uint8_t*
asc_pack_twice(int (*pack)(as_packer*, const void*), const void* what, uint32_t* size)
{
	as_packer pk = {.head = NULL, .tail = NULL, .buffer = NULL, .offset = 0, .capacity = 0};
	if (pack(&pk, what) != 0) {
		return NULL;
	}
	*size = pk.offset;
	pk.buffer = (unsigned char*)cf_malloc(pk.offset ? pk.offset : 1);
	if (pk.buffer == NULL) {
		return NULL;
	}
	pk.capacity = pk.offset;
	pk.offset = 0;
	if (pack(&pk, what) != 0) {
		cf_free(pk.buffer);
		return NULL;
	}
	return pk.buffer;
}

static int
asc_pack_one(as_packer* pk, const void* v)
{
	return asc_pack_val(pk, (const as_val*)v, 0);
}

/* A record's bins as a map {name: value} (a repeated name: the last value), or with flat
 * as one flat array [name1, value1, name2, value2, ...] (names may repeat). */
static int
asc_pack_bins_as(as_packer* pk, const as_record* rec, bool flat)
{
	uint32_t n = rec->bins.size;
	if ((flat ? as_pack_list_header(pk, n * 2) : as_pack_map_header(pk, n)) != 0) {
		return -1;
	}
	for (uint16_t i = 0; i < rec->bins.size; i++) {
		const as_bin* bin = &rec->bins.entries[i];
		if (as_pack_str(pk, (const uint8_t*)bin->name, (uint32_t)strlen(bin->name)) != 0 ||
				asc_pack_val(pk, (const as_val*)bin->valuep, 0) != 0) {
			return -1;
		}
	}
	return 0;
}

static int
asc_pack_bins(as_packer* pk, const void* rec)
{
	return asc_pack_bins_as(pk, (const as_record*)rec, true);
}

static uint8_t*
asc_val_to_msgpack(const as_val* v, uint32_t* size)
{
	return asc_pack_twice(asc_pack_one, v, size);
}

static uint8_t*
asc_bins_to_msgpack(const as_record* rec, uint32_t* size)
{
	return asc_pack_twice(asc_pack_bins, rec, size);
}

/*
 * The other way: plain msgpack from Python's msgpack.packb (one call for a whole value or a
 * whole dict of bins) read into new C-heap values. ASC_EXT_* extensions as above; an
 * unsigned int over INT64_MAX, a map key C refuses (not int, str or bytes) or malformed
 * input gives NULL/false, and Python then names the offending bin.
 */
#include <aerospike/as_geojson.h>
#include <aerospike/as_msgpack_ext.h>
#include <aerospike/as_nil.h>

typedef struct {
	const uint8_t* p;
	const uint8_t* end;
	bool stored;  /* a value for a bin: a str inside a list or map may not hold a NUL */
} asc_reader;

static bool
asc_read_be(asc_reader* r, uint32_t n, uint64_t* out)
{
	if ((size_t)(r->end - r->p) < n) {
		return false;
	}
	uint64_t v = 0;
	for (uint32_t i = 0; i < n; i++) {
		v = (v << 8) | r->p[i];
	}
	r->p += n;
	*out = v;
	return true;
}

/* A msgpack map or array header: its count, or false. */
static bool
asc_read_header(asc_reader* r, bool map, uint64_t* n)
{
	if (r->p >= r->end) {
		return false;
	}
	uint8_t b = *r->p++;
	if ((b & 0xf0) == (map ? 0x80 : 0x90)) {
		*n = b & 0x0f;
		return true;
	}
	if (b == (map ? 0xde : 0xdc)) {
		return asc_read_be(r, 2, n);
	}
	if (b == (map ? 0xdf : 0xdd)) {
		return asc_read_be(r, 4, n);
	}
	return false;
}

static const uint8_t*
asc_read_bytes(asc_reader* r, uint64_t n)
{
	if ((uint64_t)(r->end - r->p) < n) {
		return NULL;
	}
	const uint8_t* start = r->p;
	r->p += n;
	return start;
}

static as_val* asc_read_val(asc_reader* r, uint32_t depth);

/*
 * The largest str or bytes user key we hand the C client. as_key_set_digest() (as_key.c)
 * copies the whole key onto the stack (alloca(size + 1)) to hash it, in whatever thread
 * runs the command: an 8 MiB key overflows an 8 MiB thread stack (SIGSEGV). 1 MiB is also
 * the server's default max-record-size, which a stored key (POLICY_KEY_SEND) must fit.
 */
#define ASC_KEY_MAX_SIZE (1u << 20)

/*
 * The deepest nesting of lists and maps the C client can read back: as_unpack_val()
 * (modules/common as_msgpack.c, MSGPACK_MAX_DEPTH) refuses a container at level 65, so a
 * value the server stores deeper could never be read again. Values are refused at write
 * time beyond it (a container read at `depth` is at level depth + 1).
 */
#define ASC_MAX_DEPTH 64

static as_val*
asc_read_list(asc_reader* r, uint64_t n, uint32_t depth)
{
	if (depth >= ASC_MAX_DEPTH || n > (uint64_t)(r->end - r->p)) {
		return NULL;  /* every element is at least one byte */
	}
	as_arraylist* list = as_arraylist_new((uint32_t)n, 0);
	for (uint64_t i = 0; list && i < n; i++) {
		as_val* item = asc_read_val(r, depth + 1);
		if (item == NULL) {
			as_arraylist_destroy(list);
			return NULL;
		}
		as_arraylist_append(list, item);
	}
	return (as_val*)list;
}

static as_val*
asc_read_map(asc_reader* r, uint64_t n, uint32_t depth)
{
	if (depth >= ASC_MAX_DEPTH || n > (uint64_t)(r->end - r->p) / 2) {
		return NULL;
	}
	as_orderedmap* map = as_orderedmap_new((uint32_t)n);
	for (uint64_t i = 0; map && i < n; i++) {
		as_val* key = asc_read_val(r, depth + 1);
		as_val* value = key ? asc_read_val(r, depth + 1) : NULL;
		if (value == NULL || as_orderedmap_set(map, key, value) != 0) {
			as_val_destroy(key);
			as_val_destroy(value);
			as_orderedmap_destroy(map);
			return NULL;
		}
	}
	return (as_val*)map;
}

static as_val*
asc_read_ext(asc_reader* r, uint64_t n)
{
	uint64_t type;
	const uint8_t* data;
	if (! asc_read_be(r, 1, &type) || (data = asc_read_bytes(r, n)) == NULL) {
		return NULL;
	}
	switch (type) {
	case ASC_EXT_GEOJSON:
		return asc_geojson_new_copy((const char*)data, (size_t)n);
	case ASC_EXT_WILDCARD:
		return (as_val*)&as_cmp_wildcard;
	case ASC_EXT_INF:
		return (as_val*)&as_cmp_inf;
	default:
		return NULL;
	}
}

static as_val*
asc_read_val(asc_reader* r, uint32_t depth)
{
	uint64_t n;
	if (r->p >= r->end || depth > ASC_MAX_DEPTH) {
		return NULL;
	}
	uint8_t b = *r->p++;
	if (b <= 0x7f || b >= 0xe0) {
		return (as_val*)as_integer_new((int8_t)b);
	}
	if ((b & 0xe0) == 0xa0 || b == 0xd9 || b == 0xda || b == 0xdb ||
			b == 0xc4 || b == 0xc5 || b == 0xc6) {
		bool text = (b & 0xe0) == 0xa0 || b >= 0xd9;
		if ((b & 0xe0) == 0xa0) {
			n = b & 0x1f;
		}
		else if (! asc_read_be(r, 1u << (text ? b - 0xd9 : b - 0xc4), &n)) {
			return NULL;
		}
		const uint8_t* data = asc_read_bytes(r, n);
		if (data == NULL || (text && r->stored && depth > 0 && memchr(data, 0, (size_t)n))) {
			return NULL;  /* the C client reads nested strings back with strndup: cut short */
		}
		return text ? asc_string_new_copy((const char*)data, (size_t)n)
				: asc_bytes_new_copy(data, (uint32_t)n, AS_BYTES_BLOB);
	}
	if ((b & 0xf0) == 0x90) {
		return asc_read_list(r, b & 0x0f, depth);
	}
	if ((b & 0xf0) == 0x80) {
		return asc_read_map(r, b & 0x0f, depth);
	}
	switch (b) {
	case 0xc0:
		return (as_val*)&as_nil;
	case 0xc2:
		return (as_val*)&as_false;
	case 0xc3:
		return (as_val*)&as_true;
	case 0xcc: case 0xcd: case 0xce: case 0xcf:
		if (! asc_read_be(r, 1u << (b - 0xcc), &n) || n > INT64_MAX) {
			return NULL;
		}
		return (as_val*)as_integer_new((int64_t)n);
	case 0xd0:
		return asc_read_be(r, 1, &n) ? (as_val*)as_integer_new((int8_t)n) : NULL;
	case 0xd1:
		return asc_read_be(r, 2, &n) ? (as_val*)as_integer_new((int16_t)n) : NULL;
	case 0xd2:
		return asc_read_be(r, 4, &n) ? (as_val*)as_integer_new((int32_t)n) : NULL;
	case 0xd3:
		return asc_read_be(r, 8, &n) ? (as_val*)as_integer_new((int64_t)n) : NULL;
	case 0xca: {
		uint32_t bits;
		float f;
		if (! asc_read_be(r, 4, &n)) {
			return NULL;
		}
		bits = (uint32_t)n;
		memcpy(&f, &bits, sizeof(f));
		return (as_val*)as_double_new(f);
	}
	case 0xcb: {
		double d;
		if (! asc_read_be(r, 8, &n)) {
			return NULL;
		}
		memcpy(&d, &n, sizeof(d));
		return (as_val*)as_double_new(d);
	}
	case 0xdc: case 0xdd:
		return asc_read_be(r, b == 0xdc ? 2 : 4, &n) ? asc_read_list(r, n, depth) : NULL;
	case 0xde: case 0xdf:
		return asc_read_be(r, b == 0xde ? 2 : 4, &n) ? asc_read_map(r, n, depth) : NULL;
	case 0xd4: case 0xd5: case 0xd6: case 0xd7: case 0xd8:
		return asc_read_ext(r, 1u << (b - 0xd4));
	case 0xc7: case 0xc8: case 0xc9:
		return asc_read_be(r, 1u << (b - 0xc7), &n) ? asc_read_ext(r, n) : NULL;
	default:
		return NULL;
	}
}

/* A value that will be `depth` levels down its bin (a CDT operation's value); stored: a
 * bin's value or an operation's (a str nested in it may not hold a NUL, which the C client
 * would read back cut short), else an argument (a UDF's, an expression's). */
static as_val*
asc_val_from_msgpack_at(const uint8_t* buf, uint32_t size, uint32_t depth, bool stored)
{
	asc_reader r = {buf, buf + size, stored};
	as_val* v = asc_read_val(&r, depth);
	if (v != NULL && r.p != r.end) {
		as_val_destroy(v);
		return NULL;
	}
	return v;
}

static as_val*
asc_val_from_msgpack(const uint8_t* buf, uint32_t size)
{
	return asc_val_from_msgpack_at(buf, size, 0, false);
}

/* Set rec's bins from a msgpack map {name: value}; rec needs room for all of them. */
static bool
asc_record_set_msgpack(as_record* rec, const uint8_t* buf, uint32_t size)
{
	asc_reader r = {buf, buf + size, true};
	uint64_t n;
	uint8_t b;
	if (! asc_read_header(&r, true, &n)) {
		return false;
	}
	for (uint64_t i = 0; i < n; i++) {
		as_bin_name name;
		uint64_t len;
		const uint8_t* text;
		if (r.p >= r.end) {
			return false;
		}
		b = *r.p++;
		if ((b & 0xe0) != 0xa0 || (len = b & 0x1f) > AS_BIN_NAME_MAX_LEN ||
				(text = asc_read_bytes(&r, len)) == NULL || memchr(text, 0, len) != NULL) {
			return false;
		}
		memcpy(name, text, len);
		name[len] = 0;
		as_val* v = asc_read_val(&r, 0);
		if (v == NULL) {
			return false;
		}
		if (! as_record_set(rec, name, (as_bin_value*)v)) {
			as_val_destroy(v);
			return false;
		}
	}
	return r.p == r.end;
}

/* Keys packed by Python: (ns, set | None, user key) or (ns, set, None, digest) tuples. */
/* A msgpack str (fixstr/str8/16/32) of at most `max` bytes without NUL, copied NUL-ended. */
static bool
asc_read_name(asc_reader* r, char* out, uint32_t max)
{
	uint64_t n;
	if (r->p >= r->end) {
		return false;
	}
	uint8_t b = *r->p++;
	if ((b & 0xe0) == 0xa0) {
		n = b & 0x1f;
	}
	else if (b < 0xd9 || b > 0xdb || ! asc_read_be(r, 1u << (b - 0xd9), &n)) {
		return false;
	}
	const uint8_t* text = asc_read_bytes(r, n);
	if (text == NULL || n > max || memchr(text, 0, n) != NULL) {
		return false;
	}
	memcpy(out, text, n);
	out[n] = 0;
	return true;
}

/* One key [ns, set | nil, user key (int, str, bin) | nil(, digest bin | nil)] into `key`. */
static bool
asc_read_key(asc_reader* r, as_key* key)
{
	char ns[AS_NAMESPACE_MAX_SIZE];
	char set[AS_SET_MAX_SIZE];
	uint64_t count;
	if (r->p >= r->end) {
		return false;
	}
	uint8_t b = *r->p++;
	if ((b & 0xf0) != 0x90 || ((count = b & 0x0f) != 3 && count != 4)) {
		return false;
	}
	if (! asc_read_name(r, ns, AS_NAMESPACE_MAX_SIZE - 1) || ns[0] == 0 || r->p >= r->end) {
		return false;
	}
	if (*r->p == 0xc0) {
		r->p++;
		set[0] = 0;
	}
	else if (! asc_read_name(r, set, AS_SET_MAX_SIZE - 1)) {
		return false;
	}
	as_val* value = asc_read_val(r, 0);
	if (value == NULL) {
		return false;
	}
	const uint8_t* digest = NULL;
	if (count == 4) {
		if (r->p < r->end && *r->p == 0xc0) {
			r->p++;
		}
		else if (r->end - r->p >= 2 + AS_DIGEST_VALUE_SIZE && r->p[0] == 0xc4 &&
				r->p[1] == AS_DIGEST_VALUE_SIZE) {
			digest = r->p + 2;
			r->p += 2 + AS_DIGEST_VALUE_SIZE;
		}
		else {
			as_val_destroy(value);
			return false;
		}
	}
	bool ok = false;
	switch (value->type) {
	case AS_NIL:
		ok = digest != NULL && as_key_init_digest(key, ns, set, digest) != NULL;
		break;
	case AS_INTEGER:
		ok = as_key_init_int64(key, ns, set, ((as_integer*)value)->value) != NULL;
		break;
	case AS_STRING: {
		as_string* s = (as_string*)value;
		size_t len = s->len;
		ok = len <= ASC_KEY_MAX_SIZE && as_key_init_strp(key, ns, set, s->value, true) != NULL;
		if (ok) {
			s->free = false;  /* the key owns the copy now */
			key->value.string.len = len;
		}
		break;
	}
	case AS_BYTES: {
		as_bytes* bytes = (as_bytes*)value;
		ok = bytes->size <= ASC_KEY_MAX_SIZE &&
			as_key_init_rawp(key, ns, set, bytes->value, bytes->size, true) != NULL;
		if (ok) {
			bytes->free = false;
		}
		break;
	}
	default:
		break;
	}
	bool by_digest = value->type == AS_NIL;
	as_val_destroy(value);
	if (ok && digest != NULL && ! by_digest) {
		/* Both a user key and a digest: the digest must be the key's (Python raises why). */
		as_error err;
		ok = as_key_set_digest(&err, key) == AEROSPIKE_OK &&
			memcmp(key->digest.value, digest, AS_DIGEST_VALUE_SIZE) == 0;
		if (! ok) {
			as_key_destroy(key);
		}
	}
	return ok;
}
