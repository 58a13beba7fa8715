"""Runner for aerospike_c (this project), through its idiomatic `Client`.

`python aerospike_c_runner.py --hosts ... --workload ...` with aerospike_c importable.
`batch_get` builds a Record per key; `batch_bins` uses the bins-only form `batch_bins()`.
The async workloads (aget, aput) use `aerospike_c.aio` (the C client's event loops), or with
`--aio executor` the previous executor-based `aerospike_c.aio_executor` (reported as the
client aerospike_c_exec, which runs nothing else).
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from aerospike_c import Client, Config, exp, ops  # noqa: E402

from _common import Adapter, Call, Unsupported, count_records, run_as_script  # noqa: E402


class AerospikeCAdapter(Adapter):
    """aerospike_c's `Client`: tuple keys, dict bins, Record results."""

    name = "aerospike_c"

    def __init__(self, args: argparse.Namespace) -> None:
        super().__init__(args)
        self.client: Any = None
        self.cluster: Any = None
        if args.aio == "executor":
            self.name = "aerospike_c_exec"
        elif args.aio == "threads":
            self.name = "aerospike_c_thr"

    async def aconnect(self) -> None:
        if self.args.aio == "executor":
            from aerospike_c import aio_executor as flavour
        else:
            from aerospike_c import aio as flavour  # type: ignore[no-redef]
        # 256 awaits at once against a loaded server: time out after 10 s, not C's default 1 s
        # (which the C client counts from the moment a command is queued).
        timeouts = {"total_timeout": 10000, "socket_timeout": 10000}
        mode = {"loop_mode": "threads"} if self.args.aio == "threads" else {}
        definition = flavour.ClusterDefinition(
            hosts=self.args.host_list, max_conns_per_node=300, async_max_conns_per_node=300,
            policies={"read": timeouts, "write": timeouts}, **mode)
        self.cluster = await definition.connect()

    async def aclose(self) -> None:
        await self.cluster.close()

    def async_call(self, workload: str) -> Any:
        session, ns, set_name = self.cluster.create_session(), self.args.namespace, self.args.set_name
        return self.acall_for(workload, session.get, session.put, lambda k: (ns, set_name, k))

    def connect(self, seed_only: bool) -> None:
        if self.args.aio != "native":
            raise Unsupported(f"{self.name} runs the async workloads only")
        hosts = self.args.host_list[:1] if seed_only else self.args.host_list
        client = Client(Config(hosts, max_conns_per_node=300))
        try:
            client.connect()
        except BaseException:
            client.destroy()
            raise
        self.client = client

    def node_count(self) -> int:
        return len(self.client.node_names())

    def close(self) -> None:
        self.client.destroy()
        self.client = None

    def call_for(self, workload: str) -> Call:
        client, ns, set_name, keys = self.client, self.args.namespace, self.args.set_name, self.args.keys
        batch_keys = self.batch_keys

        def operate(i: int) -> int:
            client.operate((ns, set_name, i % keys),
                           [ops.incr("n", 1), ops.write("s", "operated"), ops.read("n")])
            return 1

        def batch_get(i: int) -> int:
            return sum(1 for record in client.batch_get(batch_keys(i)) if record is not None)

        def batch_bins(i: int) -> int:
            return sum(1 for bins in client.batch_bins(batch_keys(i)) if bins is not None)

        def scan(i: int) -> int:
            return count_records(lambda each: client.scan_foreach(ns, set_name, each))

        # The filtered cases: a filter every record passes, so that each client evaluates it
        # for every record and the records per run stay those of batch_get and scan.
        batch_filter = exp.build(exp.ge(exp.bin_int("i1" if set_name == "wide" else "i"), 0))
        scan_filter = exp.build(exp.ge(exp.bin_int("i"), 0))

        def batch_get_filtered(i: int) -> int:
            return sum(1 for record in client.batch_get(batch_keys(i), filter_exp=batch_filter)
                       if record is not None)

        def scan_filtered(i: int) -> int:
            return count_records(lambda each: client.scan_foreach(ns, set_name, each,
                                                                  filter_exp=scan_filter))

        calls = self.tuple_key_calls(client.put, client.get)
        calls.update(operate=operate, batch_get=batch_get, batch_bins=batch_bins, scan=scan,
                     batch_get_filtered=batch_get_filtered, scan_filtered=scan_filtered)
        return calls[workload]


if __name__ == "__main__":
    run_as_script(AerospikeCAdapter)
