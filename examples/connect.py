"""Port of the C client's basic_examples/connect: connect to a cluster (optionally with TLS),
then close the connection.

    python connect.py [--hosts HOST:PORT[,...]] [-a|--ca-file PATH -t|--tls-name NAME]

The C program takes one host (-h/-p); this port takes the examples' --hosts (default: an
embedded cluster). TLS is used only when both --ca-file and --tls-name are given, as in C.
"""
from __future__ import annotations

import argparse
import sys
from typing import List, Optional

import aerospike_c as asc
from _common import example_hosts, example_main, parse_args


def tls_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-a", "--ca-file", dest="cafile", default=None,
                        help="path to the CA certificate file")
    parser.add_argument("-t", "--tls-name", "--cluster-name", dest="tls_name", default=None,
                        help="the TLS cluster name")


def check_error(operation: str, err: asc.AerospikeError) -> None:
    print(f"Aerospike client failed while {operation}: "
          f"err({err.code}) {err.message} at [{err.file}:{err.line}]", file=sys.stderr)
    sys.exit(1)


def connect_to_aerospike(hosts: str, args: argparse.Namespace) -> asc.aerospike:
    config = asc.as_config_init()

    # This adds the provided hosts as seeds. This may yield a number of additional hosts
    # if the cluster size is greater than one.
    asc.as_config_add_hosts(config, hosts, 3000)

    if args.tls_options_given:
        config.tls.enable = True
        asc.as_config_tls_set_cafile(config, args.cafile)

        # Each seed host needs the TLS name we wish to connect to (C sets host->tls_name
        # on each; here the hosts are added again with it).
        seeds = config.hosts
        asc.as_config_clear_hosts(config)
        for address, port, tls_name in seeds:
            asc.as_config_tls_add_host(config, address, tls_name or args.tls_name, port)

    as_ = asc.aerospike_init(config)
    try:
        asc.aerospike_connect(as_)
    except asc.AerospikeError as err:
        asc.aerospike_destroy(as_)
        check_error("connecting", err)
    return as_


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args("connect example", argv, tls_options)
    args.tls_options_given = bool(args.cafile and args.tls_name)
    with example_hosts(args) as hosts:
        print(f"Attempting to connect to host(s) {hosts}")
        if args.tls_options_given:
            print(" using TLS with the following settings:")
            print(f"    CA File: {args.cafile}")
            print(f"   TLS Name: {args.tls_name}")
        else:
            print("  without using TLS.")

        as_ = connect_to_aerospike(hosts, args)
        print("Connection successful.")

        # ...

        print("Now closing connection.")
        try:
            asc.aerospike_close(as_)
        except asc.AerospikeError as err:
            check_error("closing connection", err)
        asc.aerospike_destroy(as_)
    print("connect example successfully completed")
    return 0


if __name__ == "__main__":
    example_main(main)
