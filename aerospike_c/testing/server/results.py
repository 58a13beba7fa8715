"""Every result code the embedded server answers, and the error texts it sends.

Record commands carry only a code (the AS_MSG header's result_code); the security protocol
carries a code too; info commands answer text, `ERROR:<code>:<message>` (or a command's own
`error=...` form). The numbers are the server's (the C client's as_status.h names them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, Optional

if TYPE_CHECKING:
    from .error_detail import Detail

# AS_MSG and security result codes.
OK = 0
ERR_SERVER = 1
ERR_NOT_FOUND = 2
ERR_GENERATION = 3
ERR_PARAMETER = 4
ERR_RECORD_EXISTS = 5
ERR_BIN_EXISTS = 6
ERR_UNAVAILABLE = 11
ERR_INCOMPATIBLE_TYPE = 12
ERR_RECORD_TOO_BIG = 13
ERR_UNSUPPORTED_FEATURE = 16
ERR_BIN_NOT_FOUND = 17
ERR_NAMESPACE_NOT_FOUND = 20
ERR_BIN_NAME = 21
ERR_FORBIDDEN = 22
ERR_ELEMENT_NOT_FOUND = 23
ERR_ELEMENT_EXISTS = 24
ERR_ENTERPRISE_ONLY = 25
ERR_OP_NOT_APPLICABLE = 26
ERR_FILTERED_OUT = 27
ERR_INVALID_ENCODING = 29  # AEROSPIKE_INVALID_ENCODING: a string bin that is not UTF-8
QUERY_END = 50  # the admin protocol's end of a user/role listing
ERR_SECURITY_NOT_ENABLED = 52
ERR_INVALID_COMMAND = 54
ERR_INVALID_FIELD = 55
ERR_INVALID_USER = 60
ERR_USER_ALREADY_EXISTS = 61
ERR_INVALID_PASSWORD = 62
ERR_FORBIDDEN_PASSWORD = 64
ERR_INVALID_CREDENTIAL = 65
ERR_INVALID_ROLE = 70
ERR_ROLE_ALREADY_EXISTS = 71
ERR_INVALID_PRIVILEGE = 72
ERR_INVALID_WHITELIST = 73
ERR_QUOTAS_NOT_ENABLED = 74
ERR_INVALID_QUOTA = 75
ERR_NOT_AUTHENTICATED = 80
ERR_ROLE_VIOLATION = 81
ERR_NOT_WHITELISTED = 82
ERR_QUOTA_EXCEEDED = 83
ERR_UDF = 100
MRT_BLOCKED = 120
MRT_VERSION_MISMATCH = 121
MRT_EXPIRED = 122
MRT_TOO_MANY_WRITES = 123
MRT_COMMITTED = 124
MRT_ABORTED = 125
MRT_ALREADY_LOCKED = 126
MRT_MONITOR_EXISTS = 127
ERR_GEO_INVALID_GEOJSON = 160
ERR_INDEX_FOUND = 200
ERR_INDEX_NOT_FOUND = 201
ERR_INDEX_MAX_COUNT = 202


class CommandError(Exception):
    """A command (record, batch row, scan, CDT or expression step) that fails with a code;
    `detail` is what a server 8.2 error-details field says of it (error_detail.py); without
    one, the field says `message` (the text authored where it failed), if any."""

    def __init__(self, code: int, message: str = "", detail: Optional["Detail"] = None) -> None:
        super().__init__(message or f"result code {code}")
        self.code = code
        self.message = message
        self.detail = detail


def info_error(code: int, message: str) -> str:
    """An info command's error answer (`ERROR::message` for a server error without a code)."""
    return f"ERROR:{code or ''}:{message}"


class InfoError(Exception):
    """An info command that answers an error text (the info router returns `answer`)."""

    def __init__(self, answer: str) -> None:
        super().__init__(answer)
        self.answer = answer


def info_param(params: Dict[str, str], name: str, size: int, required: bool = True
               ) -> Optional[str]:
    """An info parameter checked as a server checks it (as_info_required_param_is_ok): missing,
    empty, or not shorter than the server's buffer of `size` bytes is an InfoError (code 20
    for `namespace`, else 4); an absent optional parameter is None."""
    code = ERR_NAMESPACE_NOT_FOUND if name == "namespace" else ERR_PARAMETER
    value = params.get(name)
    if value is None:
        if required:
            raise InfoError(info_error(code, f"missing '{name}'"))
        return None
    if not value:
        raise InfoError(info_error(code, f"missing '{name}' value"))
    if len(value.encode()) >= size:
        raise InfoError(info_error(code, f"'{name}' value too long"))
    return value


# Info answers: the protocol's.
INFO_UNRECOGNIZED = info_error(ERR_PARAMETER, "unrecognized command")
INFO_NOT_AUTHENTICATED = info_error(ERR_NOT_AUTHENTICATED, "not authenticated")
INFO_ROLE_VIOLATION = info_error(ERR_ROLE_VIOLATION, "role violation")
INFO_ENTERPRISE_ONLY = info_error(ERR_ENTERPRISE_ONLY, "enterprise only")
INFO_NAMESPACE_NOT_FOUND = info_error(ERR_NAMESPACE_NOT_FOUND, "namespace not found")
# get-config, set-config
INFO_INVALID_CONFIG_CONTEXT = info_error(ERR_PARAMETER, "invalid context")
INFO_INVALID_CONFIG_PARAMETER = info_error(ERR_PARAMETER, "invalid get-config parameter")
INFO_INVALID_CONFIG_NAMESPACE = info_error(ERR_PARAMETER, "missing namespace")
INFO_SET_CONFIG_REFUSED = info_error(ERR_PARAMETER, "invalid or unsupported set-config parameter")
# cluster-stable
INFO_UNKNOWN_NAMESPACE = "ERROR::unknown-namespace"
INFO_BAD_SIZE = "ERROR::bad-size"
INFO_CLUSTER_NOT_SPECIFIED_SIZE = "ERROR::cluster-not-specified-size"
# sindex-*
INFO_BAD_INDEX_TYPE = info_error(
    ERR_PARAMETER, "bad 'indextype' - must be one of 'default', 'list', 'mapkeys', 'mapvalues'")
INFO_BAD_KEY_TYPE = info_error(
    ERR_PARAMETER, "bad 'type' - must be one of 'numeric', 'string', 'blob', 'geo2dsphere'")
INFO_BAD_MAPKEYS_TYPE = info_error(
    ERR_PARAMETER, "bad 'indexdata' bin type for 'indextype' 'mapkeys' - must be one of "
    "'numeric', 'string', 'blob'")
INFO_INDEX_NAME_EXISTS = info_error(
    ERR_INDEX_FOUND, "'indexname' already exists with different definition")
INFO_INDEX_LIMIT = info_error(ERR_INDEX_MAX_COUNT, "already at sindex definition limit")
INFO_NAMESPACE_NOT_ON_NODE = info_error(ERR_NAMESPACE_NOT_FOUND, "namespace not found on node")
INFO_NO_INDEX = info_error(ERR_INDEX_NOT_FOUND, "no index")
# truncate, truncate-namespace
INFO_UNEXPECTED_SET = info_error(ERR_PARAMETER, "unexpected set name")
INFO_TRUNCATE_TO_ZERO = info_error(0, "would-truncate-to-0")
INFO_LUT_IN_FUTURE = info_error(0, "would-truncate-in-the-future")
# udf-*
INFO_UDF_INVALID_FILENAME = "error=invalid_filename"
INFO_UDF_INVALID_CONTENT_LEN = "error=invalid_content_len"
INFO_UDF_INVALID_TYPE = "error=invalid_udf_type"
INFO_UDF_INVALID_CONTENT = "error=invalid_content"
INFO_UDF_CONTENT_TOO_LONG = "error=invalid_udf_content_len,>1M"
INFO_UDF_INVALID_BASE64 = "error=invalid_base64_content"
INFO_UDF_NOT_FOUND = "error=not_found"
# query-show, scan-show, jobs
INFO_INVALID_JOB_ID = info_error(ERR_PARAMETER, "invalid job id")
INFO_JOB_NOT_FOUND = info_error(ERR_NOT_FOUND, "job not found")
