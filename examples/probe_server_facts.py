"""Port of the C client's tools/probe_server_facts: connect, pick a node, and print the
server's version, edition, and whether a namespace is strong-consistency and allows TTLs.

    python probe_server_facts.py [--host HOSTS] [--port PORT] [--namespace NS] [--user U ...]

Without --host it probes an embedded cluster (C's default is 127.0.0.1:3000). Where the C
program reads the client's node and partition-table internals, which aerospike_c does not
bind (docs/C_API.md, as_node.h and as_partition.h), the port asks the node the same facts
over info: `build` for node->version, `replicas` (whose regime the C client turns into the
partition table's sc_mode) for strong consistency.
"""
from __future__ import annotations

import argparse
import random
import sys
from contextlib import ExitStack
from typing import Any, Dict, List, Optional

import aerospike_c as asc


def failf(message: str) -> None:
    print(message, file=sys.stderr)


def parse_args(argv: Optional[List[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="probe_server_facts")
    parser.add_argument("--host", "-H", default=None,
                        help="seed host list (default: an embedded cluster)")
    parser.add_argument("--port", "-p", type=int, default=3000, help="seed port (default: 3000)")
    parser.add_argument("--user", "-U", default=None)
    parser.add_argument("--password", "-P", default=None)
    parser.add_argument("--auth", "-a", default=None)
    parser.add_argument("--namespace", "-n", default="test",
                        help="namespace to inspect (default: test)")
    parser.add_argument("--tls-enable", action="store_true")
    for option in ("tls-ca-file", "tls-ca-path", "tls-protocols", "tls-cipher-suite",
                   "tls-cert-blacklist", "tls-key-file", "tls-cert-file", "tls-name"):
        parser.add_argument(f"--{option}", default=None)
    for flag in ("tls-crl-check", "tls-crl-check-all", "tls-log-session-info", "tls-login-only"):
        parser.add_argument(f"--{flag}", action="store_true")
    options = parser.parse_args(argv)
    if not 0 <= options.port <= 65535:
        parser.error(f"Invalid port value '{options.port}'")
    options.auth_mode = asc.AS_AUTH_INTERNAL
    if options.auth is not None:
        try:
            options.auth_mode = asc.as_auth_mode_from_string(options.auth)
        except asc.ParamError:
            parser.error(f"Invalid auth mode '{options.auth}'")
    return options


def configure_tls(config: Any, options: argparse.Namespace) -> None:
    config.tls.enable = options.tls_enable
    if options.tls_ca_file:
        asc.as_config_tls_set_cafile(config, options.tls_ca_file)
    if options.tls_ca_path:
        asc.as_config_tls_set_capath(config, options.tls_ca_path)
    if options.tls_protocols:
        asc.as_config_tls_set_protocols(config, options.tls_protocols)
    if options.tls_cipher_suite:
        asc.as_config_tls_set_cipher_suite(config, options.tls_cipher_suite)
    if options.tls_cert_blacklist:
        asc.as_config_tls_set_cert_blacklist(config, options.tls_cert_blacklist)
    if options.tls_key_file:
        asc.as_config_tls_set_keyfile(config, options.tls_key_file)
    if options.tls_cert_file:
        asc.as_config_tls_set_certfile(config, options.tls_cert_file)
    config.tls.crl_check = options.tls_crl_check
    config.tls.crl_check_all = options.tls_crl_check_all
    config.tls.log_session_info = options.tls_log_session_info
    config.tls.for_login_only = options.tls_login_only


def apply_seed_hosts(config: Any, host: str, options: argparse.Namespace) -> bool:
    try:
        asc.as_config_add_hosts(config, host, options.port)
    except asc.ParamError:
        failf(f"Invalid host list '{host}'")
        return False
    if not options.tls_name:
        return True
    seeds = config.hosts  # C sets host->tls_name on each seed that has none
    asc.as_config_clear_hosts(config)
    for address, port, tls_name in seeds:
        asc.as_config_tls_add_host(config, address, tls_name or options.tls_name, port)
    return True


def info_value(as_: Any, node: str, command: str) -> str:
    """aerospike_info_node(as, err, NULL, node, command, &response): the value after the tab."""
    response = asc.aerospike_info_node(as_, None, node, command)
    return response.partition("\t")[2].strip()


def query_enterprise(as_: Any, node: str, version: Any, results: Dict[str, Any]) -> bool:
    command = "release" if asc.as_version_compare(version, asc.as_server_version_8_1_1) >= 0 \
        else "edition"
    try:
        response = info_value(as_, node, command)
    except asc.AerospikeError as err:
        failf(f"Failed to query server edition: {err.message}")
        return False
    results["enterprise"] = "enterprise" in response.lower()
    return True


def query_ttl_support(as_: Any, node: str, version: Any, options: argparse.Namespace,
                      results: Dict[str, Any]) -> bool:
    if asc.as_version_compare(version, asc.as_server_version_8_1) >= 0:
        ns_field_name = "namespace"
    else:
        ns_field_name = "id"
    command = f"get-config:context=namespace;{ns_field_name}={options.namespace}"
    try:
        response = info_value(as_, node, command)
    except asc.AerospikeError as err:
        failf(f"Failed to query namespace config for '{options.namespace}': {err.message}")
        return False
    config = dict(item.split("=", 1) for item in response.split(";") if "=" in item)
    if "nsup-period" not in config:
        failf(f"Namespace config for '{options.namespace}' is missing nsup-period")
        return False
    results["ttl_support"] = not config["nsup-period"].startswith("0")
    if not results["ttl_support"]:
        if "allow-ttl-without-nsup" not in config:
            failf(f"Namespace config for '{options.namespace}' is missing allow-ttl-without-nsup")
            return False
        results["ttl_support"] = config["allow-ttl-without-nsup"] == "true"
    return True


def query_strong_consistency(as_: Any, node: str, options: argparse.Namespace,
                             results: Dict[str, Any]) -> bool:
    # C: as_partition_tables_get(&cluster->partition_tables, ns)->sc_mode, which the C
    # client sets from the regime in the node's `replicas` answer (ns:regime,n_replicas,...).
    for entry in info_value(as_, node, "replicas").split(";"):
        name, _, rest = entry.partition(":")
        if name == options.namespace:
            results["strong_consistency"] = rest.split(",", 1)[0] != "0"
            return True
    failf(f"Namespace '{options.namespace}' was not found in partition tables")
    return False


def probe_server_facts(host: str, options: argparse.Namespace, results: Dict[str, Any]) -> bool:
    config = asc.as_config_init()
    if not apply_seed_hosts(config, host, options):
        asc.as_config_destroy(config)
        return False
    if options.user is not None:
        asc.as_config_set_user(config, options.user, options.password or "")
    config.auth_mode = options.auth_mode
    configure_tls(config, options)
    as_ = asc.aerospike_init(config)
    ok = False
    try:
        asc.aerospike_connect(as_)
        # C: node = as_node_get_random(as.cluster)
        names = asc.as_cluster_get_node_names(as_)
        if not names:
            failf("Failed to fetch a cluster node after connecting")
            return False
        node = random.choice(names)
        # C: as_version_to_string(&node->version, ...)
        version = asc.as_version_from_string(info_value(as_, node, "build"))
        results["server_version"] = asc.as_version_to_string(version)
        ok = (query_enterprise(as_, node, version, results)
              and query_ttl_support(as_, node, version, options, results)
              and query_strong_consistency(as_, node, options, results))
    except asc.AerospikeError as err:
        failf(f"Failed to connect: {err.message}")
    finally:
        try:
            asc.aerospike_close(as_)
        except asc.AerospikeError as err:
            failf(f"Failed to close cluster connection: {err.message}")
            ok = False
        asc.aerospike_destroy(as_)
    return ok


def print_results(results: Dict[str, Any]) -> None:
    print(f"SERVER_VERSION={results['server_version']}")
    print(f"SERVER_ENTERPRISE={'true' if results['enterprise'] else 'false'}")
    print(f"NAMESPACE_STRONG_CONSISTENCY={'true' if results['strong_consistency'] else 'false'}")
    print(f"NAMESPACE_TTL_SUPPORT={'true' if results['ttl_support'] else 'false'}")


def main(argv: Optional[List[str]] = None) -> int:
    options = parse_args(argv)
    results: Dict[str, Any] = {}
    with ExitStack() as stack:
        host = options.host
        if host is None:
            from aerospike_c.testing import EmbeddedCluster
            cluster = stack.enter_context(EmbeddedCluster(nodes=1))
            host = ",".join(f"{address}:{port}" for address, port in cluster.hosts)
        if not probe_server_facts(host, options, results):
            return 1
    print_results(results)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
