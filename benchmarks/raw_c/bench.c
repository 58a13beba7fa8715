/*
 * The raw C runner of the benchmark harness: the same workloads as the Python runners,
 * written directly against the vendored Aerospike C client. It is the floor: what a Python
 * binding adds on top of these figures is the cost to minimise.
 *
 *   bench --hosts 127.0.0.1:3000,127.0.0.1:3001 --workload get_small --ops 5000 [--threads 1]
 *         [--batch 1000] [--keys 10000] [--namespace test] [--set NAME] [--nodes N]
 *
 * Prints one JSON object (the fields of benchmarks/clients/_common.py's result) on stdout.
 * Record shapes and workloads must stay in step with benchmarks/clients/_common.py.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <aerospike/aerospike.h>
#include <aerospike/aerospike_batch.h>
#include <aerospike/aerospike_key.h>
#include <aerospike/aerospike_scan.h>
#include <aerospike/as_arraylist.h>
#include <aerospike/as_cluster.h>
#include <aerospike/as_exp.h>
#include <aerospike/as_hashmap.h>
#include <aerospike/as_operations.h>
#include <aerospike/as_record.h>
#include <aerospike/as_scan.h>
#include <aerospike/as_stringmap.h>

#define MAX_HOSTS 16
#define BLOB_SIZE 1024
#define MAX_LATENCY_SAMPLES 2000000

typedef struct {
	char hosts[MAX_HOSTS][64];
	uint16_t ports[MAX_HOSTS];
	int n_hosts;
	int nodes; /* cluster size to wait for (default: n_hosts) */
	const char* workload;
	const char* ns;
	const char* set;
	long ops;
	long keys;
	int threads;
	int batch;
} options;

typedef struct {
	const options* opt;
	aerospike* as;
	long first;          /* first operation index of this thread */
	long count;          /* operations of this thread */
	uint64_t* latencies; /* ns per call, `count` entries */
	long records;
	long errors;
	char error[256];
	as_exp* filter;      /* the filtered workloads' filter expression, else NULL */
} worker;

static uint8_t g_blob[BLOB_SIZE];

static uint64_t
now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static double
cpu_seconds(const struct rusage* r, bool user)
{
	const struct timeval* tv = user ? &r->ru_utime : &r->ru_stime;
	return (double)tv->tv_sec + (double)tv->tv_usec / 1e6;
}

/* Current resident set size in KiB (from /proc/self/statm), 0 when unknown. */
static long
current_rss_kb(void)
{
	FILE* f = fopen("/proc/self/statm", "r");
	long size = 0, resident = 0;
	if (!f) {
		return 0;
	}
	if (fscanf(f, "%ld %ld", &size, &resident) != 2) {
		resident = 0;
	}
	fclose(f);
	return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static void
usage_exit(const char* message)
{
	fprintf(stderr, "bench: %s\n", message);
	exit(2);
}

static void
parse_hosts(options* opt, const char* text)
{
	char buf[1024];
	if (strlen(text) >= sizeof(buf)) {
		usage_exit("--hosts too long");
	}
	strcpy(buf, text);
	opt->n_hosts = 0;
	for (char* item = strtok(buf, ","); item; item = strtok(NULL, ",")) {
		char* colon = strrchr(item, ':');
		if (!colon || opt->n_hosts >= MAX_HOSTS) {
			usage_exit("--hosts expects host:port,host:port");
		}
		*colon = '\0';
		char* host = item;
		size_t len = strlen(host);
		if (len >= 2 && host[0] == '[' && host[len - 1] == ']') {
			host[len - 1] = '\0';
			host++;
		}
		snprintf(opt->hosts[opt->n_hosts], sizeof(opt->hosts[0]), "%s", host);
		opt->ports[opt->n_hosts] = (uint16_t)atoi(colon + 1);
		opt->n_hosts++;
	}
	if (opt->n_hosts == 0) {
		usage_exit("--hosts is empty");
	}
}

static void
parse_args(options* opt, int argc, char** argv)
{
	memset(opt, 0, sizeof(*opt));
	opt->ns = "test";
	opt->set = NULL;
	opt->ops = 1000;
	opt->keys = 10000;
	opt->threads = 1;
	opt->batch = 100;
	for (int i = 1; i < argc; i++) {
		const char* name = argv[i];
		if (i + 1 >= argc) {
			usage_exit("every option takes a value");
		}
		const char* value = argv[++i];
		if (!strcmp(name, "--hosts")) parse_hosts(opt, value);
		else if (!strcmp(name, "--nodes")) opt->nodes = atoi(value);
		else if (!strcmp(name, "--workload")) opt->workload = value;
		else if (!strcmp(name, "--namespace")) opt->ns = value;
		else if (!strcmp(name, "--set")) opt->set = value;
		else if (!strcmp(name, "--ops")) opt->ops = atol(value);
		else if (!strcmp(name, "--keys")) opt->keys = atol(value);
		else if (!strcmp(name, "--threads")) opt->threads = atoi(value);
		else if (!strcmp(name, "--batch")) opt->batch = atoi(value);
		/* the harness passes it to every runner; raw C runs no async workload */
		else if (!strcmp(name, "--inflight")) (void)value;
		else usage_exit("unknown option");
	}
	if (!opt->workload || opt->n_hosts == 0) {
		usage_exit("--hosts and --workload are required");
	}
	if (opt->nodes <= 0) {
		opt->nodes = opt->n_hosts;
	}
	if (opt->ops <= 0 || opt->keys <= 0 || opt->threads <= 0 || opt->batch <= 0) {
		usage_exit("--ops, --keys, --threads and --batch must be positive");
	}
	if (opt->ops / opt->threads > MAX_LATENCY_SAMPLES) {
		usage_exit("too many operations per thread");
	}
}

/* ---------------------------------------------------------------------------------------
 * Record shapes (kept identical to _common.py: small_bins / wide_bins).
 */

static void
fill_small(as_record* rec, long i)
{
	as_record_init(rec, 1);
	as_record_set_int64(rec, "i", i);
}

/* 10 bins: 4 ints, 3 strings, a 1 KiB blob, a list and a map. `name` must outlive the put. */
static void
fill_wide(as_record* rec, long i, char* name, size_t name_size)
{
	snprintf(name, name_size, "user-%06ld", i);
	as_record_init(rec, 10);
	as_record_set_int64(rec, "i1", i);
	as_record_set_int64(rec, "i2", i * 2);
	as_record_set_int64(rec, "i3", i * 3);
	as_record_set_int64(rec, "i4", -i);
	as_record_set_str(rec, "s1", name);
	as_record_set_str(rec, "s2", "alpha beta gamma delta");
	as_record_set_str(rec, "s3", "the quick brown fox jumps over the lazy dog");
	as_record_set_rawp(rec, "blob", g_blob, BLOB_SIZE, false);

	as_arraylist* list = as_arraylist_new(5, 0);
	as_arraylist_append_int64(list, 1);
	as_arraylist_append_int64(list, 2);
	as_arraylist_append_int64(list, i);
	as_arraylist_append_str(list, "four");
	as_arraylist_append_str(list, "five");
	as_record_set_list(rec, "list", (as_list*)list);

	as_hashmap* map = as_hashmap_new(4);
	as_stringmap_set_int64((as_map*)map, "a", 1);
	as_stringmap_set_str((as_map*)map, "b", "two");
	as_stringmap_set_int64((as_map*)map, "c", i);
	as_record_set_map(rec, "map", (as_map*)map);
}

static bool
is_wide_set(const char* set)
{
	return strcmp(set, "wide") == 0;
}

/* The set a workload uses unless --set is given (as _common.default_set). */
static const char*
default_set(const char* workload)
{
	if (strstr(workload, "wide")) return "wide";
	if (!strcmp(workload, "operate")) return "ops";
	if (!strncmp(workload, "scan", 4)) return "scan";
	return "small";
}

/* ---------------------------------------------------------------------------------------
 * Connection.
 */

static int
node_count(aerospike* as)
{
	as_nodes* nodes = as_nodes_reserve(as->cluster);
	int n = (int)nodes->size;
	as_nodes_release(nodes);
	return n;
}

/* Connect through the first host only (the seed); wait (bounded) until `expect` nodes are known. */
static bool
connect_client(const options* opt, aerospike* as, bool all_hosts, int expect, char* error, size_t size)
{
	as_config config;
	as_config_init(&config);
	int n = all_hosts ? opt->n_hosts : 1;
	for (int i = 0; i < n; i++) {
		as_config_add_host(&config, opt->hosts[i], opt->ports[i]);
	}
	config.max_conns_per_node = 300;
	aerospike_init(as, &config);
	as_error err;
	if (aerospike_connect(as, &err) != AEROSPIKE_OK) {
		snprintf(error, size, "connect: %d %s", err.code, err.message);
		aerospike_destroy(as);
		return false;
	}
	uint64_t deadline = now_ns() + 5000000000ull;
	while (node_count(as) < expect && now_ns() < deadline) {
		usleep(1000);
	}
	if (node_count(as) < expect) {
		snprintf(error, size, "only %d of %d nodes discovered", node_count(as), expect);
		aerospike_close(as, &err);
		aerospike_destroy(as);
		return false;
	}
	return true;
}

static void
disconnect_client(aerospike* as)
{
	as_error err;
	aerospike_close(as, &err);
	aerospike_destroy(as);
}

/* ---------------------------------------------------------------------------------------
 * One call of each workload. Returns records handled (0 on error, with w->error set).
 */

static void
note_error(worker* w, const as_error* err, const char* what)
{
	w->errors++;
	if (!w->error[0]) {
		snprintf(w->error, sizeof(w->error), "%s: %d %s", what, err->code, err->message);
	}
}

static long
do_put(worker* w, long i)
{
	const char* set = w->opt->set;
	as_key key;
	as_record rec;
	char name[32];
	as_error err;
	as_key_init_int64(&key, w->opt->ns, set, i % w->opt->keys);
	if (is_wide_set(set)) {
		fill_wide(&rec, i, name, sizeof(name));
	}
	else {
		fill_small(&rec, i);
	}
	as_status status = aerospike_key_put(w->as, &err, NULL, &key, &rec);
	as_record_destroy(&rec);
	if (status != AEROSPIKE_OK) {
		note_error(w, &err, "put");
		return 0;
	}
	return 1;
}

static long
do_get(worker* w, long i)
{
	const char* set = w->opt->set;
	as_key key;
	as_record* rec = NULL;
	as_error err;
	as_key_init_int64(&key, w->opt->ns, set, i % w->opt->keys);
	as_status status = aerospike_key_get(w->as, &err, NULL, &key, &rec);
	if (rec) {
		as_record_destroy(rec);
	}
	if (status != AEROSPIKE_OK) {
		note_error(w, &err, "get");
		return 0;
	}
	return 1;
}

/* operate with 3 ops: add 1 to "n", write "s", read "n". */
static long
do_operate(worker* w, long i)
{
	as_key key;
	as_record* rec = NULL;
	as_operations ops;
	as_error err;
	as_key_init_int64(&key, w->opt->ns, w->opt->set, i % w->opt->keys);
	as_operations_inita(&ops, 3);
	as_operations_add_incr(&ops, "n", 1);
	as_operations_add_write_strp(&ops, "s", "operated", false);
	as_operations_add_read(&ops, "n");
	as_status status = aerospike_key_operate(w->as, &err, NULL, &key, &ops, &rec);
	as_operations_destroy(&ops);
	if (rec) {
		as_record_destroy(rec);
	}
	if (status != AEROSPIKE_OK) {
		note_error(w, &err, "operate");
		return 0;
	}
	return 1;
}

/* The filtered workloads' filter: one every record passes (bin i1 of the wide set, i of the
 * others, >= 0), so that the server evaluates it per record and the records read stay the same. */
static as_exp*
every_record_filter(const char* set)
{
	as_exp_build(filter, as_exp_cmp_ge(as_exp_bin_int(is_wide_set(set) ? "i1" : "i"), as_exp_int(0)));
	return filter;
}

static long
do_batch_get(worker* w, long call)
{
	const options* opt = w->opt;
	as_batch_records records;
	as_error err;
	long records_read = 0;
	as_batch_records_init(&records, (uint32_t)opt->batch);
	long first = (call * opt->batch) % opt->keys;
	for (int k = 0; k < opt->batch; k++) {
		as_batch_read_record* r = as_batch_read_reserve(&records);
		as_key_init_int64(&r->key, opt->ns, opt->set, (first + k) % opt->keys);
		r->read_all_bins = true;
	}
	as_policy_batch policy;
	as_policy_batch_init(&policy);
	policy.base.filter_exp = w->filter;
	as_status status = aerospike_batch_read(w->as, &err, w->filter ? &policy : NULL, &records);
	if (status == AEROSPIKE_OK) {
		for (uint32_t k = 0; k < records.list.size; k++) {
			as_batch_read_record* r = as_vector_get(&records.list, k);
			if (r->result == AEROSPIKE_OK) {
				records_read++;
			}
		}
	}
	as_batch_records_destroy(&records);
	if (status != AEROSPIKE_OK) {
		note_error(w, &err, "batch read");
		return 0;
	}
	return records_read;
}

static bool
count_scanned(const as_val* val, void* udata)
{
	if (val) {
		__atomic_add_fetch((long*)udata, 1, __ATOMIC_RELAXED);
	}
	return true;
}

static long
do_scan(worker* w)
{
	as_scan scan;
	as_error err;
	long count = 0;
	as_scan_init(&scan, w->opt->ns, w->opt->set);
	as_policy_scan policy;
	as_policy_scan_init(&policy);
	policy.base.filter_exp = w->filter;
	as_status status = aerospike_scan_foreach(w->as, &err, w->filter ? &policy : NULL, &scan,
			count_scanned, &count);
	as_scan_destroy(&scan);
	if (status != AEROSPIKE_OK) {
		note_error(w, &err, "scan");
		return 0;
	}
	return count;
}

/* Batch-write records of the set's shape to keys [0, keys): the harness's preload. */
static long
do_load(worker* w, long call)
{
	const options* opt = w->opt;
	long first = call * opt->batch;
	long n = opt->keys - first < opt->batch ? opt->keys - first : opt->batch;
	if (n <= 0) {
		return 0;
	}
	as_batch_records records;
	as_operations* ops = calloc((size_t)n, sizeof(as_operations));
	char (*names)[32] = calloc((size_t)n, 32);
	as_record* recs = calloc((size_t)n, sizeof(as_record));
	as_error err;
	as_batch_records_init(&records, (uint32_t)n);
	for (long k = 0; k < n; k++) {
		long i = first + k;
		if (is_wide_set(opt->set)) {
			fill_wide(&recs[k], i, names[k], sizeof(names[k]));
		}
		else {
			fill_small(&recs[k], i);
		}
		as_operations_init(&ops[k], recs[k].bins.size);
		for (uint16_t b = 0; b < recs[k].bins.size; b++) {
			as_bin* bin = &recs[k].bins.entries[b];
			as_val_reserve((as_val*)bin->valuep);
			as_operations_add_write(&ops[k], bin->name, (as_bin_value*)bin->valuep);
		}
		as_batch_write_record* r = as_batch_write_reserve(&records);
		as_key_init_int64(&r->key, opt->ns, opt->set, i);
		r->ops = &ops[k];
	}
	as_status status = aerospike_batch_write(w->as, &err, NULL, &records);
	as_batch_records_destroy(&records);
	for (long k = 0; k < n; k++) {
		as_operations_destroy(&ops[k]);
		as_record_destroy(&recs[k]);
	}
	free(ops);
	free(names);
	free(recs);
	if (status != AEROSPIKE_OK) {
		note_error(w, &err, "batch write");
		return 0;
	}
	return n;
}

/* ---------------------------------------------------------------------------------------
 * Workload dispatch and the timed loop.
 */

static long
run_call(worker* w, long index)
{
	const char* workload = w->opt->workload;
	if (!strncmp(workload, "put_", 4)) return do_put(w, index);
	if (!strncmp(workload, "get_", 4)) return do_get(w, index);
	if (!strcmp(workload, "operate")) return do_operate(w, index);
	/* batch_bins: the Python clients' bins-only result form; C has only the one */
	if (!strcmp(workload, "batch_get") || !strcmp(workload, "batch_bins") ||
			!strcmp(workload, "batch_get_filtered")) return do_batch_get(w, index);
	if (!strcmp(workload, "scan") || !strcmp(workload, "scan_filtered")) return do_scan(w);
	if (!strcmp(workload, "load")) return do_load(w, index);
	if (!strcmp(workload, "mix") || !strcmp(workload, "memory")) {
		return (index & 1) ? do_get(w, index / 2) : do_put(w, index / 2);
	}
	return 0; /* unreachable: main() checks the name */
}

static void*
worker_main(void* arg)
{
	worker* w = arg;
	for (long k = 0; k < w->count && !w->errors; k++) {
		uint64_t start = now_ns();
		w->records += run_call(w, w->first + k);
		w->latencies[k] = now_ns() - start;
	}
	return NULL;
}

static int
compare_u64(const void* a, const void* b)
{
	uint64_t x = *(const uint64_t*)a, y = *(const uint64_t*)b;
	return (x > y) - (x < y);
}

static double
percentile_us(const uint64_t* sorted, long n, double q)
{
	if (n <= 0) {
		return 0.0;
	}
	long index = (long)(q * (double)(n - 1) + 0.5);
	return (double)sorted[index] / 1000.0;
}

static void
print_result(const options* opt, long ops, long records, long errors, const char* error,
	double seconds, const struct rusage* before, const struct rusage* after,
	uint64_t* latencies, long n_latencies, long rss_start_kb, long rss_end_kb)
{
	struct rusage peak;
	getrusage(RUSAGE_SELF, &peak);
	qsort(latencies, (size_t)n_latencies, sizeof(uint64_t), compare_u64);
	printf("{\"client\": \"raw_c\", \"workload\": \"%s\", \"threads\": %d, \"ops\": %ld, "
		"\"records\": %ld, \"errors\": %ld, \"error\": \"", opt->workload, opt->threads, ops,
		records, errors);
	for (const char* p = error; *p; p++) {
		putchar(*p == '"' || *p == '\\' ? '\'' : (*p < 32 ? ' ' : *p));
	}
	printf("\", \"seconds\": %.6f, \"cpu_user\": %.6f, \"cpu_sys\": %.6f, "
		"\"p50_us\": %.3f, \"p99_us\": %.3f, \"maxrss_kb\": %ld, "
		"\"rss_start_kb\": %ld, \"rss_end_kb\": %ld, \"vcsw\": %ld, \"ivcsw\": %ld}\n",
		seconds, cpu_seconds(after, true) - cpu_seconds(before, true),
		cpu_seconds(after, false) - cpu_seconds(before, false),
		percentile_us(latencies, n_latencies, 0.50), percentile_us(latencies, n_latencies, 0.99),
		peak.ru_maxrss, rss_start_kb, rss_end_kb, after->ru_nvcsw - before->ru_nvcsw,
		after->ru_nivcsw - before->ru_nivcsw);
}

/* connect: seed → fully discovered cluster → close, `ops` times. */
static int
run_connect(const options* opt)
{
	uint64_t* latencies = calloc((size_t)opt->ops, sizeof(uint64_t));
	char error[256] = "";
	long done = 0;
	struct rusage before, after;
	getrusage(RUSAGE_SELF, &before);
	long rss_start = current_rss_kb();
	uint64_t t0 = now_ns();
	for (long k = 0; k < opt->ops; k++) {
		aerospike as;
		uint64_t start = now_ns();
		if (!connect_client(opt, &as, false, opt->nodes, error, sizeof(error))) {
			break;
		}
		disconnect_client(&as);
		latencies[done++] = now_ns() - start;
	}
	double seconds = (double)(now_ns() - t0) / 1e9;
	getrusage(RUSAGE_SELF, &after);
	print_result(opt, done, done, error[0] ? 1 : 0, error, seconds, &before, &after, latencies,
		done, rss_start, current_rss_kb());
	free(latencies);
	return error[0] ? 1 : 0;
}

static int
run_calls(const options* opt)
{
	aerospike as;
	char error[256] = "";
	if (!connect_client(opt, &as, true, opt->nodes, error, sizeof(error))) {
		fprintf(stderr, "bench: %s\n", error);
		return 1;
	}
	int n_threads = opt->threads;
	worker* workers = calloc((size_t)n_threads, sizeof(worker));
	pthread_t* ids = calloc((size_t)n_threads, sizeof(pthread_t));
	uint64_t* latencies = malloc((size_t)opt->ops * sizeof(uint64_t));
	/* touch every page now: the memory case measures RSS growth across the loop */
	memset(latencies, 0xff, (size_t)opt->ops * sizeof(uint64_t));
	long per_thread = opt->ops / n_threads;
	as_exp* filter = strstr(opt->workload, "_filtered") ? every_record_filter(opt->set) : NULL;
	for (int t = 0; t < n_threads; t++) {
		workers[t].filter = filter;
		workers[t].opt = opt;
		workers[t].as = &as;
		workers[t].first = t * per_thread;
		workers[t].count = per_thread;
		workers[t].latencies = latencies + t * per_thread;
	}
	/* memory: RSS after a warm-up tenth of the operations, then at the end. */
	bool memory = !strcmp(opt->workload, "memory");
	long rss_start = current_rss_kb();
	if (memory) {
		worker warm = workers[0];
		warm.count = per_thread / 10;
		worker_main(&warm);
		rss_start = current_rss_kb();
	}
	struct rusage before, after;
	getrusage(RUSAGE_SELF, &before);
	uint64_t t0 = now_ns();
	if (n_threads == 1) {
		worker_main(&workers[0]);
	}
	else {
		for (int t = 0; t < n_threads; t++) {
			if (pthread_create(&ids[t], NULL, worker_main, &workers[t]) != 0) {
				usage_exit("pthread_create failed");
			}
		}
		for (int t = 0; t < n_threads; t++) {
			pthread_join(ids[t], NULL);
		}
	}
	double seconds = (double)(now_ns() - t0) / 1e9;
	getrusage(RUSAGE_SELF, &after);
	long records = 0, errors = 0;
	const char* first_error = "";
	for (int t = 0; t < n_threads; t++) {
		records += workers[t].records;
		errors += workers[t].errors;
		if (!first_error[0] && workers[t].error[0]) {
			first_error = workers[t].error;
		}
	}
	print_result(opt, per_thread * n_threads, records, errors, first_error, seconds, &before, &after,
		latencies, per_thread * n_threads, rss_start, current_rss_kb());
	disconnect_client(&as);
	as_exp_destroy(filter);
	free(latencies);
	free(ids);
	free(workers);
	return errors ? 1 : 0;
}

int
main(int argc, char** argv)
{
	options opt;
	parse_args(&opt, argc, argv);
	for (int i = 0; i < BLOB_SIZE; i++) {
		g_blob[i] = (uint8_t)(i % 251);
	}
	static const char* known[] = {"put_small", "get_small", "put_wide", "get_wide", "operate",
		"batch_get", "batch_bins", "scan", "load", "mix", "memory", "connect",
		"batch_get_filtered", "scan_filtered"};
	bool found = false;
	for (size_t k = 0; k < sizeof(known) / sizeof(known[0]); k++) {
		found = found || !strcmp(opt.workload, known[k]);
	}
	if (!found) {
		usage_exit("unknown workload");
	}
	if (!opt.set) {
		opt.set = default_set(opt.workload);
	}
	if (!strcmp(opt.workload, "connect")) {
		return run_connect(&opt);
	}
	return run_calls(&opt);
}
