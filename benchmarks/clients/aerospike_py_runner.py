"""Runner for aerospike-py (the PyPI `aerospike-py`, a Rust/PyO3 client), a peer to compare.

Runs in the benchmark's peer venv (benchmarks/.venv-peers, made by run.py), never with
aerospike_c importable: `python aerospike_py_runner.py --hosts ... --workload ...`.
`batch_get` reads every record (`batch_records`); `batch_bins` uses its bins-only form
`to_list()`. The async workloads use its `AsyncClient`.
"""
from __future__ import annotations

import os
import sys
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import aerospike_py  # noqa: E402

from _common import Unsupported, Call, ModuleClientAdapter, count_records, run_as_script  # noqa: E402


class AerospikePyAdapter(ModuleClientAdapter):
    """aerospike-py's sync Client: tuple keys, dict bins, dict operations."""

    name = "aerospike_py"
    module = aerospike_py

    def node_count(self) -> int:
        return len(self.client.get_node_names())

    async def aconnect(self) -> None:
        self.aclient = aerospike_py.AsyncClient({"hosts": self.args.host_list,
                                                 "max_conns_per_node": 300})
        await self.aclient.connect()

    async def aclose(self) -> None:
        await self.aclient.close()

    def async_call(self, workload: str) -> Any:
        ns, set_name = self.args.namespace, self.args.set_name
        return self.acall_for(workload, self.aclient.get, self.aclient.put,
                              lambda k: (ns, set_name, k))

    def call_for(self, workload: str) -> Call:
        client, ns, set_name, keys = self.client, self.args.namespace, self.args.set_name, self.args.keys
        batch_keys = self.batch_keys
        incr, write, read = (aerospike_py.OPERATOR_INCR, aerospike_py.OPERATOR_WRITE,
                             aerospike_py.OPERATOR_READ)

        def operate(i: int) -> int:
            client.operate((ns, set_name, i % keys), [
                {"op": incr, "bin": "n", "val": 1}, {"op": write, "bin": "s", "val": "operated"},
                {"op": read, "bin": "n", "val": None}])
            return 1

        def batch_get(i: int) -> int:
            result = client.batch_read(batch_keys(i))
            return sum(1 for record in result.batch_records if record.result == 0)

        def batch_bins(i: int) -> int:
            return sum(1 for bins in client.batch_read(batch_keys(i)).to_list() if bins is not None)

        def scan(i: int) -> int:
            return count_records(client.query(ns, set_name).foreach)

        calls = self.tuple_key_calls(client.put, client.get)
        calls.update(operate=operate, batch_get=batch_get, batch_bins=batch_bins, scan=scan)
        if workload not in calls:
            raise Unsupported(f"no {workload} in this runner for aerospike-py")
        return calls[workload]


if __name__ == "__main__":
    run_as_script(AerospikePyAdapter)
