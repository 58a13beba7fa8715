"""Port of the C client's transaction example: a write, a batch write, a read and a durable
delete in one multi-record transaction, then commit (or abort when a command failed).

The namespace must be strong-consistency: without --hosts the embedded cluster is started
that way; with --hosts, name such a namespace with --namespace.
"""
from __future__ import annotations

from typing import Any, List, Optional

import aerospike_c as asc
from _common import LOG, example_hosts, example_main, parse_args


def run_commands(as_: Any, txn: Any, namespace: str, set_name: str) -> None:
    """The commands of the transaction; raises the AerospikeError of the one that failed."""
    LOG("Write record")
    pw = asc.as_policy_write_default(as_)
    pw.base.txn = txn
    key = asc.as_key_init_int64(namespace, set_name, 1)
    rec = asc.as_record_init(1)
    asc.as_record_set_int64(rec, "a", 1234)
    asc.aerospike_key_put(as_, pw, key, rec)

    LOG("Write more records in a batch")
    pb = asc.as_policy_batch_parent_write_default(as_)
    pb.base.txn = txn
    ops = asc.as_operations_init(1)
    asc.as_operations_add_write_int64(ops, "c", 9999)
    batch = asc.as_batch_init(2)
    for i in range(2):
        batch[i] = (namespace, set_name, i)
    asc.aerospike_batch_operate(as_, pb, None, batch, ops, batch_write_cb)
    asc.as_batch_destroy(batch)

    LOG("Read record")
    pr = asc.as_policy_read_default(as_)
    pr.base.txn = txn
    key = asc.as_key_init_int64(namespace, set_name, 3)
    try:
        asc.aerospike_key_get(as_, pr, key)
    except asc.RecordNotFoundError:
        pass

    LOG("Delete record")
    prem = asc.as_policy_remove_default(as_)
    prem.base.txn = txn
    prem.durable_delete = True  # required when deleting records in a transaction
    try:
        asc.aerospike_key_remove(as_, prem, key)
    except asc.RecordNotFoundError:
        pass


def batch_write_cb(results: List[Any], n_keys: int, udata: Any) -> bool:
    for i, result in enumerate(results):
        if result.result != asc.AEROSPIKE_OK:
            LOG("batch row[%u] returned %d", i, result.result)
    return True


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args("transaction example", argv)
    with example_hosts(args, strong_consistency=True) as hosts:
        config = asc.as_config_init()
        asc.as_config_add_hosts(config, hosts, 3000)
        as_ = asc.aerospike_init(config)
        asc.aerospike_connect(as_)

        txn = asc.as_txn_init()
        LOG("Initialize transaction: %u", txn.id)
        ok = True
        try:
            # The commands must use one namespace, configured as strong-consistency.
            run_commands(as_, txn, args.namespace, args.set)
        except asc.AerospikeError as err:
            LOG("command returned %d - %s", err.code, err.message)
            ok = False
        if ok:
            LOG("Commit transaction: %u", txn.id)
            try:
                asc.aerospike_commit(as_, txn)
            except asc.AerospikeError as err:
                LOG("aerospike_commit() returned %d - %s", err.code, err.message)
                # Do not call aerospike_abort() if the commit fails.
                if err.commit_status == asc.AS_COMMIT_MARK_ROLL_FORWARD_ABANDONED:
                    # The read-verify step succeeded, but the monitor could not be marked
                    # for roll forward: the transaction could be committed again.
                    LOG("Transaction can be re-committed")
                else:
                    LOG("Transaction aborted")  # the read-verify step failed
                ok = False
        else:
            LOG("Abort transaction: %u", txn.id)
            try:
                asc.aerospike_abort(as_, txn)
            except asc.AerospikeError as err:
                LOG("aerospike_abort() returned %d - %s", err.code, err.message)

        # Cleanup: the policies pointing at the transaction are gone with run_commands().
        asc.as_txn_destroy(txn)
        asc.aerospike_close(as_)
        asc.aerospike_destroy(as_)
    if ok:
        LOG("transaction example successfully completed")
    return 0 if ok else 1


if __name__ == "__main__":
    example_main(main)
