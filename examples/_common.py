"""What every example shares: the command line, the cluster, the test key, logging.

A Python port of the C client's examples/utils (example_utils.c):

    args = parse_args("put example")           # --hosts HOST:PORT[,HOST:PORT...] --namespace
                                               # --set --key  (C: -h -p -n -s -k)
    with example_cluster(args) as as_:         # a connected `aerospike` instance: the given
        key = test_key(args)                   # hosts, else an embedded cluster started here
        remove_test_record(as_, key)
        ...
        read_test_record(as_, key)             # get + log, like example_read_test_record()

`example_main(main)` runs `main(argv) -> int` as a script: the process exits with its
status (an uncaught AerospikeError is a failure, as exit(-1) is in C).
"""
from __future__ import annotations

import argparse
import sys
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, List, Optional

import aerospike_c as asc

DEFAULT_NAMESPACE = "test"
DEFAULT_SET = "eg-set"
DEFAULT_KEY = "eg-key"


def LOG(fmt: str, *args: Any) -> None:  # noqa: N802 - the C examples' macro
    """One line of example output."""
    print(fmt % args if args else fmt, flush=True)


def parse_args(description: str, argv: Optional[List[str]] = None,
               add_options: Optional[Callable[[argparse.ArgumentParser], None]] = None
               ) -> argparse.Namespace:
    """The examples' options; add_options(parser) adds an example's own."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--hosts", metavar="HOST:PORT[,HOST:PORT...]", default=None,
                        help="seed hosts of a real cluster (default: start an embedded one)")
    parser.add_argument("--nodes", type=int, default=1,
                        help="nodes of the embedded cluster when no --hosts (default: 1)")
    parser.add_argument("-n", "--namespace", default=DEFAULT_NAMESPACE)
    parser.add_argument("-s", "--set", default=DEFAULT_SET)
    parser.add_argument("-k", "--key", default=DEFAULT_KEY)
    if add_options is not None:
        add_options(parser)
    args = parser.parse_args(argv)
    LOG("host(s):        %s", args.hosts or f"embedded cluster ({args.nodes} node(s))")
    LOG("namespace:      %s", args.namespace)
    LOG("set name:       %s", args.set)
    LOG("key (string):   %s", args.key)
    return args


@contextmanager
def example_hosts(args: argparse.Namespace, strong_consistency: bool = False) -> Iterator[str]:
    """The seed hosts "HOST:PORT[,...]": --hosts, else an embedded cluster's (stopped on exit;
    its namespaces strong-consistency when asked, for transactions)."""
    if args.hosts is not None:
        yield args.hosts
        return
    from aerospike_c.testing import EmbeddedCluster
    with EmbeddedCluster(nodes=args.nodes, strong_consistency=strong_consistency) as cluster:
        yield ",".join(f"{host}:{port}" for host, port in cluster.hosts)


@contextmanager
def example_cluster(args: argparse.Namespace, udf_user_path: Optional[Path] = None) -> Iterator[Any]:
    """A connected `aerospike` instance (example_connect_to_aerospike, or with udf_user_path
    example_connect_to_aerospike_with_udf_config: the folder the client's own Lua loads
    aggregation modules from); closed and destroyed on exit (example_cleanup), after
    removing the test record."""
    with ExitStack() as stack:
        hosts = stack.enter_context(example_hosts(args))
        config = asc.as_config_init()
        asc.as_config_add_hosts(config, hosts, 3000)
        if udf_user_path is not None:
            config.lua.user_path = str(udf_user_path)
        as_ = asc.aerospike_init(config)
        asc.aerospike_connect(as_)
        try:
            yield as_
            remove_test_record(as_, test_key(args))
        finally:
            asc.aerospike_close(as_)
            asc.aerospike_destroy(as_)


@contextmanager
def registered_udf(as_: Any, path: Path) -> Iterator[None]:
    """The Lua module at `path` registered for the block (example_register_udf, then
    example_remove_udf)."""
    asc.aerospike_udf_put(as_, None, path.name, asc.AS_UDF_TYPE_LUA, path.read_bytes())
    asc.aerospike_udf_put_wait(as_, None, path.name, 100)
    try:
        yield
    finally:
        asc.aerospike_udf_remove(as_, None, path.name)


def test_key(args: argparse.Namespace) -> Any:
    """The examples' key: as_key_init_str(namespace, set, key)."""
    return asc.as_key_init_str(args.namespace, args.set, args.key)


def remove_test_record(as_: Any, key: Any) -> None:
    """Remove the test record; a record that is not there is fine."""
    try:
        asc.aerospike_key_remove(as_, None, key)
    except asc.RecordNotFoundError:
        pass


def dump_record(rec: Any) -> None:
    """Log a record's metadata and bins (example_dump_record); an as_record, or the Record a
    batch record's `record` field reads as."""
    if rec is None:
        LOG("  null as_record object")
        return
    record = rec if isinstance(rec, asc.Record) else rec.to_python()
    LOG("  generation %u, ttl %u, %u bin%s", record.meta["gen"], record.meta["ttl"],
        len(record.bins), ":" if len(record.bins) == 1 else "s:" if record.bins else "s")
    for name, value in record.bins.items():
        LOG("  %s : %r", name, value)


def dump_operations(ops: Any) -> None:
    """Log each operation (example_dump_operations)."""
    LOG("  ttl %u, %u operation%s", ops.ttl, len(ops), "" if len(ops) == 1 else "s")
    for operator, name, value in ops.entries():
        LOG("  %s %s%s", operator.name, name, "" if value is None else f" : {value!r}")


def read_test_record(as_: Any, key: Any) -> Any:
    """Read and log the whole test record (example_read_test_record); returns it."""
    rec = asc.aerospike_key_get(as_, None, key)
    LOG("record was successfully read from database:")
    dump_record(rec)
    return rec


def example_main(main: Callable[[Optional[List[str]]], int]) -> None:
    """Run an example's main() as a script."""
    sys.exit(main(sys.argv[1:]))
