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
