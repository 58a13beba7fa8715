"""Port of the C client's async_examples/async_transaction: two puts, a get and a durable
delete in one multi-record transaction, each started from the previous listener on one event
loop, then aerospike_commit_async (aerospike_abort_async when a command failed).

The namespace must be strong-consistency: without --hosts the embedded cluster is started
that way; with --hosts, name such a namespace with --namespace.
"""
from __future__ import annotations

import threading
from typing import Any, List, Optional

import aerospike_c as asc
from _common import LOG, example_hosts, example_main, parse_args

monitor = threading.Event()  # C: as_monitor
status = {"committed": False}


class UserData:
    """C: typedef struct { as_event_loop* event_loop; as_txn* txn; } user_data;"""

    def __init__(self, event_loop: Any, txn: Any) -> None:
        self.event_loop = event_loop
        self.txn = txn


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args("async transaction example", argv)
    asc.as_event_create_loops(1)  # example_create_event_loop(): before connecting, as in C
    try:
        with example_hosts(args, strong_consistency=True) as hosts:
            config = asc.as_config_init()
            asc.as_config_add_hosts(config, hosts, 3000)
            as_ = asc.aerospike_init(config)
            asc.aerospike_connect(as_)

            # -- commit --
            def commit_listener(err: Any, commit_status: Any, udata: Any, event_loop: Any) -> None:
                if err is not None:
                    LOG("aerospike_commit_async() returned %d - %s", err.code, err.message)
                    monitor.set()
                    return
                LOG("transaction committed")
                status["committed"] = True
                monitor.set()

            def commit_txn(data: UserData) -> None:
                try:
                    asc.aerospike_commit_async(as_, data.txn, commit_listener, data, data.event_loop)
                except asc.AerospikeError as err:
                    LOG("aerospike_commit_async() returned %d - %s", err.code, err.message)
                    monitor.set()

            # -- abort --
            def abort_listener(err: Any, abort_status: Any, udata: Any, event_loop: Any) -> None:
                if err is not None:
                    LOG("aerospike_abort_async() returned %d - %s", err.code, err.message)
                    monitor.set()
                    return
                LOG("transaction aborted")
                monitor.set()

            def abort_txn(data: UserData) -> None:
                try:
                    asc.aerospike_abort_async(as_, data.txn, abort_listener, data, data.event_loop)
                except asc.AerospikeError as err:
                    LOG("aerospike_abort_async() returned %d - %s", err.code, err.message)
                    monitor.set()

            # -- remove --
            def remove_listener(err: Any, udata: Any, event_loop: Any) -> None:
                if err is not None and err.code != asc.AEROSPIKE_ERR_RECORD_NOT_FOUND:
                    LOG("aerospike_key_remove_async() returned %d - %s", err.code, err.message)
                    abort_txn(udata)
                    return
                commit_txn(udata)

            def run_remove(data: UserData) -> None:
                LOG("aerospike_key_remove_async()")
                prem = asc.as_policy_remove_default(as_)  # a copy of as.config.policies.remove
                prem.base.txn = data.txn
                prem.durable_delete = True
                key = asc.as_key_init_int64(args.namespace, args.set, 3)
                try:
                    asc.aerospike_key_remove_async(as_, prem, key, remove_listener, data,
                                                   data.event_loop)
                except asc.AerospikeError as err:
                    LOG("aerospike_key_remove_async() returned %d - %s", err.code, err.message)
                    abort_txn(data)

            # -- get --
            def get_listener(err: Any, record: Any, udata: Any, event_loop: Any) -> None:
                if err is not None and err.code != asc.AEROSPIKE_ERR_RECORD_NOT_FOUND:
                    LOG("aerospike_key_get_async() returned %d - %s", err.code, err.message)
                    abort_txn(udata)
                    return
                run_remove(udata)

            def run_get(data: UserData) -> None:
                LOG("aerospike_key_get_async()")
                pr = asc.as_policy_read_default(as_)
                pr.base.txn = data.txn
                key = asc.as_key_init_int64(args.namespace, args.set, 3)
                try:
                    asc.aerospike_key_get_async(as_, pr, key, get_listener, data, data.event_loop)
                except asc.AerospikeError as err:
                    LOG("aerospike_key_get_async() returned %d - %s", err.code, err.message)
                    abort_txn(data)

            # -- put --
            def put_listener2(err: Any, udata: Any, event_loop: Any) -> None:
                if err is not None:
                    LOG("aerospike_key_put_async() returned %d - %s", err.code, err.message)
                    abort_txn(udata)
                    return
                run_get(udata)

            def run_put(data: UserData, index: int, value: int, listener: Any) -> None:
                LOG("aerospike_key_put_async()")
                pw = asc.as_policy_write_default(as_)
                pw.base.txn = data.txn
                key = asc.as_key_init_int64(args.namespace, args.set, index)
                rec = asc.as_record_init(1)
                asc.as_record_set_int64(rec, "a", value)
                try:
                    asc.aerospike_key_put_async(as_, pw, key, rec, listener, data, data.event_loop)
                except asc.AerospikeError as err:
                    LOG("aerospike_key_put_async() returned %d - %s", err.code, err.message)
                    abort_txn(data)

            def put_listener1(err: Any, udata: Any, event_loop: Any) -> None:
                if err is not None:
                    LOG("aerospike_key_put_async() returned %d - %s", err.code, err.message)
                    abort_txn(udata)
                    return
                run_put(udata, 2, 5678, put_listener2)  # another put with a different key

            def run_transaction(data: UserData) -> None:
                run_put(data, 1, 1234, put_listener1)

            txn = asc.as_txn_create()
            LOG("Initialize transaction: %d", txn.id)
            data = UserData(asc.as_event_loop_get(), txn)
            run_transaction(data)
            monitor.wait(60)  # wait till the commands have completed before shutting down

            asc.as_txn_destroy(txn)
            asc.aerospike_close(as_)
            asc.aerospike_destroy(as_)
    finally:
        asc.as_event_close_loops()
    if status["committed"]:
        LOG("async transaction example successfully completed")
    return 0 if status["committed"] else 1


if __name__ == "__main__":
    example_main(main)
