"""Load the embedded-cluster pytest plugin when aerospike_c is not pip-installed (its pytest11
entry point is then inactive); with the entry point active this does nothing."""

from __future__ import annotations

import pytest

import aerospike_c.testing.pytest_plugin as cluster_plugin


def pytest_configure(config: pytest.Config) -> None:
    if not config.pluginmanager.is_registered(cluster_plugin):
        config.pluginmanager.register(cluster_plugin, "aerospike_c.testing.pytest_plugin")
