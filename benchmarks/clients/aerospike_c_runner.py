"""Runner for aerospike_c (this project), through its idiomatic `Client`.

`python aerospike_c_runner.py --hosts ... --workload ...` with aerospike_c importable.
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from aerospike_c import Client, Config  # noqa: E402

from _common import Adapter, Call, Unsupported, run_as_script  # noqa: E402


class AerospikeCAdapter(Adapter):
    """aerospike_c's `Client`."""

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
        raise Unsupported(f"aerospike_c has no {workload} API yet")


if __name__ == "__main__":
    run_as_script(AerospikeCAdapter)
