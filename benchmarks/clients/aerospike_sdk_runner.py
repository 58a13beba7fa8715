"""Runner for aerospike-sdk (the PyPI `aerospike-sdk`, a fluent SDK over the Rust-core
`aerospike-native`), a peer to compare.

Runs in the benchmark's peer venv (benchmarks/.venv-peers, made by run.py): `python
aerospike_sdk_runner.py --hosts ... --workload ...`. Single-record calls use its direct
fast paths (`session.get`/`session.put`); operate, batch reads and scans its query builder.
It documents Aerospike server 8.2+ only; the embedded cluster answers it. The async
workloads use its asyncio form (aerospike_sdk.aio: ClusterDefinition, Session.get/put).
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from aerospike_sdk import DataSet  # noqa: E402
from aerospike_sdk.policy.behavior import Behavior  # noqa: E402
from aerospike_sdk.sync import ClusterDefinition, Host  # noqa: E402

from _common import (  # noqa: E402
    Adapter, Call, Unsupported, is_wide_set, run_as_script, small_bins, wide_bins,
)


class AerospikeSdkAdapter(Adapter):
    """aerospike-sdk's sync Cluster and Session: DataSet keys, dict bins."""

    name = "aerospike_sdk"

    def __init__(self, args: argparse.Namespace) -> None:
        super().__init__(args)
        self.cluster: Any = None
        self.session: Any = None

    def connect(self, seed_only: bool) -> None:
        hosts = self.args.host_list[:1] if seed_only else self.args.host_list
        self.cluster = ClusterDefinition(hosts=[Host(name, port) for name, port in hosts]).connect()
        self.session = self.cluster.create_session(Behavior.DEFAULT)

    def node_count(self) -> int:
        return len(self.cluster._client.underlying_client.node_names())

    async def aconnect(self) -> None:
        from aerospike_sdk.aio.cluster_definition import ClusterDefinition as AsyncDefinition
        hosts = [Host(name, port) for name, port in self.args.host_list]
        self.cluster = await AsyncDefinition(hosts=hosts).connect()
        self.session = self.cluster.create_session(Behavior.DEFAULT)

    async def aclose(self) -> None:
        await self.cluster.close()

    def async_call(self, workload: str) -> Any:
        dataset = DataSet.of(self.args.namespace, self.args.set_name)
        return self.acall_for(workload, self.session.get, self.session.put, dataset.id)

    def close(self) -> None:
        self.cluster.close()
        self.cluster = self.session = None

    def call_for(self, workload: str) -> Call:
        session, keys = self.session, self.args.keys
        dataset = DataSet.of(self.args.namespace, self.args.set_name)
        key_of = dataset.id
        bins_of = wide_bins if is_wide_set(self.args.set_name) else small_bins

        def put(i: int) -> int:
            session.put(key_of(i % keys), bins_of(i))
            return 1

        def get(i: int) -> int:
            session.get(key_of(i % keys))
            return 1

        batch = self.args.batch

        def batch_get(i: int) -> int:
            first = i * batch
            stream = session.query(dataset.ids([(first + k) % keys for k in range(batch)])).execute()
            return sum(1 for result in stream if result.result_code == 0)

        def scan(i: int) -> int:
            return sum(1 for result in session.query(dataset).execute() if result.result_code == 0)

        def mix(i: int) -> int:
            return get(i // 2) if i & 1 else put(i // 2)

        calls = {"put_small": put, "put_wide": put, "get_small": get, "get_wide": get,
                 "batch_get": batch_get, "scan": scan, "mix": mix, "memory": mix}
        if workload not in calls:
            raise Unsupported(f"no {workload} in this runner for aerospike-sdk")
        return calls[workload]


if __name__ == "__main__":
    run_as_script(AerospikeSdkAdapter)
