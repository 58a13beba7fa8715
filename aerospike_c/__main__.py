"""`python -m aerospike_c demo [--hosts HOST:PORT,...]`: the C connection sequence, in Python.

With no --hosts the demo starts a 3-node embedded cluster (aerospike_c.testing) and gives
the client ONE seed host, so what it prints about the other nodes was discovered by the C
client's tender. With --hosts it does the same against a real cluster.
"""
from __future__ import annotations

import argparse
import contextlib
import sys
from typing import Iterator, List, Optional, Sequence, TextIO, Tuple

from . import (
    C_CLIENT_VERSION,
    AerospikeError,
    __version__,
    aerospike_close,
    aerospike_connect,
    aerospike_destroy,
    aerospike_init,
    aerospike_key_get,
    aerospike_key_put,
    aerospike_stats,
    as_cluster_get_node_names,
    as_config_add_hosts,
    as_config_init,
    as_key_init,
    as_record_destroy,
    as_record_get_int64,
    as_record_get_str,
    as_record_init,
    as_record_set_int64,
    as_record_set_str,
)


@contextlib.contextmanager
def cluster_hosts(hosts: Optional[str], nodes: int) -> Iterator[Tuple[str, str]]:
    """(seed string, description): the given hosts, or a started embedded cluster's first node."""
    if hosts:
        yield hosts, f"the cluster at {hosts}"
        return
    from .testing import EmbeddedCluster

    with EmbeddedCluster(nodes=nodes) as cluster:
        host, port = cluster.seed
        ports = ", ".join(str(p) for _, p in cluster.hosts)
        yield f"{host}:{port}", f"an embedded {nodes}-node cluster on 127.0.0.1 (ports {ports})"


def demo(hosts: Optional[str], nodes: int, namespace: str, out: TextIO = sys.stdout) -> int:
    def say(text: str = "") -> None:
        print(text, file=out, flush=True)

    say(f"aerospike_c {__version__} over the Aerospike C client {C_CLIENT_VERSION}")
    with cluster_hosts(hosts, nodes) as (seed, description):
        say(f"server: {description}")
        config = as_config_init()                          # as_config config; as_config_init(&config);
        as_config_add_hosts(config, seed.split(",")[0], 3000)  # one seed host
        config.tender_interval = 250
        as_ = aerospike_init(config)                       # aerospike_init(&as, &config);
        try:
            aerospike_connect(as_)                         # aerospike_connect(&as, &err)
        except AerospikeError as err:
            say(f"err({err.code}) {err.message} at [{err.file}:{err.line}]")
            aerospike_destroy(as_)
            return 1
        try:
            say(f"connected through the seed {seed.split(',')[0]}")
            names = as_cluster_get_node_names(as_)
            say(f"nodes discovered: {len(names)}")
            stats = aerospike_stats(as_)
            for node in stats.nodes:
                say(f"  {node.name} at {node.address}: connections in pool {node.sync.in_pool}, "
                    f"in use {node.sync.in_use}, opened {node.sync.opened}, closed {node.sync.closed}")

            key = as_key_init(namespace, "demo", "hello")  # as_key_init(&key, "test", "demo", "hello");
            rec = as_record_init(2)                        # as_record_inita(&rec, 2);
            as_record_set_str(rec, "greeting", "hello, world")
            as_record_set_int64(rec, "count", 1)
            aerospike_key_put(as_, None, key, rec)         # aerospike_key_put(&as, &err, NULL, &key, &rec)
            as_record_destroy(rec)
            say(f"wrote {namespace}/demo/hello")

            got = aerospike_key_get(as_, None, key)        # aerospike_key_get(&as, &err, NULL, &key, &rec)
            ttl = "never expires" if got.ttl == 0xFFFFFFFF else f"{got.ttl} s"  # AS_RECORD_NO_EXPIRE_TTL
            say(f"read it back: greeting={as_record_get_str(got, 'greeting')!r} "
                f"count={as_record_get_int64(got, 'count', 0)} generation={got.gen} ttl: {ttl}")
            as_record_destroy(got)

            stats = aerospike_stats(as_)
            say(f"cluster stats: {len(stats.nodes)} nodes, "
                f"{sum(n.sync.in_pool + n.sync.in_use for n in stats.nodes)} connections, "
                f"{stats.retry_count} retries")
        except AerospikeError as err:
            say(f"err({err.code}) {err.message} at [{err.file}:{err.line}]")
            return 1
        finally:
            aerospike_close(as_)                           # aerospike_close(&as, &err);
            aerospike_destroy(as_)                         # aerospike_destroy(&as);
        say("closed and destroyed")
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aerospike_c", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("demo", help="connect the C way, show the cluster, write and read a record")
    run.add_argument("--hosts", help="HOST:PORT[,HOST:PORT...] of a real cluster (default: embedded)")
    run.add_argument("--nodes", type=int, default=3, help="embedded cluster size (default 3)")
    run.add_argument("--namespace", default="test", help="namespace to write to (default test)")
    args = parser.parse_args(argv)
    return demo(args.hosts, args.nodes, args.namespace)


if __name__ == "__main__":
    sys.exit(main())
