"""Runner for the official `aerospike` Python client (the PyPI wheel).

Runs in the benchmark's own venv (benchmarks/.venv-official, made by run.py), never with
aerospike_c importable: `python official_runner.py --hosts ... --workload ...`.
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import Any, List, Tuple

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import aerospike  # noqa: E402
from aerospike_helpers.operations import operations  # noqa: E402

from _common import Adapter, Call, is_wide_set, run_as_script, small_bins, wide_bins  # noqa: E402


class OfficialAdapter(Adapter):
    """The official client: tuple keys, dict bins, Python callbacks for scans."""

    name = "official"

    def __init__(self, args: argparse.Namespace) -> None:
        super().__init__(args)
        self.client: Any = None

    def connect(self, seed_only: bool) -> None:
        hosts: List[Tuple[str, int]] = self.args.host_list[:1] if seed_only else self.args.host_list
        self.client = aerospike.client({"hosts": hosts, "max_conns_per_node": 300}).connect()

    def node_count(self) -> int:
        return len(self.client.get_nodes())

    def close(self) -> None:
        self.client.close()
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
            client.operate((ns, set_name, i % keys), [
                operations.increment("n", 1), operations.write("s", "operated"),
                operations.read("n")])
            return 1

        batch = self.args.batch

        def batch_get(i: int) -> int:
            first = i * batch
            result = client.batch_read([(ns, set_name, (first + k) % keys) for k in range(batch)])
            return sum(1 for record in result.batch_records if record.result == 0)

        def scan(i: int) -> int:
            count = 0

            def each(record: Any) -> None:
                nonlocal count
                count += 1

            client.scan(ns, set_name).foreach(each)
            return count

        def mix(i: int) -> int:
            return get(i // 2) if i & 1 else put(i // 2)

        calls = {"put_small": put, "put_wide": put, "get_small": get, "get_wide": get,
                 "operate": operate, "batch_get": batch_get, "scan": scan, "mix": mix,
                 "memory": mix}
        return calls[workload]


if __name__ == "__main__":
    run_as_script(OfficialAdapter)
