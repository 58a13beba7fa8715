"""Exceptions: `as_error` as Python exceptions, one class per group of `as_status` codes.

`AerospikeError` carries the C `as_error` unchanged: `code` (an `as_status` member),
`subcode`, `message`, `func`, `file`, `line`, `in_doubt`. `STATUS_CLASSES` maps every
`as_status` value to the most specific class; `error_class(code)` looks it up. Classes
that resemble a builtin also inherit it (a timeout is a `TimeoutError`, a bad
parameter a `ValueError`), under names that do not shadow the builtins.
"""
from __future__ import annotations

from typing import Dict, Optional, Type

from .bindings.as_status import as_status

S = as_status


class AerospikeError(Exception):
    """An `as_error`: the C client's status `code` with its message and where it was set."""

    def __init__(self, code: int, message: str = "", *, subcode: int = 0,
                 func: Optional[str] = None, file: Optional[str] = None, line: int = 0,
                 in_doubt: bool = False) -> None:
        super().__init__(code, message)
        try:
            self.code: int = as_status(code)
        except ValueError:
            self.code = code
        self.subcode = subcode
        self.message = message
        self.func = func
        self.file = file
        self.line = line
        self.in_doubt = in_doubt

    def __str__(self) -> str:
        where = f" at [{self.file}:{self.line}]" if self.file else ""
        return f"err({int(self.code)}) {self.message}{where}"

    def __repr__(self) -> str:
        name = self.code.name if isinstance(self.code, as_status) else self.code
        return f"{type(self).__name__}({name}, {self.message!r}, in_doubt={self.in_doubt})"

    def __reduce__(self):  # type: ignore[no-untyped-def]
        # Pickle (multiprocessing, logging handlers) keeps every attribute.
        return (_rebuild, (type(self), self.__dict__.copy()))


def _rebuild(cls: Type[AerospikeError], state: Dict[str, object]) -> AerospikeError:
    err = cls.__new__(cls)
    Exception.__init__(err, state.get("code"), state.get("message"))
    err.__dict__.update(state)
    return err


# --- client side (negative codes) ---------------------------------------------------------
class ClientError(AerospikeError):
    """An error raised by the client itself (negative `as_status`)."""


class ParamError(ClientError, ValueError):
    """AEROSPIKE_ERR_PARAM: an invalid argument."""


class InvalidHostError(ClientError, ValueError):
    """AEROSPIKE_ERR_INVALID_HOST: a host could not be used."""


class InvalidNodeError(ClientError):
    """AEROSPIKE_ERR_INVALID_NODE: no node could serve the command."""


class LifecycleError(ClientError, RuntimeError):
    """A call the C client would crash on: a destroyed, consumed or busy object.

    Raised by the binding itself (code AEROSPIKE_ERR_CLIENT, no C file/line)."""


class AerospikeConnectionError(ClientError, ConnectionError):
    """AEROSPIKE_ERR_CONNECTION and friends: a socket could not be used."""


class TLSError(AerospikeConnectionError):
    """AEROSPIKE_ERR_TLS_ERROR."""


class NoMoreConnectionsError(AerospikeConnectionError):
    """AEROSPIKE_ERR_NO_MORE_CONNECTIONS: the node's pool is at max_conns_per_node."""


class MaxRetriesExceededError(ClientError):
    """AEROSPIKE_ERR_MAX_RETRIES_EXCEEDED."""


class MaxErrorRateError(ClientError):
    """AEROSPIKE_MAX_ERROR_RATE: the node's error rate is over max_error_rate."""


class ClientAbortError(ClientError):
    """AEROSPIKE_ERR_CLIENT_ABORT: a callback stopped the command."""


class BatchFailedError(ClientError):
    """AEROSPIKE_BATCH_FAILED: one or more batch records failed."""


# --- server side --------------------------------------------------------------------------
class ServerError(AerospikeError):
    """An error the server returned (positive `as_status`)."""


class AerospikeTimeoutError(AerospikeError, TimeoutError):
    """AEROSPIKE_ERR_TIMEOUT (client or server side), query/scan timeouts."""


class RequestInvalidError(ServerError, ValueError):
    """AEROSPIKE_ERR_REQUEST_INVALID: the server rejected the request's parameters."""


class RecordError(ServerError):
    """A record-level result code."""


class RecordNotFoundError(RecordError, KeyError):
    """AEROSPIKE_ERR_RECORD_NOT_FOUND."""

    __str__ = AerospikeError.__str__  # KeyError would quote the message


class RecordGenerationError(RecordError):
    """AEROSPIKE_ERR_RECORD_GENERATION: the generation check failed."""


class RecordExistsError(RecordError):
    """AEROSPIKE_ERR_RECORD_EXISTS: a create-only write found the record."""


class RecordBusyError(RecordError):
    """AEROSPIKE_ERR_RECORD_BUSY: too many concurrent writes to one record."""


class RecordTooBigError(RecordError, ValueError):
    """AEROSPIKE_ERR_RECORD_TOO_BIG."""


class BinError(RecordError):
    """A bin-level result code."""


class BinIncompatibleTypeError(BinError, TypeError):
    """AEROSPIKE_ERR_BIN_INCOMPATIBLE_TYPE: the operation does not fit the bin's type."""


class BinNameError(BinError, ValueError):
    """AEROSPIKE_ERR_BIN_NAME: a bin name is too long or invalid."""


class NamespaceNotFoundError(ServerError):
    """AEROSPIKE_ERR_NAMESPACE_NOT_FOUND."""


class ClusterError(ServerError):
    """Cluster state: AEROSPIKE_ERR_CLUSTER, _CLUSTER_CHANGE, partition unavailable."""


class ServerCapacityError(ServerError):
    """The server is full or overloaded (SERVER_FULL, DEVICE_OVERLOAD, queues full)."""


class UnsupportedFeatureError(ServerError):
    """AEROSPIKE_ERR_UNSUPPORTED_FEATURE, AEROSPIKE_ERR_ENTERPRISE_ONLY."""


class ForbiddenError(ServerError):
    """The operation is not allowed (ALWAYS_FORBIDDEN, FAIL_FORBIDDEN)."""


class SecurityError(ServerError):
    """Authentication, users, roles and quotas (codes 51–83)."""


class AuthenticationError(SecurityError, PermissionError):
    """Bad or expired credentials, unknown user, not authenticated."""


class AuthorizationError(SecurityError, PermissionError):
    """The user lacks the role or the address is not allowed."""


class IndexError_(ServerError):  # noqa: N801 - kept private; exported as AerospikeIndexError
    """Secondary index errors (codes 200–206)."""


AerospikeIndexError = IndexError_
AerospikeIndexError.__name__ = AerospikeIndexError.__qualname__ = "AerospikeIndexError"
del IndexError_


class IndexFoundError(AerospikeIndexError):
    """AEROSPIKE_ERR_INDEX_FOUND: the index already exists."""


class IndexNotFoundError(AerospikeIndexError):
    """AEROSPIKE_ERR_INDEX_NOT_FOUND."""


class QueryError(ServerError):
    """Scan and query errors (aborted, queue full, query errors)."""


class UDFError(ServerError):
    """AEROSPIKE_ERR_UDF and UDF/Lua file errors."""


class BatchError(ServerError):
    """The server's batch errors (disabled, too many requests, queues full)."""


class TransactionError(AerospikeError):
    """Multi-record transaction errors, client side (TXN_*) and server side (MRT_*)."""


class GeoError(ServerError, ValueError):
    """AEROSPIKE_ERR_GEO_INVALID_GEOJSON."""


# Every as_status value -> its class. Codes not named map to their group by sign.
STATUS_CLASSES: Dict[int, Type[AerospikeError]] = {
    S.AEROSPIKE_METRICS_CONFLICT: ClientError,
    S.AEROSPIKE_TXN_ALREADY_ABORTED: TransactionError,
    S.AEROSPIKE_TXN_ALREADY_COMMITTED: TransactionError,
    S.AEROSPIKE_TXN_FAILED: TransactionError,
    S.AEROSPIKE_BATCH_FAILED: BatchFailedError,
    S.AEROSPIKE_NO_RESPONSE: ClientError,
    S.AEROSPIKE_MAX_ERROR_RATE: MaxErrorRateError,
    S.AEROSPIKE_USE_NORMAL_RETRY: ClientError,
    S.AEROSPIKE_ERR_MAX_RETRIES_EXCEEDED: MaxRetriesExceededError,
    S.AEROSPIKE_ERR_ASYNC_QUEUE_FULL: ClientError,
    S.AEROSPIKE_ERR_CONNECTION: AerospikeConnectionError,
    S.AEROSPIKE_ERR_TLS_ERROR: TLSError,
    S.AEROSPIKE_ERR_INVALID_NODE: InvalidNodeError,
    S.AEROSPIKE_ERR_NO_MORE_CONNECTIONS: NoMoreConnectionsError,
    S.AEROSPIKE_ERR_ASYNC_CONNECTION: AerospikeConnectionError,
    S.AEROSPIKE_ERR_CLIENT_ABORT: ClientAbortError,
    S.AEROSPIKE_ERR_INVALID_HOST: InvalidHostError,
    S.AEROSPIKE_NO_MORE_RECORDS: ClientError,
    S.AEROSPIKE_ERR_PARAM: ParamError,
    S.AEROSPIKE_ERR_CLIENT: ClientError,
    S.AEROSPIKE_ERR_SERVER: ServerError,
    S.AEROSPIKE_ERR_RECORD_NOT_FOUND: RecordNotFoundError,
    S.AEROSPIKE_ERR_RECORD_GENERATION: RecordGenerationError,
    S.AEROSPIKE_ERR_REQUEST_INVALID: RequestInvalidError,
    S.AEROSPIKE_ERR_RECORD_EXISTS: RecordExistsError,
    S.AEROSPIKE_ERR_BIN_EXISTS: BinError,
    S.AEROSPIKE_ERR_CLUSTER_CHANGE: ClusterError,
    S.AEROSPIKE_ERR_SERVER_FULL: ServerCapacityError,
    S.AEROSPIKE_ERR_TIMEOUT: AerospikeTimeoutError,
    S.AEROSPIKE_ERR_ALWAYS_FORBIDDEN: ForbiddenError,
    S.AEROSPIKE_ERR_CLUSTER: ClusterError,
    S.AEROSPIKE_ERR_BIN_INCOMPATIBLE_TYPE: BinIncompatibleTypeError,
    S.AEROSPIKE_ERR_RECORD_TOO_BIG: RecordTooBigError,
    S.AEROSPIKE_ERR_RECORD_BUSY: RecordBusyError,
    S.AEROSPIKE_ERR_SCAN_ABORTED: QueryError,
    S.AEROSPIKE_ERR_UNSUPPORTED_FEATURE: UnsupportedFeatureError,
    S.AEROSPIKE_ERR_BIN_NOT_FOUND: BinError,
    S.AEROSPIKE_ERR_DEVICE_OVERLOAD: ServerCapacityError,
    S.AEROSPIKE_ERR_RECORD_KEY_MISMATCH: RecordError,
    S.AEROSPIKE_ERR_NAMESPACE_NOT_FOUND: NamespaceNotFoundError,
    S.AEROSPIKE_ERR_BIN_NAME: BinNameError,
    S.AEROSPIKE_ERR_FAIL_FORBIDDEN: ForbiddenError,
    S.AEROSPIKE_ERR_FAIL_ELEMENT_NOT_FOUND: BinError,
    S.AEROSPIKE_ERR_FAIL_ELEMENT_EXISTS: BinError,
    S.AEROSPIKE_ERR_ENTERPRISE_ONLY: UnsupportedFeatureError,
    S.AEROSPIKE_ERR_OP_NOT_APPLICABLE: BinError,
    S.AEROSPIKE_FILTERED_OUT: RecordError,
    S.AEROSPIKE_LOST_CONFLICT: RecordError,
    S.AEROSPIKE_INVALID_ENCODING: RequestInvalidError,
    S.AEROSPIKE_XDR_KEY_BUSY: RecordBusyError,
    S.AEROSPIKE_QUERY_END: QueryError,
    S.AEROSPIKE_SECURITY_NOT_SUPPORTED: SecurityError,
    S.AEROSPIKE_SECURITY_NOT_ENABLED: SecurityError,
    S.AEROSPIKE_SECURITY_SCHEME_NOT_SUPPORTED: SecurityError,
    S.AEROSPIKE_INVALID_COMMAND: SecurityError,
    S.AEROSPIKE_INVALID_FIELD: SecurityError,
    S.AEROSPIKE_ILLEGAL_STATE: SecurityError,
    S.AEROSPIKE_INVALID_USER: AuthenticationError,
    S.AEROSPIKE_USER_ALREADY_EXISTS: SecurityError,
    S.AEROSPIKE_INVALID_PASSWORD: AuthenticationError,
    S.AEROSPIKE_EXPIRED_PASSWORD: AuthenticationError,
    S.AEROSPIKE_FORBIDDEN_PASSWORD: SecurityError,
    S.AEROSPIKE_INVALID_CREDENTIAL: AuthenticationError,
    S.AEROSPIKE_EXPIRED_SESSION: AuthenticationError,
    S.AEROSPIKE_INVALID_ROLE: SecurityError,
    S.AEROSPIKE_ROLE_ALREADY_EXISTS: SecurityError,
    S.AEROSPIKE_INVALID_PRIVILEGE: SecurityError,
    S.AEROSPIKE_INVALID_WHITELIST: SecurityError,
    S.AEROSPIKE_QUOTAS_NOT_ENABLED: SecurityError,
    S.AEROSPIKE_INVALID_QUOTA: SecurityError,
    S.AEROSPIKE_NOT_AUTHENTICATED: AuthenticationError,
    S.AEROSPIKE_ROLE_VIOLATION: AuthorizationError,
    S.AEROSPIKE_NOT_WHITELISTED: AuthorizationError,
    S.AEROSPIKE_QUOTA_EXCEEDED: AuthorizationError,
    S.AEROSPIKE_ERR_UDF: UDFError,
    S.AEROSPIKE_MRT_BLOCKED: TransactionError,
    S.AEROSPIKE_MRT_VERSION_MISMATCH: TransactionError,
    S.AEROSPIKE_MRT_EXPIRED: TransactionError,
    S.AEROSPIKE_MRT_TOO_MANY_WRITES: TransactionError,
    S.AEROSPIKE_MRT_COMMITTED: TransactionError,
    S.AEROSPIKE_MRT_ABORTED: TransactionError,
    S.AEROSPIKE_MRT_ALREADY_LOCKED: TransactionError,
    S.AEROSPIKE_MRT_MONITOR_EXISTS: TransactionError,
    S.AEROSPIKE_ERR_BATCH_DISABLED: BatchError,
    S.AEROSPIKE_ERR_BATCH_MAX_REQUESTS_EXCEEDED: BatchError,
    S.AEROSPIKE_ERR_BATCH_QUEUES_FULL: ServerCapacityError,
    S.AEROSPIKE_ERR_GEO_INVALID_GEOJSON: GeoError,
    S.AEROSPIKE_ERR_INDEX_FOUND: IndexFoundError,
    S.AEROSPIKE_ERR_INDEX_NOT_FOUND: IndexNotFoundError,
    S.AEROSPIKE_ERR_INDEX_OOM: AerospikeIndexError,
    S.AEROSPIKE_ERR_INDEX_NOT_READABLE: AerospikeIndexError,
    S.AEROSPIKE_ERR_INDEX: AerospikeIndexError,
    S.AEROSPIKE_ERR_INDEX_NAME_MAXLEN: AerospikeIndexError,
    S.AEROSPIKE_ERR_INDEX_MAXCOUNT: AerospikeIndexError,
    S.AEROSPIKE_ERR_QUERY_ABORTED: QueryError,
    S.AEROSPIKE_ERR_QUERY_QUEUE_FULL: QueryError,
    S.AEROSPIKE_ERR_QUERY_TIMEOUT: AerospikeTimeoutError,
    S.AEROSPIKE_ERR_QUERY: QueryError,
    S.AEROSPIKE_ERR_UDF_NOT_FOUND: UDFError,
    S.AEROSPIKE_ERR_LUA_FILE_NOT_FOUND: UDFError,
}


def error_class(code: int) -> Type[AerospikeError]:
    """The exception class for an `as_status` value (unknown codes: by sign)."""
    cls = STATUS_CLASSES.get(code)
    if cls is not None:
        return cls
    return ClientError if code < 0 else ServerError


__all__ = ["STATUS_CLASSES", "error_class"] + [
    name for name, obj in list(globals().items())
    if isinstance(obj, type) and issubclass(obj, AerospikeError)
]
