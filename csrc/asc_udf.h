/*
 * The embedded server's Lua: run a record UDF the way a server does, with the C client's own
 * mod-lua and Lua 5.4 (both inside libaerospike.a).
 *
 * mod-lua keeps one global configuration per process (user path, state cache) which the client
 * in the same process sets up for client-side aggregation, so the server does not go through
 * as_module_apply_record: each call builds its own lua_State as mod_lua.c's create_state does
 * (standard libraries, the mod_lua_*_register types, the system Lua as.lua, stream_ops.lua,
 * aerospike.lua), loads the module source the server stores, and calls the system
 * apply_record(f, rec, ...) as mod_lua.c's apply() does. The state is closed after the call.
 *
 * The record is an as_rec over an as_record (the bins, parsed from and written back to wire
 * form with the client's as_command_parse_bins / as_command_write_bin) plus the metadata in
 * asc_udf_record that Python fills before the call and reads after it; the as_aerospike hooks
 * (create, update, remove, exists) only set flags there, so Lua never calls back into Python.
 * A time limit stops a UDF that runs too long (a Lua count hook, like mod_lua's check_timer).
 * Declared for cffi in cdefs/asc_udf.h.
 */
#pragma once

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

typedef struct {
	asc_udf_record* meta;
	as_record* bins;
	as_rec rec;
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

static bool
asc_udf_rec_destroy(as_rec* rec)
{
	(void)rec;
	return true;
}

static as_val*
asc_udf_rec_get(const as_rec* rec, const char* name)
{
	return as_record_rec_hooks.get(&asc_udf_data(rec)->bins->_, name);
}

static int
asc_udf_rec_set(const as_rec* rec, const char* name, const as_val* value)
{
	return as_record_rec_hooks.set(&asc_udf_data(rec)->bins->_, name, value);
}

static int
asc_udf_rec_remove(const as_rec* rec, const char* name)
{
	return as_record_rec_hooks.remove(&asc_udf_data(rec)->bins->_, name);
}

static uint32_t
asc_udf_rec_ttl(const as_rec* rec)
{
	return asc_udf_data(rec)->meta->ttl;
}

static uint64_t
asc_udf_rec_last_update_time(const as_rec* rec)
{
	return asc_udf_data(rec)->meta->last_update_time;
}

static uint16_t
asc_udf_rec_gen(const as_rec* rec)
{
	return asc_udf_data(rec)->meta->gen;
}

static const char*
asc_udf_rec_setname(const as_rec* rec)
{
	return asc_udf_data(rec)->meta->setname;
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
	uint8_t* copy = cf_malloc(20);
	if (! copy) {
		return NULL;
	}
	memcpy(copy, asc_udf_data(rec)->meta->digest, 20);
	return as_bytes_new_wrap(copy, 20, true);
}

static int
asc_udf_rec_set_ttl(const as_rec* rec, uint32_t ttl)
{
	asc_udf_record* meta = asc_udf_data(rec)->meta;
	meta->ttl_set = true;
	meta->new_ttl = ttl;
	return 0;
}

static int
asc_udf_rec_drop_key(const as_rec* rec)
{
	asc_udf_data(rec)->meta->drop_key = true;
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

/* ---- as_aerospike: what aerospike:create/update/remove/exists do to the record --------- */

static asc_udf_record*
asc_udf_meta_of(const as_rec* rec)
{
	return (rec && rec->hooks == &asc_udf_rec_hooks) ? asc_udf_data(rec)->meta : NULL;
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

/* A state with the server's Lua environment and the user module loaded, or NULL (also when
 * there is no such module: source NULL). */
static lua_State*
asc_udf_state(const char* module, const char* source, uint32_t source_size)
{
	lua_State* l = source ? luaL_newstate() : NULL;
	if (! l) {
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
		lua_close(l);
		return NULL;
	}
	return l;
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

	as_list* arglist = NULL;
	if (args_size > 0) {
		as_serializer ser;
		as_msgpack_init(&ser);
		as_buffer buf = { .capacity = args_size, .size = args_size, .data = (uint8_t*)args };
		as_val* v = NULL;
		int rc = as_serializer_deserialize(&ser, &buf, &v);
		as_serializer_destroy(&ser);
		if (rc != 0 || ! v || as_val_type(v) != AS_LIST) {
			as_val_destroy(v);
			return -1;
		}
		arglist = (as_list*)v;
	}

	as_record* rec = as_record_new(n_bins + ASC_UDF_MAX_NEW_BINS);
	if (n_bins > 0) {
		uint8_t* p = (uint8_t*)bins;
		as_error err;
		as_error_init(&err);
		if (as_command_parse_bins(&p, &err, rec, n_bins, true) != AEROSPIKE_OK ||
				p != bins + bins_size) {
			as_record_destroy(rec);
			as_val_destroy(arglist);
			return -1;
		}
	}
	asc_udf_rec_data data = { .meta = meta, .bins = rec };
	as_rec_init(&data.rec, &data, &asc_udf_rec_hooks);
	as_aerospike as;
	as_aerospike_init(&as, NULL, &asc_udf_as_hooks);

	int rc;
	lua_State* l = asc_udf_state(module, source, source_size);
	if (! l) {
		rc = asc_udf_fail(meta, "UDF: Execution Error 1");
	}
	else {
		mod_lua_pushaerospike(l, &as);
		lua_setglobal(l, "aerospike");
		lua_getglobal(l, "apply_record");
		lua_getglobal(l, function);
		mod_lua_pushrecord(l, &data.rec);
		int argc = 2;
		uint32_t n_args = arglist ? as_list_size(arglist) : 0;
		if (lua_checkstack(l, (int)n_args + LUA_MINSTACK) == 0) {
			rc = asc_udf_fail(meta, "UDF: Execution Error 2");
		}
		else {
			for (uint32_t i = 0; i < n_args; i++) {
				argc += mod_lua_pushval(l, as_list_get(arglist, i));
			}
			asc_udf_deadline_ms = cf_getms() + time_limit_ms;
			lua_sethook(l, asc_udf_check_timer, LUA_MASKCOUNT, 1000);
			int called = lua_pcall(l, argc, 1, 0);
			lua_sethook(l, asc_udf_check_timer, 0, 0);
			as_val* rv = mod_lua_retval(l);
			bool written = asc_udf_write_bin(called == 0 ? "SUCCESS" : "FAILURE",
					rv ? rv : (as_val*)&as_nil, AS_OPERATOR_READ, &meta->reply, &meta->reply_size);
			as_val_destroy(rv);
			rc = written ? (called == 0 ? 0 : ASC_UDF_FAILED) : -1;
			if (rc == 0 && meta->action == ASC_UDF_WRITE && ! asc_udf_write_bins(meta, rec)) {
				rc = -1;
			}
		}
		lua_close(l);
	}
	as_record_destroy(rec);
	as_val_destroy(arglist);
	if (rc < 0) {
		asc_udf_record_free(meta);
	}
	return rc;
}
