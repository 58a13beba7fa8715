"""Client transactions: a multi-record transaction as a context manager (over aerospike_txn).

    with client.transaction() as txn:               # as_txn_create()
        record = client.get(key_a, txn=txn)         # reads are verified at commit
        client.put(key_b, {"n": record.bins["n"] + 1}, txn=txn)
    txn.commit_status                               # AS_COMMIT_OK: aerospike_commit ran

Leaving the block normally commits (aerospike_commit); leaving it by an exception aborts
(aerospike_abort) and lets the exception through. A commit that fails raises its
AerospikeError (`commit_status` on it and on the Transaction says how far it got; a
failed verify leaves the transaction aborted, an in-doubt one state COMMIT_FAILED: call
`commit()` again). `txn=` is taken by every record and batch method of Client; the
transaction needs a strong-consistency namespace, one namespace for all its commands.
"""
from __future__ import annotations

from types import TracebackType
from typing import Any, Optional, Type

from . import bindings as c
from .bindings.as_policy import policy_copy, policy_from_config
from .bindings.as_txn import as_txn
from .exceptions import AerospikeError

__all__ = ["Transaction", "TransactionMethods", "txn_policy"]


class Transaction:
    """One multi-record transaction of a Client (an as_txn); see the module doc."""

    __slots__ = ("_client", "txn", "commit_status", "abort_status")

    def __init__(self, client: Any, timeout: Optional[int] = None) -> None:
        self._client = client
        #: The C-faithful as_txn (for the bindings: policy.base.txn = txn.txn).
        self.txn: as_txn = c.as_txn_create()
        if timeout is not None:
            c.as_txn_set_timeout(self.txn, timeout)
        self.commit_status: Optional[c.as_commit_status] = None
        self.abort_status: Optional[c.as_abort_status] = None

    @property
    def id(self) -> int:
        """The transaction id (as_txn.id)."""
        return int(self.txn.id)

    @property
    def state(self) -> c.as_txn_state:
        """OPEN, VERIFIED, COMMITTED, ABORTED or COMMIT_FAILED (as_txn.state)."""
        return c.as_txn_state(self.txn.state)

    @property
    def in_doubt(self) -> bool:
        """True when a commit failed in doubt (as_txn.in_doubt)."""
        return bool(self.txn.in_doubt)

    def commit(self) -> c.as_commit_status:
        """aerospike_commit(): the as_commit_status; raises what C reports."""
        self.commit_status = self._end(c.aerospike_commit, "commit_status")
        return self.commit_status

    def abort(self) -> c.as_abort_status:
        """aerospike_abort(): the as_abort_status; raises what C reports."""
        self.abort_status = self._end(c.aerospike_abort, "abort_status")
        return self.abort_status

    def _end(self, function: Any, attribute: str) -> Any:
        try:
            return function(self._client.aerospike, self.txn)
        except AerospikeError as error:  # the status C returned along with the error
            setattr(self, attribute, getattr(error, attribute, None))
            raise

    def __enter__(self) -> "Transaction":
        return self

    def __exit__(self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException],
                 tb: Optional[TracebackType]) -> None:
        if exc_type is None:
            self.commit()
        elif self.state in (c.AS_TXN_STATE_OPEN, c.AS_TXN_STATE_VERIFIED):
            self.abort()  # an error of the abort itself is chained to the block's exception

    def __repr__(self) -> str:
        return f"<Transaction id={self.id} state={self.state.name}>"


class TransactionMethods:
    """`Client.transaction()`."""

    __slots__ = ()

    def transaction(self, timeout: Optional[int] = None) -> Transaction:
        """A new transaction; `timeout` in seconds (as_txn_set_timeout; None: the server's
        mrt-duration)."""
        return Transaction(self, timeout)


def txn_policy(as_: Any, kind: str, policy: Any, txn: Any) -> Any:
    """A copy of `policy` (None: the client's default for `kind`) whose base.txn is `txn`
    (a Transaction or an as_txn)."""
    if isinstance(txn, Transaction):
        txn = txn.txn
    if not isinstance(txn, as_txn):
        raise TypeError(f"txn must be a Transaction or an as_txn, not {type(txn).__name__}")
    copy = policy_from_config(as_, kind) if policy is None else policy_copy(policy)
    copy.base.txn = txn
    return copy
