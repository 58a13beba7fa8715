"""Runner for the official `aerospike` Python client (the PyPI wheel).

Runs in the benchmark's peer venv (benchmarks/.venv-peers, made by run.py), never with
aerospike_c importable: `python official_runner.py --hosts ... --workload ...`.
"""
from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import aerospike  # noqa: E402
from aerospike_helpers import expressions  # noqa: E402
from aerospike_helpers.operations import operations  # noqa: E402

from _common import Call, ModuleClientAdapter, Unsupported, count_records, run_as_script  # noqa: E402


class OfficialAdapter(ModuleClientAdapter):
    """The official client: tuple keys, dict bins, Python callbacks for scans."""

    name = "official"
    module = aerospike

    def node_count(self) -> int:
        return len(self.client.get_nodes())

    def call_for(self, workload: str) -> Call:
        client, ns, set_name, keys = self.client, self.args.namespace, self.args.set_name, self.args.keys
        batch_keys = self.batch_keys

        def operate(i: int) -> int:
            client.operate((ns, set_name, i % keys), [
                operations.increment("n", 1), operations.write("s", "operated"),
                operations.read("n")])
            return 1

        def batch_get(i: int) -> int:
            result = client.batch_read(batch_keys(i))
            return sum(1 for record in result.batch_records if record.result == 0)

        def scan(i: int) -> int:
            return count_records(client.scan(ns, set_name).foreach)

        # The same filters as aerospike_c_runner's (every record passes them).
        batch_filter = {"expressions": expressions.GE(expressions.IntBin(
            "i1" if set_name == "wide" else "i"), 0).compile()}
        scan_filter = {"expressions": expressions.GE(expressions.IntBin("i"), 0).compile()}

        def batch_get_filtered(i: int) -> int:
            result = client.batch_read(batch_keys(i), policy=batch_filter)
            return sum(1 for record in result.batch_records if record.result == 0)

        def scan_filtered(i: int) -> int:
            scan = client.scan(ns, set_name)
            return count_records(lambda each: scan.foreach(each, policy=scan_filter))

        calls = self.tuple_key_calls(client.put, client.get)
        calls.update(operate=operate, batch_get=batch_get, scan=scan,
                     batch_get_filtered=batch_get_filtered, scan_filtered=scan_filtered)
        if workload not in calls:
            raise Unsupported(f"the official client has no {workload} form")
        return calls[workload]


if __name__ == "__main__":
    run_as_script(OfficialAdapter)
