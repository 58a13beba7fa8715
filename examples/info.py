"""Info requests: one node (any), every node (foreach), one named node, one host."""
from __future__ import annotations

from typing import Any, List, Optional

import aerospike_c as asc
from _common import LOG, example_cluster, example_main, parse_args


def node_cb(err: Any, node: str, req: str, res: str, udata: List[str]) -> bool:
    """Called once per node with its response; returning False would stop the loop."""
    LOG("node %s: %s", node, res.strip())
    udata.append(node)
    return True


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args("info example", argv)
    with example_cluster(args) as as_:
        response = asc.aerospike_info_any(as_, None, "namespaces")
        LOG("aerospike_info_any: %s", response.strip())
        if args.namespace not in response.split("\t", 1)[1].strip().split(";"):
            return 1

        nodes: List[str] = []
        asc.aerospike_info_foreach(as_, None, "build", node_cb, nodes)
        if sorted(nodes) != sorted(asc.as_cluster_get_node_names(as_)):
            return 1

        response = asc.aerospike_info_node(as_, None, nodes[0], "node")
        LOG("aerospike_info_node(%s): %s", nodes[0], response.strip())

        host = as_.config.hosts[0]
        response = asc.aerospike_info_host(as_, None, host[0], host[1], "status")
        LOG("aerospike_info_host(%s:%d): %s", host[0], host[1], response.strip())
    LOG("info example successfully completed")
    return 0


if __name__ == "__main__":
    example_main(main)
