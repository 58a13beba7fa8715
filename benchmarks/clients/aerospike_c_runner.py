"""Runner for aerospike_c (this project), through its idiomatic `Client`.

`python aerospike_c_runner.py --hosts ... --workload ...` with aerospike_c importable.
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from aerospike_c import Client, Config, ops  # noqa: E402

from _common import (  # noqa: E402
    Adapter, Call, Unsupported, is_wide_set, run_as_script, small_bins, wide_bins,
)


class AerospikeCAdapter(Adapter):
    """aerospike_c's `Client`: tuple keys, dict bins, Record results."""

    name = "aerospike_c"

    def __init__(self, args: argparse.Namespace) -> None:
        super().__init__(args)
        self.client: Any = None

    def connect(self, seed_only: bool) -> None:
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
        bins_of = wide_bins if is_wide_set(set_name) else small_bins

        def put(i: int) -> int:
            client.put((ns, set_name, i % keys), bins_of(i))
            return 1

        def get(i: int) -> int:
            client.get((ns, set_name, i % keys))
            return 1

        def operate(i: int) -> int:
            client.operate((ns, set_name, i % keys),
                           [ops.incr("n", 1), ops.write("s", "operated"), ops.read("n")])
            return 1

        batch = self.args.batch

        def batch_get(i: int) -> int:
            first = i * batch
            records = client.batch_get([(ns, set_name, (first + k) % keys) for k in range(batch)])
            return sum(1 for record in records if record is not None)

        def scan(i: int) -> int:
            count = 0

            def each(record: Any) -> None:
                nonlocal count
                if record is not None:
                    count += 1

            client.scan_foreach(ns, set_name, each)
            return count

        def mix(i: int) -> int:
            return get(i // 2) if i & 1 else put(i // 2)

        calls = {"put_small": put, "put_wide": put, "get_small": get, "get_wide": get,
                 "operate": operate, "batch_get": batch_get, "scan": scan, "mix": mix,
                 "memory": mix}
        needs = {"batch_get": "batch_get", "scan": "scan_foreach"}
        if workload in needs and not hasattr(client, needs[workload]):
            raise Unsupported(f"aerospike_c's Client has no {needs[workload]} yet")
        return calls[workload]


if __name__ == "__main__":
    run_as_script(AerospikeCAdapter)
