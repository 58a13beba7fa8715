/*
 * Metrics listeners written in Python (bindings/as_metrics.py) and what they read.
 *
 * as_metrics_policy_set_listeners() takes C function pointers: the four trampolines below,
 * which all call the one extern "Python" asc_metrics_to_python. Each trampoline resets err
 * first (C hands the snapshot and node_close listeners an uninitialized as_error and logs
 * its message on an error status), marks this thread as inside a listener of its cluster
 * (asc_listening, csrc/aerospike_c.h: calls on that instance are refused instead of waiting
 * for the metrics_lock this thread holds), and makes sure an error status carries a
 * message. The enable listener is given no cluster: asc_enable_metrics() says which one.
 *
 * The rest copies out what the C metrics writer (as_metrics_writer.c) reads, for the
 * read-only views a Python listener gets (nodes reserved while a view may read them).
 */
#pragma once

#include <stdio.h>
#include <aerospike/aerospike.h>
#include <aerospike/as_cluster.h>
#include <aerospike/as_latency.h>
#include <aerospike/as_metrics.h>
#include <aerospike/as_node.h>

#define ASC_METRICS_ENABLE 0
#define ASC_METRICS_SNAPSHOT 1
#define ASC_METRICS_NODE_CLOSE 2
#define ASC_METRICS_DISABLE 3
#define ASC_LATENCY_TYPES AS_LATENCY_TYPE_MAX
#define ASC_LATENCY_COLUMNS 256 /* latency_columns is a uint8_t */

static as_status asc_metrics_to_python(int kind, as_error* err, as_cluster* cluster,
	as_node* node, void* udata);

/* The cluster aerospike_enable_metrics() is enabling on this thread (its enable listener). */
static __thread as_cluster* asc_enabling;

static as_status
asc_metrics_call(int kind, as_error* err, as_cluster* cluster, as_node* node, void* udata)
{
	as_cluster* listening = cluster;
	if (listening == NULL) {
		listening = asc_enabling != NULL ? asc_enabling : ASC_LISTENING_ANY;
	}
	as_cluster* previous = asc_listening;
	asc_listening = listening;
	as_error_reset(err);
	as_status status = asc_metrics_to_python(kind, err, cluster, node, udata);
	asc_listening = previous;
	if (status != AEROSPIKE_OK && err->message[0] == '\0') {
		err->code = status;
		snprintf(err->message, sizeof(err->message), "metrics listener returned %s",
			as_error_string(status));
	}
	return status;
}

static as_status
asc_metrics_enable_trampoline(as_error* err, void* udata)
{
	return asc_metrics_call(ASC_METRICS_ENABLE, err, NULL, NULL, udata);
}

static as_status
asc_metrics_snapshot_trampoline(as_error* err, as_cluster* cluster, void* udata)
{
	return asc_metrics_call(ASC_METRICS_SNAPSHOT, err, cluster, NULL, udata);
}

static as_status
asc_metrics_node_close_trampoline(as_error* err, as_node* node, void* udata)
{
	return asc_metrics_call(ASC_METRICS_NODE_CLOSE, err, node->cluster, node, udata);
}

static as_status
asc_metrics_disable_trampoline(as_error* err, as_cluster* cluster, void* udata)
{
	return asc_metrics_call(ASC_METRICS_DISABLE, err, cluster, NULL, udata);
}

/* aerospike_enable_metrics(), its enable listener told which cluster it runs for. */
static as_status
asc_enable_metrics(aerospike* as, as_error* err, const as_metrics_policy* policy)
{
	as_cluster* previous = asc_enabling;
	asc_enabling = as->cluster;
	as_status status = aerospike_enable_metrics(as, err, policy);
	asc_enabling = previous;
	return status;
}

/* The cluster's nodes now, each reserved (asc_node_release() it): the count, which may be
 * more than max (then only max were reserved and stored). */
static uint32_t
asc_cluster_nodes(as_cluster* cluster, as_node** out, uint32_t max)
{
	as_nodes* nodes = as_nodes_reserve(cluster);
	uint32_t size = nodes->size;
	for (uint32_t i = 0; i < size && i < max; i++) {
		as_node_reserve(nodes->array[i]);
		out[i] = nodes->array[i];
	}
	as_nodes_release(nodes);
	return size;
}

static void
asc_node_release(as_node* node)
{
	as_node_release(node);
}

/* The cluster-wide figures the metrics writer reports. */
typedef struct {
	const char* cluster_name;
	const char* app_id;
	uint32_t invalid_node_count;
	uint64_t command_count;
	uint64_t retry_count;
	uint64_t delay_queue_timeout_count;
	uint32_t latency_columns;
	uint32_t latency_shift;
} asc_cluster_figures;

static void
asc_cluster_figures_get(as_cluster* cluster, asc_cluster_figures* out)
{
	out->cluster_name = cluster->cluster_name;
	out->app_id = cluster->app_id;
	out->invalid_node_count = cluster->invalid_node_count;
	out->command_count = as_cluster_get_command_count(cluster);
	out->retry_count = as_cluster_get_retry_count(cluster);
	out->delay_queue_timeout_count = as_cluster_get_delay_queue_timeout_count(cluster);
	out->latency_columns = cluster->metrics_latency_columns;
	out->latency_shift = cluster->metrics_latency_shift;
}

/* A node's address as the writer reports it (short name and port) and its name. */
typedef struct {
	char name[AS_NODE_NAME_SIZE];
	char address[AS_IP_ADDRESS_SIZE];
	uint16_t port;
} asc_node_figures;

static void
asc_node_figures_get(as_node* node, asc_node_figures* out)
{
	memcpy(out->name, node->name, sizeof(out->name));
	out->name[sizeof(out->name) - 1] = '\0';
	as_address* address = as_node_get_address(node);
	struct sockaddr* addr = (struct sockaddr*)&address->addr;
	as_address_short_name(addr, out->address, sizeof(out->address));
	out->port = as_address_port(addr);
}

/* One namespace's figures of a node (as_ns_metrics), latency buckets per latency type. */
typedef struct {
	char ns[32];
	uint64_t bytes_in;
	uint64_t bytes_out;
	uint64_t error_count;
	uint64_t timeout_count;
	uint64_t key_busy_count;
	uint32_t latency_size[ASC_LATENCY_TYPES];
	uint64_t buckets[ASC_LATENCY_TYPES][ASC_LATENCY_COLUMNS];
} asc_ns_figures;

/* The node's namespaces with metrics (node->metrics_size, as the writer reads it). */
static uint32_t
asc_node_ns_count(as_node* node)
{
	return node->metrics_size;
}

/* Namespace i's figures (i < asc_node_ns_count()). */
static void
asc_node_ns_figures(as_node* node, uint32_t i, asc_ns_figures* out)
{
	as_ns_metrics* metrics = node->metrics[i];
	snprintf(out->ns, sizeof(out->ns), "%s", metrics->ns ? metrics->ns : "");
	out->bytes_in = as_node_get_bytes_in(metrics);
	out->bytes_out = as_node_get_bytes_out(metrics);
	out->error_count = as_node_get_error_count(metrics);
	out->timeout_count = as_node_get_timeout_count(metrics);
	out->key_busy_count = as_node_get_key_busy_count(metrics);
	for (uint32_t t = 0; t < ASC_LATENCY_TYPES; t++) {
		as_latency* latency = as_latency_reserve(metrics->latency[t]);
		uint32_t size = latency->size;
		out->latency_size[t] = size;
		for (uint32_t j = 0; j < size && j < ASC_LATENCY_COLUMNS; j++) {
			out->buckets[t][j] = as_latency_get_bucket(latency, j);
		}
		as_latency_release(latency);
	}
}
