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
