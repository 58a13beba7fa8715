/*
 * The embedded server's Lua: run record UDFs and stream UDFs (aggregation) the way a server
 * does, with the C client's own mod-lua and Lua 5.4 (both inside libaerospike.a).
 *
 * mod-lua keeps one global configuration per process (user path, state cache) which the client
 * in the same process sets up for client-side aggregation, so the server does not go through
 * as_module_apply_record/_stream: it builds its own lua_States as mod_lua.c's create_state does
 * (standard libraries, the mod_lua_*_register types, the system Lua as.lua, stream_ops.lua,
 * aerospike.lua), loads the module source the server stores, and calls the system
 * apply_record(f, rec, ...) or apply_stream(f, scope, istream, ostream, ...) as mod_lua.c's
 * apply() does. As a server, it keeps compiled states per module source (asc_udf_state_*):
 * a call takes an idle state of its module or builds one, and gives it back after the call.
 *
 * A record is an as_rec over an as_record (the bins, parsed from and written back to wire
 * form with the client's as_command_parse_bins / as_command_write_bin) plus the metadata in
 * asc_udf_record that Python fills before the call and reads after it; the as_aerospike hooks
 * (create, update, remove, exists) only set flags there, so Lua never calls back into Python.
 * Each as_rec lives on the heap and owns its bins, so a record a UDF keeps (a global in a
 * cached state) stays valid; a record UDF's record is detached from the caller's metadata
 * when the call ends; a stream's records are read-only, as a server's. A time limit stops a
 * UDF that runs too long (a Lua count hook, like mod_lua's check_timer), and a memory limit
 * per Lua state one that grows without end. Declared for cffi in cdefs/asc_udf.h.
 */
#pragma once

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <aerospike/as_command.h>
#include <aerospike/as_msgpack.h>
#include <aerospike/as_record.h>
#include <aerospike/as_aerospike.h>
#include <aerospike/as_result.h>
#include <aerospike/mod_lua_aerospike.h>
#include <aerospike/mod_lua_bytes.h>
#include <aerospike/mod_lua_geojson.h>
#include <aerospike/mod_lua_iterator.h>
#include <aerospike/mod_lua_list.h>
#include <aerospike/mod_lua_map.h>
#include <aerospike/mod_lua_record.h>
#include <aerospike/mod_lua_stream.h>
#include <aerospike/mod_lua_val.h>
#include <citrusleaf/cf_clock.h>
#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>

/* What the UDF did to the record (the last aerospike:create/update/remove wins). */
#define ASC_UDF_NONE 0
#define ASC_UDF_WRITE 1
#define ASC_UDF_REMOVE 2

/* asc_udf_apply_record's outcomes besides OK: the call ran and failed (reply bin FAILURE). */
#define ASC_UDF_FAILED 1

/* Most bins a UDF may add to a record in one call (the server's UDF_RECORD_BIN_ULIMIT). */
#define ASC_UDF_MAX_NEW_BINS 512

/* The server's default user path: a Lua error names its module file there. */
#define ASC_UDF_USER_PATH "/opt/aerospike/usr/udf/lua/"

typedef struct {
	/* in: the record as the store has it */
	bool exists;
	uint32_t ttl;
	uint16_t gen;
	uint64_t last_update_time;
	char setname[64];
	uint8_t digest[20];
	/* out */
	int action;
	bool ttl_set;
	uint32_t new_ttl;
	bool drop_key;
	uint8_t* bins;          /* the record's bins as write operations (action WRITE) */
	uint32_t bins_size;
	uint32_t n_bins;
	uint8_t* reply;         /* the SUCCESS or FAILURE bin, in response form */
	uint32_t reply_size;
} asc_udf_record;

/* A record as Lua sees it: on the heap (as_rec_new), owning its bins; `meta` is the caller's
 * metadata for a record UDF (NULL once the call is over) or `own` for a stream's record. */
typedef struct {
	asc_udf_record* meta;
	asc_udf_record own;
	as_record* bins;
} asc_udf_rec_data;

static __thread uint64_t asc_udf_deadline_ms;

/* as_record's own as_rec implementation (as_record_hooks.c; not in a public header). */
extern const as_rec_hooks as_record_rec_hooks;

/* ---- as_rec over an as_record plus the store's metadata ------------------------------- */

static asc_udf_rec_data*
asc_udf_data(const as_rec* rec)
{
	return (asc_udf_rec_data*)rec->data;
}

/* The record's metadata, NULL once a record UDF's call is over. */
static asc_udf_record*
asc_udf_meta(const as_rec* rec)
{
	return asc_udf_data(rec)->meta;
}

static bool
asc_udf_rec_destroy(as_rec* rec)
{
	asc_udf_rec_data* data = asc_udf_data(rec);
	if (data) {
		as_record_destroy(data->bins);
		cf_free(data);
		rec->data = NULL;
	}
	return true;
}

static as_val*
asc_udf_rec_get(const as_rec* rec, const char* name)
{
	return as_record_rec_hooks.get(&asc_udf_data(rec)->bins->_, name);
}

/* A stream's record (an aggregation reads records, as a server's as_aggr_record_hooks). */
static bool
asc_udf_read_only(const as_rec* rec)
{
	return asc_udf_data(rec)->meta == &asc_udf_data(rec)->own;
}

static int
asc_udf_rec_set(const as_rec* rec, const char* name, const as_val* value)
{
	/* A name over 15 bytes, a bin past the record's room or a stream's record: not set, as
	 * a server ignores it (and the value mod_lua handed over is released, not leaked). */
	if (asc_udf_read_only(rec) || ! as_record_set(asc_udf_data(rec)->bins, name, (as_bin_value*)value)) {
		as_val_destroy((as_val*)value);
		return 1;
	}
	return 0;
}

static int
asc_udf_rec_remove(const as_rec* rec, const char* name)
{
	if (asc_udf_read_only(rec)) {
		return 1;
	}
	return as_record_rec_hooks.remove(&asc_udf_data(rec)->bins->_, name);
}

static uint32_t
asc_udf_rec_ttl(const as_rec* rec)
{
	return asc_udf_meta(rec) ? asc_udf_meta(rec)->ttl : 0;
}

static uint64_t
asc_udf_rec_last_update_time(const as_rec* rec)
{
	return asc_udf_meta(rec) ? asc_udf_meta(rec)->last_update_time : 0;
}

static uint16_t
asc_udf_rec_gen(const as_rec* rec)
{
	return asc_udf_meta(rec) ? asc_udf_meta(rec)->gen : 0;
}

static const char*
asc_udf_rec_setname(const as_rec* rec)
{
	return asc_udf_meta(rec) ? asc_udf_meta(rec)->setname : NULL;
}

static uint16_t
asc_udf_rec_numbins(const as_rec* rec)
{
	as_record* r = asc_udf_data(rec)->bins;
	uint16_t n = 0;
	for (uint16_t i = 0; i < r->bins.size; i++) {
		if (r->bins.entries[i].valuep && as_val_type(r->bins.entries[i].valuep) != AS_NIL) {
			n++;
		}
	}
	return n;
}

static int
asc_udf_rec_bin_names(const as_rec* rec, as_rec_bin_names_callback callback, void* udata)
{
	as_record* r = asc_udf_data(rec)->bins;
	uint32_t n = 0;
	char* names = cf_malloc((size_t)r->bins.size * AS_BIN_NAME_MAX_SIZE + 1);
	if (! names) {
		return -1;
	}
	for (uint16_t i = 0; i < r->bins.size; i++) {
		as_bin* bin = &r->bins.entries[i];
		if (bin->valuep && as_val_type(bin->valuep) != AS_NIL) {
			memcpy(names + n++ * AS_BIN_NAME_MAX_SIZE, bin->name, AS_BIN_NAME_MAX_SIZE);
		}
	}
	callback(names, n, AS_BIN_NAME_MAX_SIZE, udata);
	cf_free(names);
	return 0;
}

static as_bytes*
asc_udf_rec_digest(const as_rec* rec)
{
	asc_udf_record* meta = asc_udf_meta(rec);
	uint8_t* copy = meta ? cf_malloc(20) : NULL;
	if (! copy) {
		return NULL;
	}
	memcpy(copy, meta->digest, 20);
	return as_bytes_new_wrap(copy, 20, true);
}

static int
asc_udf_rec_set_ttl(const as_rec* rec, uint32_t ttl)
{
	asc_udf_record* meta = asc_udf_meta(rec);
	if (! meta) {
		return -1;
	}
	meta->ttl_set = true;
	meta->new_ttl = ttl;
	return 0;
}

static int
asc_udf_rec_drop_key(const as_rec* rec)
{
	asc_udf_record* meta = asc_udf_meta(rec);
	if (! meta) {
		return -1;
	}
	meta->drop_key = true;
	return 0;
}

static bool
asc_udf_rec_foreach(const as_rec* rec, as_rec_foreach_callback callback, void* udata)
{
	return as_record_rec_hooks.foreach(&asc_udf_data(rec)->bins->_, callback, udata);
}

static const as_rec_hooks asc_udf_rec_hooks = {
	.destroy = asc_udf_rec_destroy,
	.get = asc_udf_rec_get,
	.set = asc_udf_rec_set,
	.remove = asc_udf_rec_remove,
	.ttl = asc_udf_rec_ttl,
	.last_update_time = asc_udf_rec_last_update_time,
	.gen = asc_udf_rec_gen,
	.setname = asc_udf_rec_setname,
	.numbins = asc_udf_rec_numbins,
	.bin_names = asc_udf_rec_bin_names,
	.digest = asc_udf_rec_digest,
	.set_ttl = asc_udf_rec_set_ttl,
	.drop_key = asc_udf_rec_drop_key,
	.foreach = asc_udf_rec_foreach,
};

/* Most bins a record can hold in a response (as_msg's n_ops is 16 bits). */
#define ASC_UDF_MAX_BINS 65535

/* A new record for Lua with room for `room` bins, its bins parsed from response form; meta
 * NULL: the record's own metadata (a stream's record). NULL when the bins do not parse. */
static as_rec*
asc_udf_rec_new(asc_udf_record* meta, const uint8_t* bins, uint32_t bins_size, uint32_t n_bins,
		uint32_t room)
{
	if (n_bins > ASC_UDF_MAX_BINS) {
		return NULL;
	}
	asc_udf_rec_data* data = cf_malloc(sizeof(asc_udf_rec_data));
	if (! data) {
		return NULL;
	}
	memset(&data->own, 0, sizeof(data->own));
	data->meta = meta ? meta : &data->own;
	uint32_t capacity = room < ASC_UDF_MAX_BINS ? room : ASC_UDF_MAX_BINS;
	data->bins = as_record_new((uint16_t)(capacity > n_bins ? capacity : n_bins));
	if (n_bins > 0) {
		uint8_t* p = (uint8_t*)bins;
		as_error err;
		as_error_init(&err);
		if (as_command_parse_bins(&p, &err, data->bins, n_bins, true) != AEROSPIKE_OK ||
				p != bins + bins_size) {
			as_record_destroy(data->bins);
			cf_free(data);
			return NULL;
		}
	}
	return as_rec_new(data, &asc_udf_rec_hooks);
}

/* ---- as_aerospike: what aerospike:create/update/remove/exists do to the record --------- */

static asc_udf_record*
asc_udf_meta_of(const as_rec* rec)
{
	return (rec && rec->hooks == &asc_udf_rec_hooks && ! asc_udf_read_only(rec)) ? asc_udf_meta(rec) : NULL;
}
static int
asc_udf_as_create(const as_aerospike* as, const as_rec* rec)
{
	(void)as;
	asc_udf_record* meta = asc_udf_meta_of(rec);
	if (! meta) {
		return 2;
	}
	if (meta->exists) {
		return 1;
	}
	meta->exists = true;
	meta->action = ASC_UDF_WRITE;
	return 0;
}

static int
asc_udf_as_update(const as_aerospike* as, const as_rec* rec)
{
	(void)as;
	asc_udf_record* meta = asc_udf_meta_of(rec);
	if (! meta) {
		return 2;
	}
	if (! meta->exists) {
		return -2;
	}
	meta->action = ASC_UDF_WRITE;
	return 0;
}

static int
asc_udf_as_remove(const as_aerospike* as, const as_rec* rec)
{
	(void)as;
	asc_udf_record* meta = asc_udf_meta_of(rec);
	if (! meta) {
		return 2;
	}
	if (! meta->exists) {
		return 1;
	}
	meta->exists = false;
	meta->action = ASC_UDF_REMOVE;
	return 0;
}

static int
asc_udf_as_exists(const as_aerospike* as, const as_rec* rec)
{
	(void)as;
	asc_udf_record* meta = asc_udf_meta_of(rec);
	return meta && meta->exists ? 1 : 0;
}

static int
asc_udf_as_log(const as_aerospike* as, const char* file, const int line, const int level,
		const char* msg)
{
	(void)as; (void)file; (void)line; (void)level; (void)msg;
	return 0;
}

static cf_clock
asc_udf_as_time(const as_aerospike* as)
{
	(void)as;
	return cf_getms();
}

static const as_aerospike_hooks asc_udf_as_hooks = {
	.rec_create = asc_udf_as_create,
	.rec_update = asc_udf_as_update,
	.rec_remove = asc_udf_as_remove,
	.rec_exists = asc_udf_as_exists,
	.log = asc_udf_as_log,
	.get_current_time = asc_udf_as_time,
};


/* The `aerospike` object of a record UDF, and of a stream UDF (as a server's aggregation:
 * logging only; no record commands, no current time). Static: a cached state keeps it. */
static const as_aerospike_hooks asc_udf_stream_as_hooks = {
	.log = asc_udf_as_log,
};

static as_aerospike asc_udf_aerospike = { .source = NULL, .hooks = &asc_udf_as_hooks };
static as_aerospike asc_udf_stream_aerospike = { .source = NULL, .hooks = &asc_udf_stream_as_hooks };

/* ---- the Lua state ------------------------------------------------------------------- */

extern const char as_lua_as[];
extern size_t as_lua_as_size;
extern const char as_lua_stream_ops[];
extern size_t as_lua_stream_ops_size;
extern const char as_lua_aerospike[];
extern size_t as_lua_aerospike_size;

static void
asc_udf_check_timer(lua_State* l, lua_Debug* ar)
{
	if (ar->event == LUA_HOOKCOUNT && cf_getms() > asc_udf_deadline_ms) {
		luaL_error(l, "UDF Execution Timeout");
	}
}

static bool
asc_udf_load(lua_State* l, const char* script, size_t size, const char* name)
{
	return luaL_loadbuffer(l, script, size, name) == 0 && lua_pcall(l, 0, 0, 0) == 0;
}

/* Most memory one Lua state may hold (Lua's own allocations: tables, strings, closures).
 * Past it an allocation fails and the call fails with Lua's "not enough memory", so a UDF
 * that grows without end cannot take the test process's memory before its time limit. */
#define ASC_UDF_STATE_MEMORY ((size_t)256 << 20)

typedef struct {
	size_t used;
} asc_udf_memory;

static void*
asc_udf_alloc(void* ud, void* ptr, size_t osize, size_t nsize)
{
	asc_udf_memory* memory = (asc_udf_memory*)ud;
	size_t old = ptr ? osize : 0;  /* without a block, osize is the kind of object */
	if (nsize == 0) {
		free(ptr);
		memory->used -= old;
		return NULL;
	}
	if (nsize > old && memory->used + (nsize - old) > ASC_UDF_STATE_MEMORY) {
		return NULL;
	}
	void* grown = realloc(ptr, nsize);
	if (grown) {
		memory->used = memory->used - old + nsize;
	}
	return grown;
}

/* Close a state and free its memory account. */
static void
asc_udf_close(lua_State* l)
{
	void* ud = NULL;
	lua_getallocf(l, &ud);
	lua_close(l);
	free(ud);
}

/* A new state with the server's Lua environment and the user module loaded, or NULL. */
static lua_State*
asc_udf_state_new(const char* module, const char* source, uint32_t source_size)
{
	asc_udf_memory* memory = calloc(1, sizeof(asc_udf_memory));
	lua_State* l = memory ? lua_newstate(asc_udf_alloc, memory) : NULL;
	if (! l) {
		free(memory);
		return NULL;
	}
	luaL_openlibs(l);
	lua_gc(l, LUA_GCGEN, 0, 0);
	/* No module search path: a server module requires only what the server holds. */
	lua_getglobal(l, "package");
	lua_pushstring(l, "");
	lua_setfield(l, -2, "path");
	lua_pushstring(l, "");
	lua_setfield(l, -2, "cpath");
	lua_pop(l, 1);

	mod_lua_aerospike_register(l);
	mod_lua_record_register(l);
	mod_lua_iterator_register(l);
	mod_lua_stream_register(l);
	mod_lua_list_register(l);
	mod_lua_map_register(l);
	mod_lua_bytes_register(l);
	mod_lua_geojson_register(l);

	char chunk[256];
	snprintf(chunk, sizeof(chunk), "@%s%s.lua", ASC_UDF_USER_PATH, module);
	if (! asc_udf_load(l, as_lua_as, as_lua_as_size - 1, "as.lua") ||
			! asc_udf_load(l, as_lua_stream_ops, as_lua_stream_ops_size - 1, "stream_ops.lua") ||
			! asc_udf_load(l, as_lua_aerospike, as_lua_aerospike_size - 1, "aerospike.lua") ||
			! asc_udf_load(l, source, source_size, chunk)) {
		asc_udf_close(l);
		return NULL;
	}
	return l;
}

/*
 * The state cache: per module source (name and content, so a module put again, or another
 * cluster's module of the same name, gets states of its own), up to ASC_UDF_CACHE_IDLE idle
 * states, in ASC_UDF_CACHE_ENTRIES entries (the least recently used one goes first). A state
 * is used by one call at a time: taken out of the cache, given back afterwards.
 */
#define ASC_UDF_CACHE_ENTRIES 32
#define ASC_UDF_CACHE_IDLE 4

typedef struct {
	char module[128];
	char* source;
	uint32_t source_size;
	uint64_t used;
	uint32_t n_idle;
	lua_State* idle[ASC_UDF_CACHE_IDLE];
} asc_udf_cache_entry;

static asc_udf_cache_entry asc_udf_cache[ASC_UDF_CACHE_ENTRIES];
static uint64_t asc_udf_cache_clock;
static pthread_mutex_t asc_udf_cache_lock = PTHREAD_MUTEX_INITIALIZER;

/* The entry of this module source (lock held), NULL if there is none. */
static asc_udf_cache_entry*
asc_udf_cache_find(const char* module, const char* source, uint32_t source_size)
{
	for (uint32_t i = 0; i < ASC_UDF_CACHE_ENTRIES; i++) {
		asc_udf_cache_entry* e = &asc_udf_cache[i];
		if (e->source && e->source_size == source_size && strcmp(e->module, module) == 0 &&
				memcmp(e->source, source, source_size) == 0) {
			return e;
		}
	}
	return NULL;
}

/* A state for `module` (source NULL: no such module, NULL): an idle cached one, or new. */
static lua_State*
asc_udf_state_take(const char* module, const char* source, uint32_t source_size)
{
	if (! source) {
		return NULL;
	}
	lua_State* l = NULL;
	pthread_mutex_lock(&asc_udf_cache_lock);
	asc_udf_cache_entry* e = asc_udf_cache_find(module, source, source_size);
	if (e && e->n_idle > 0) {
		l = e->idle[--e->n_idle];
		e->used = ++asc_udf_cache_clock;
	}
	pthread_mutex_unlock(&asc_udf_cache_lock);
	return l ? l : asc_udf_state_new(module, source, source_size);
}

/* Give a state back after a call (closed instead when the cache is full for its module). */
static void
asc_udf_state_give(lua_State* l, const char* module, const char* source, uint32_t source_size)
{
	lua_settop(l, 0);
	if (strlen(module) >= sizeof(asc_udf_cache[0].module)) {
		asc_udf_close(l);
		return;
	}
	lua_State* closing[ASC_UDF_CACHE_IDLE + 1];
	uint32_t n_closing = 0;
	pthread_mutex_lock(&asc_udf_cache_lock);
	asc_udf_cache_entry* e = asc_udf_cache_find(module, source, source_size);
	if (! e) {
		char* copy = cf_malloc(source_size ? source_size : 1);
		if (copy) {
			e = &asc_udf_cache[0];
			for (uint32_t i = 1; i < ASC_UDF_CACHE_ENTRIES && e->source; i++) {
				if (! asc_udf_cache[i].source || asc_udf_cache[i].used < e->used) {
					e = &asc_udf_cache[i];
				}
			}
			while (e->n_idle > 0) {
				closing[n_closing++] = e->idle[--e->n_idle];
			}
			cf_free(e->source);
			memcpy(copy, source, source_size);
			strcpy(e->module, module);
			e->source = copy;
			e->source_size = source_size;
		}
	}
	if (e && e->n_idle < ASC_UDF_CACHE_IDLE) {
		e->idle[e->n_idle++] = l;
		e->used = ++asc_udf_cache_clock;
	}
	else {
		closing[n_closing++] = l;
	}
	pthread_mutex_unlock(&asc_udf_cache_lock);
	for (uint32_t i = 0; i < n_closing; i++) {
		asc_udf_close(closing[i]);
	}
}

/* Close every cached state (tests, and a process that wants the memory back). */
static void
asc_udf_cache_clear(void)
{
	pthread_mutex_lock(&asc_udf_cache_lock);
	for (uint32_t i = 0; i < ASC_UDF_CACHE_ENTRIES; i++) {
		asc_udf_cache_entry* e = &asc_udf_cache[i];
		while (e->n_idle > 0) {
			asc_udf_close(e->idle[--e->n_idle]);
		}
		cf_free(e->source);
		e->source = NULL;
	}
	pthread_mutex_unlock(&asc_udf_cache_lock);
}

/* How many idle states the cache holds (tests). */
static uint32_t
asc_udf_cache_idle(void)
{
	uint32_t n = 0;
	pthread_mutex_lock(&asc_udf_cache_lock);
	for (uint32_t i = 0; i < ASC_UDF_CACHE_ENTRIES; i++) {
		n += asc_udf_cache[i].n_idle;
	}
	pthread_mutex_unlock(&asc_udf_cache_lock);
	return n;
}

/* Call the function on the stack (argc arguments) under the time limit; the status. */
static int
asc_udf_call(lua_State* l, int argc, uint32_t time_limit_ms)
{
	asc_udf_deadline_ms = cf_getms() + time_limit_ms;
	lua_sethook(l, asc_udf_check_timer, LUA_MASKCOUNT, 1000);
	int called = lua_pcall(l, argc, 1, 0);
	lua_sethook(l, asc_udf_check_timer, 0, 0);
	return called;
}

/* ---- results in response form --------------------------------------------------------- */

/* Write `value` as a bin named `name` (op READ, response form) into a new buffer. */
static bool
asc_udf_write_bin(const char* name, as_val* value, uint8_t op, uint8_t** out, uint32_t* size)
{
	as_bin bin;
	as_strncpy(bin.name, name, sizeof(bin.name));
	bin.valuep = (as_bin_value*)value;
	as_queue buffers;
	as_queue_init(&buffers, sizeof(as_buffer), 1);
	size_t n = 0;
	as_error err;
	as_error_init(&err);
	if (as_command_bin_size(&bin, &buffers, &n, &err) != AEROSPIKE_OK) {
		as_buffers_destroy(&buffers);
		return false;
	}
	uint8_t* buf = cf_malloc(n ? n : 1);
	if (! buf) {
		as_buffers_destroy(&buffers);
		return false;
	}
	uint8_t* end = as_command_write_bin(buf, op, &bin, &buffers);
	as_buffers_destroy(&buffers);
	*out = buf;
	*size = (uint32_t)(end - buf);
	return true;
}

/*
 * Values nested deeper than ASC_UDF_MAX_DEPTH go out cut at that depth: a C client reads at
 * most 64 levels (MSGPACK_MAX_DEPTH), so it fails on them as on a real server's answer, and
 * the recursive msgpack writer never runs out of stack. A value with more than
 * ASC_UDF_MAX_ITEMS items (counting shared ones each time, as the writer does) is too big to
 * send: the call fails as a server's aggregation does when its output is too big.
 */
#define ASC_UDF_MAX_DEPTH 1000
#define ASC_UDF_MAX_ITEMS (1u << 22)

typedef struct {
	uint32_t depth;
	uint32_t items;
	bool deep;
} asc_udf_walk;

static bool asc_udf_walk_value(asc_udf_walk* w, const as_val* v);

static bool
asc_udf_walk_item(as_val* v, void* udata)
{
	return asc_udf_walk_value((asc_udf_walk*)udata, v);
}

static bool
asc_udf_walk_entry(const as_val* k, const as_val* v, void* udata)
{
	return asc_udf_walk_value((asc_udf_walk*)udata, k) && asc_udf_walk_value((asc_udf_walk*)udata, v);
}

/* false: stop (too big); w->deep: nested past ASC_UDF_MAX_DEPTH. */
static bool
asc_udf_walk_value(asc_udf_walk* w, const as_val* v)
{
	if (++w->items > ASC_UDF_MAX_ITEMS) {
		return false;
	}
	as_val_t type = v ? as_val_type(v) : AS_NIL;
	if (type != AS_LIST && type != AS_MAP) {
		return true;
	}
	if (w->depth >= ASC_UDF_MAX_DEPTH) {
		w->deep = true;
		return true;  /* cut here: nothing below is sent */
	}
	w->depth++;
	bool go_on = type == AS_LIST ? as_list_foreach((const as_list*)v, asc_udf_walk_item, w)
		: as_map_foreach((const as_map*)v, asc_udf_walk_entry, w);
	w->depth--;
	return go_on || w->items <= ASC_UDF_MAX_ITEMS;
}

static as_val* asc_udf_cut(const as_val* v, uint32_t depth);

typedef struct {
	uint32_t depth;
	as_val* into;
} asc_udf_cutting;

static bool
asc_udf_cut_item(as_val* v, void* udata)
{
	asc_udf_cutting* c = (asc_udf_cutting*)udata;
	as_list_append((as_list*)c->into, asc_udf_cut(v, c->depth));
	return true;
}

static bool
asc_udf_cut_entry(const as_val* k, const as_val* v, void* udata)
{
	asc_udf_cutting* c = (asc_udf_cutting*)udata;
	as_map_set((as_map*)c->into, asc_udf_cut(k, c->depth), asc_udf_cut(v, c->depth));
	return true;
}

/* A copy of v whose lists and maps below ASC_UDF_MAX_DEPTH levels are nil (a new reference). */
static as_val*
asc_udf_cut(const as_val* v, uint32_t depth)
{
	as_val_t type = v ? as_val_type(v) : AS_NIL;
	if (type == AS_BOOLEAN) {  /* not reference counted: a copy of its own */
		return (as_val*)as_boolean_new(as_boolean_get((const as_boolean*)v));
	}
	if (type != AS_LIST && type != AS_MAP) {
		return v ? as_val_reserve(v) : (as_val*)&as_nil;
	}
	if (depth >= ASC_UDF_MAX_DEPTH) {
		return (as_val*)&as_nil;
	}
	asc_udf_cutting c = { .depth = depth + 1 };
	if (type == AS_LIST) {
		c.into = (as_val*)as_arraylist_new(as_list_size((const as_list*)v), 8);
		as_list_foreach((const as_list*)v, asc_udf_cut_item, &c);
	}
	else {
		c.into = (as_val*)as_orderedmap_new(as_map_size((const as_map*)v));
		as_map_foreach((const as_map*)v, asc_udf_cut_entry, &c);
	}
	return c.into;
}

/*
 * What a server returns to a client for `value` (*out): the value itself, a copy cut past
 * ASC_UDF_MAX_DEPTH (*copy: the caller destroys it), or nil for a type a server's particle
 * conversion does not send (a record, a stream ...). false: too big to send.
 */
static bool
asc_udf_client_value(const as_val* value, as_val** out, bool* copy)
{
	*copy = false;
	switch (value ? as_val_type(value) : AS_NIL) {
	case AS_BOOLEAN: case AS_INTEGER: case AS_DOUBLE: case AS_STRING: case AS_BYTES:
	case AS_GEOJSON:
		*out = (as_val*)value;
		return true;
	case AS_LIST: case AS_MAP: {
		asc_udf_walk w = { 0 };
		if (! asc_udf_walk_value(&w, value)) {
			*out = NULL;
			return false;
		}
		*copy = w.deep;
		*out = w.deep ? asc_udf_cut(value, 0) : (as_val*)value;
		return true;
	}
	default:
		*out = (as_val*)&as_nil;
		return true;
	}
}

/* Every bin of `rec` as a server would store it for a client (asc_udf_client_value);
 * false: a value too big. */
static bool
asc_udf_client_bins(as_record* rec)
{
	for (uint16_t i = 0; i < rec->bins.size; i++) {
		as_bin* bin = &rec->bins.entries[i];
		as_val* out;
		bool copy;
		if (! bin->valuep || as_val_type(bin->valuep) == AS_NIL) {
			continue;
		}
		if (! asc_udf_client_value((as_val*)bin->valuep, &out, &copy)) {
			return false;
		}
		if (copy) {
			as_val_destroy((as_val*)bin->valuep);
			bin->valuep = (as_bin_value*)out;
		}
	}
	return true;
}

/* The record's bins (nil ones are gone) as write operations, into meta->bins. */
static bool
asc_udf_write_bins(asc_udf_record* meta, as_record* rec)
{
	as_queue buffers;
	as_queue_init(&buffers, sizeof(as_buffer), rec->bins.size + 1);
	size_t n = 0;
	as_error err;
	as_error_init(&err);
	bool ok = true;
	for (uint16_t i = 0; i < rec->bins.size && ok; i++) {
		as_bin* bin = &rec->bins.entries[i];
		if (bin->valuep && as_val_type(bin->valuep) != AS_NIL) {
			ok = as_command_bin_size(bin, &buffers, &n, &err) == AEROSPIKE_OK;
		}
	}
	uint8_t* buf = ok ? cf_malloc(n ? n : 1) : NULL;
	if (buf) {
		uint8_t* p = buf;
		meta->n_bins = 0;
		for (uint16_t i = 0; i < rec->bins.size; i++) {
			as_bin* bin = &rec->bins.entries[i];
			if (bin->valuep && as_val_type(bin->valuep) != AS_NIL) {
				p = as_command_write_bin(p, AS_OPERATOR_WRITE, bin, &buffers);
				meta->n_bins++;
			}
		}
		meta->bins = buf;
		meta->bins_size = (uint32_t)(p - buf);
	}
	as_buffers_destroy(&buffers);
	return buf != NULL;
}

/* Free what asc_udf_apply_record allocated in meta. */
static void
asc_udf_record_free(asc_udf_record* meta)
{
	cf_free(meta->bins);
	cf_free(meta->reply);
	meta->bins = NULL;
	meta->reply = NULL;
}

/* The reply bin for a call that could not run (as_module_err_string's message). */
static int
asc_udf_fail(asc_udf_record* meta, const char* message)
{
	as_string s;
	as_string_init(&s, (char*)message, false);
	if (! asc_udf_write_bin("FAILURE", (as_val*)&s, AS_OPERATOR_READ, &meta->reply, &meta->reply_size)) {
		return -1;
	}
	return ASC_UDF_FAILED;
}

/* The call's argument list as the client packed it (msgpack), NULL when there is none;
 * false when it is not a list. */
static bool
asc_udf_args(const uint8_t* args, uint32_t args_size, as_list** out)
{
	*out = NULL;
	if (args_size == 0) {
		return true;
	}
	as_serializer ser;
	as_msgpack_init(&ser);
	as_buffer buf = { .capacity = args_size, .size = args_size, .data = (uint8_t*)args };
	as_val* v = NULL;
	int rc = as_serializer_deserialize(&ser, &buf, &v);
	as_serializer_destroy(&ser);
	if (rc != 0 || ! v || as_val_type(v) != AS_LIST) {
		as_val_destroy(v);
		return false;
	}
	*out = (as_list*)v;
	return true;
}

/* Push the argument list's values; false when the stack cannot grow that far. */
static bool
asc_udf_push_args(lua_State* l, as_list* arglist, int* argc)
{
	uint32_t n_args = arglist ? as_list_size(arglist) : 0;
	if (lua_checkstack(l, (int)n_args + LUA_MINSTACK) == 0) {
		return false;
	}
	for (uint32_t i = 0; i < n_args; i++) {
		*argc += mod_lua_pushval(l, as_list_get(arglist, i));
	}
	return true;
}

/*
 * Run `function` of `module` (its Lua source) on a record whose bins come in response form
 * (n_bins of them), with the call's argument list as the client packed it (msgpack).
 * Returns 0 (reply bin SUCCESS), ASC_UDF_FAILED (reply bin FAILURE: a Lua error, a missing
 * module or function) or -1 (out of memory, bad input: no reply bin).
 */
static int
asc_udf_apply_record(asc_udf_record* meta, const uint8_t* bins, uint32_t bins_size, uint32_t n_bins,
		const char* module, const char* source, uint32_t source_size, const char* function,
		const uint8_t* args, uint32_t args_size, uint32_t time_limit_ms)
{
	meta->action = ASC_UDF_NONE;
	meta->ttl_set = false;
	meta->drop_key = false;
	meta->bins = NULL;
	meta->reply = NULL;
	meta->n_bins = 0;

	as_list* arglist;
	if (! asc_udf_args(args, args_size, &arglist)) {
		return -1;
	}
	as_rec* rec = asc_udf_rec_new(meta, bins, bins_size, n_bins, n_bins + ASC_UDF_MAX_NEW_BINS);
	if (! rec) {
		as_val_destroy(arglist);
		return -1;
	}

	int rc;
	lua_State* l = asc_udf_state_take(module, source, source_size);
	if (! l) {
		rc = asc_udf_fail(meta, "UDF: Execution Error 1");
	}
	else {
		bool keep = false;
		mod_lua_pushaerospike(l, &asc_udf_aerospike);
		lua_setglobal(l, "aerospike");
		lua_getglobal(l, "apply_record");
		lua_getglobal(l, function);
		as_val_reserve(rec);  /* Lua's reference; ours is released below */
		mod_lua_pushrecord(l, rec);
		int argc = 2;
		if (! asc_udf_push_args(l, arglist, &argc)) {
			rc = asc_udf_fail(meta, "UDF: Execution Error 2");
		}
		else {
			int called = asc_udf_call(l, argc, time_limit_ms);
			as_val* rv = mod_lua_retval(l);
			as_val* out = NULL;
			bool copy = false;
			if (! asc_udf_client_value(rv, &out, &copy) || (called == 0 && meta->action == ASC_UDF_WRITE &&
					! asc_udf_client_bins(asc_udf_data(rec)->bins))) {
				rc = asc_udf_fail(meta, "UDF: Execution Error 1");  /* too big to send or store */
			}
			else {
				bool written = asc_udf_write_bin(called == 0 ? "SUCCESS" : "FAILURE", out,
						AS_OPERATOR_READ, &meta->reply, &meta->reply_size);
				rc = written ? (called == 0 ? 0 : ASC_UDF_FAILED) : -1;
				if (rc == 0 && meta->action == ASC_UDF_WRITE &&
						! asc_udf_write_bins(meta, asc_udf_data(rec)->bins)) {
					rc = -1;
				}
			}
			if (copy) {
				as_val_destroy(out);
			}
			as_val_destroy(rv);
			keep = called == 0;
		}
		if (keep) {
			asc_udf_state_give(l, module, source, source_size);
		}
		else {
			asc_udf_close(l);  /* a failed call's state is not reused */
		}
	}
	asc_udf_data(rec)->meta = NULL;  /* the call is over: Lua may keep the record, not meta */
	as_rec_destroy(rec);
	as_val_destroy(arglist);
	if (rc < 0) {
		asc_udf_record_free(meta);
	}
	return rc;
}

/* ---- stream UDFs (aggregation) -------------------------------------------------------- */

/*
 * A stream UDF's input, records as Python packs them, each:
 *   u32 ttl, u16 gen, u64 last_update_time, u8[20] digest, u8 setname length, u32 bins size,
 *   u16 n_bins (little-endian), the set name, the bins in response form;
 * and its output: each value the stream wrote, as u32 size (little-endian) and a SUCCESS bin
 * in response form, or (a failed call) the FAILURE bin with the server's message.
 */
#define ASC_UDF_STREAM_HEADER 41

typedef struct {
	/* out */
	uint8_t* values;
	uint32_t values_size;
	uint32_t n_values;
	uint8_t* failure;
	uint32_t failure_size;
	/* the input */
	const uint8_t* next;
	const uint8_t* end;
	uint32_t capacity;
	bool broken;          /* a record that did not parse, or out of memory */
	bool too_big;         /* a value too big to send */
} asc_udf_stream;

static uint32_t
asc_udf_get32(const uint8_t* p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static as_val*
asc_udf_istream_read(const as_stream* s)
{
	asc_udf_stream* st = (asc_udf_stream*)as_stream_source(s);
	const uint8_t* p = st->next;
	if (st->broken || ! p || (size_t)(st->end - p) < ASC_UDF_STREAM_HEADER) {
		return NULL;
	}
	uint32_t set_len = p[34];
	uint32_t bins_size = asc_udf_get32(p + 35);
	uint32_t n_bins = (uint32_t)p[39] | (uint32_t)p[40] << 8;
	const uint8_t* bins = p + ASC_UDF_STREAM_HEADER + set_len;
	if ((size_t)(st->end - bins) < bins_size || set_len > 63) {
		st->broken = true;
		return NULL;
	}
	as_rec* rec = asc_udf_rec_new(NULL, bins, bins_size, n_bins, n_bins);
	if (! rec) {
		st->broken = true;
		return NULL;
	}
	asc_udf_record* meta = &asc_udf_data(rec)->own;
	meta->exists = true;
	meta->ttl = asc_udf_get32(p);
	meta->gen = (uint16_t)(p[4] | p[5] << 8);
	meta->last_update_time = (uint64_t)asc_udf_get32(p + 6) | (uint64_t)asc_udf_get32(p + 10) << 32;
	memcpy(meta->digest, p + 14, 20);
	memcpy(meta->setname, p + ASC_UDF_STREAM_HEADER, set_len);
	meta->setname[set_len] = 0;
	st->next = bins + bins_size;
	return (as_val*)rec;
}

static bool
asc_udf_stream_append(asc_udf_stream* st, const uint8_t* bin, uint32_t size)
{
	if (st->values_size + 4 + size > st->capacity) {
		uint32_t capacity = st->capacity ? st->capacity : 4096;
		while (capacity < st->values_size + 4 + size) {
			capacity *= 2;
		}
		uint8_t* grown = cf_realloc(st->values, capacity);
		if (! grown) {
			return false;
		}
		st->values = grown;
		st->capacity = capacity;
	}
	uint8_t* p = st->values + st->values_size;
	p[0] = (uint8_t)size; p[1] = (uint8_t)(size >> 8); p[2] = (uint8_t)(size >> 16); p[3] = (uint8_t)(size >> 24);
	memcpy(p + 4, bin, size);
	st->values_size += 4 + size;
	st->n_values++;
	return true;
}

static as_stream_status
asc_udf_ostream_write(const as_stream* s, as_val* value)
{
	asc_udf_stream* st = (asc_udf_stream*)as_stream_source(s);
	if (! value) {
		return AS_STREAM_OK;  /* the end of the stream */
	}
	uint8_t* bin = NULL;
	uint32_t size = 0;
	as_val* out = NULL;
	bool copy = false;
	if (! asc_udf_client_value(value, &out, &copy)) {
		st->too_big = true;
	}
	else if (! asc_udf_write_bin("SUCCESS", out, AS_OPERATOR_READ, &bin, &size) ||
			! asc_udf_stream_append(st, bin, size)) {
		st->broken = true;
	}
	if (copy) {
		as_val_destroy(out);
	}
	cf_free(bin);
	as_val_destroy(value);
	return AS_STREAM_OK;  /* as a server's ostream: the stream goes on */
}

static const as_stream_hooks asc_udf_istream_hooks = { .read = asc_udf_istream_read };
static const as_stream_hooks asc_udf_ostream_hooks = { .write = asc_udf_ostream_write };

/* The FAILURE bin of a failed stream call: "UDF: Execution Error <rc>[ : <Lua message>]". */
static bool
asc_udf_stream_fail(asc_udf_stream* st, int rc, const char* message)
{
	char text[1024];
	if (message) {
		snprintf(text, sizeof(text), "UDF: Execution Error %d : %s", rc, message);
	}
	else {
		snprintf(text, sizeof(text), "UDF: Execution Error %d", rc);
	}
	as_string s;
	as_string_init(&s, text, false);
	return asc_udf_write_bin("FAILURE", (as_val*)&s, AS_OPERATOR_READ, &st->failure, &st->failure_size);
}

/* Free what asc_udf_apply_stream allocated in st. */
static void
asc_udf_stream_free(asc_udf_stream* st)
{
	cf_free(st->values);
	cf_free(st->failure);
	st->values = NULL;
	st->failure = NULL;
}

/*
 * Run the stream UDF `function` of `module` as a server runs it on one partition's records
 * (n_records of them, packed as above): apply_stream with the server scope, so the stream's
 * operations up to and with the first reduce run here. Returns 0 (st->values holds what the
 * stream wrote), ASC_UDF_FAILED (st->failure: a Lua error, a missing module or function; the
 * values written before it stay) or -1 (out of memory, bad input).
 */
static int
asc_udf_apply_stream(asc_udf_stream* st, const uint8_t* records, uint32_t records_size,
		const char* module, const char* source, uint32_t source_size, const char* function,
		const uint8_t* args, uint32_t args_size, uint32_t time_limit_ms)
{
	memset(st, 0, sizeof(*st));
	st->next = records;
	st->end = records + records_size;
	as_list* arglist;
	if (! asc_udf_args(args, args_size, &arglist)) {
		return -1;
	}
	int rc;
	lua_State* l = asc_udf_state_take(module, source, source_size);
	if (! l) {
		rc = asc_udf_stream_fail(st, 1, NULL) ? ASC_UDF_FAILED : -1;
	}
	else {
		as_stream istream, ostream;
		as_stream_init(&istream, st, &asc_udf_istream_hooks);
		as_stream_init(&ostream, st, &asc_udf_ostream_hooks);
		mod_lua_pushaerospike(l, &asc_udf_stream_aerospike);
		lua_setglobal(l, "aerospike");
		lua_getglobal(l, "apply_stream");
		lua_getglobal(l, function);
		lua_pushinteger(l, 1);  /* the server's scope */
		mod_lua_pushstream(l, &istream);
		mod_lua_pushstream(l, &ostream);
		int argc = 4;
		int called;
		if (! asc_udf_push_args(l, arglist, &argc)) {
			called = -1;
			rc = asc_udf_stream_fail(st, 2, NULL) ? ASC_UDF_FAILED : -1;
		}
		else {
			called = asc_udf_call(l, argc, time_limit_ms);
			if (called != 0) {
				const char* message = lua_type(l, -1) == LUA_TSTRING ? lua_tostring(l, -1) : NULL;
				rc = asc_udf_stream_fail(st, called, message) ? ASC_UDF_FAILED : -1;
			}
			else if (st->too_big) {  /* as a server's aggregation whose output is too big */
				rc = asc_udf_stream_fail(st, 1, NULL) ? ASC_UDF_FAILED : -1;
			}
			else {
				rc = 0;
			}
		}
		/* The streams live on this stack frame: a state that might keep them is not reused
		 * (only the system Lua sees them, and it keeps nothing after a call that ran). */
		if (called == 0) {
			asc_udf_state_give(l, module, source, source_size);
		}
		else {
			asc_udf_close(l);
		}
	}
	as_val_destroy(arglist);
	if (st->broken) {
		rc = -1;
	}
	if (rc < 0) {
		asc_udf_stream_free(st);
	}
	return rc;
}
