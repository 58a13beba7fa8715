"""Issue 10: a bounded property-based fuzz of every settable as_config, policy and metrics
policy field (see fuzz_config.py for the values drawn and the outcomes allowed).

Two children run at once against the session cluster, each drawing its examples with
hypothesis (fixed seeds: the same examples every run) and running each at once: a signal,
a timeout or an exception other than TypeError/ValueError/AerospikeError fails the test,
naming the example. scripts/fuzz_config.py runs the same fuzz for longer with fresh seeds.
"""
from __future__ import annotations

import pytest

from fuzz_config import finish_child, prepare_tmp, start_child
from probe_helpers import hosts_text

EXAMPLES_PER_CHILD = 1000
SEEDS = (10, 11)

pytestmark = pytest.mark.timeout(900)


def test_random_configs_policies_and_metrics_never_crash_hang_or_raise_oddly(aerospike_hosts,
                                                                             tmp_path):
    tmp = str(tmp_path)
    prepare_tmp(tmp)
    hosts = hosts_text(aerospike_hosts)
    children = [start_child(hosts, f"fuzz{seed}", tmp, EXAMPLES_PER_CHILD, seed) for seed in SEEDS]
    runs = [finish_child(child, timeout=600) for child in children]
    for run in runs:
        assert run.failure is None, run.failure
        assert run.bad == [], "\n".join(run.bad[:20])
    examples = sum(run.examples for run in runs)
    connected = sum(run.connected for run in runs)
    assert examples == EXAMPLES_PER_CHILD * len(SEEDS)
    # The fuzz must reach the C client, not only the setters' checks.
    assert connected > examples // 10, f"only {connected} of {examples} examples connected"
