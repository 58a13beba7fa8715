"""Every result code the embedded server answers, and the error texts it sends.

Record commands carry only a code (the AS_MSG header's result_code); the security protocol
carries a code too; info commands answer text, `ERROR:<code>:<message>` (or a command's own
`error=...` form). The numbers are the server's (the C client's as_status.h names them).
"""

from __future__ import annotations

# AS_MSG and security result codes.
OK = 0
ERR_SERVER = 1
ERR_NOT_FOUND = 2
ERR_GENERATION = 3
ERR_PARAMETER = 4
ERR_RECORD_EXISTS = 5
ERR_UNAVAILABLE = 11
ERR_INCOMPATIBLE_TYPE = 12
ERR_RECORD_TOO_BIG = 13
ERR_UNSUPPORTED_FEATURE = 16
ERR_NAMESPACE_NOT_FOUND = 20
ERR_BIN_NAME = 21
ERR_FORBIDDEN = 22
ERR_ELEMENT_NOT_FOUND = 23
ERR_ELEMENT_EXISTS = 24
ERR_OP_NOT_APPLICABLE = 26
ERR_FILTERED_OUT = 27
ERR_SECURITY_NOT_ENABLED = 52
ERR_INVALID_COMMAND = 54
ERR_INVALID_FIELD = 55
ERR_INVALID_USER = 60
ERR_USER_ALREADY_EXISTS = 61
ERR_INVALID_PASSWORD = 62
ERR_INVALID_CREDENTIAL = 65
ERR_NOT_AUTHENTICATED = 80
ERR_UDF = 100
ERR_INDEX_FOUND = 200
ERR_INDEX_NOT_FOUND = 201


class CommandError(Exception):
    """A command (record, batch row, scan, CDT or expression step) that fails with a code."""

    def __init__(self, code: int, message: str = "") -> None:
        super().__init__(message or f"result code {code}")
        self.code = code


def info_error(code: int, message: str) -> str:
    """An info command's error answer."""
    return f"ERROR:{code}:{message}"


# Messages sent in replies.
UDF_UNSUPPORTED = "UDF execution is not supported by the embedded test server"

# Info answers: the protocol's.
INFO_UNRECOGNIZED = "ERROR::unrecognized command"
INFO_NOT_AUTHENTICATED = info_error(ERR_NOT_AUTHENTICATED, "not authenticated")
INFO_NAMESPACE_NOT_FOUND = info_error(ERR_NAMESPACE_NOT_FOUND, "namespace not found")
# cluster-stable
INFO_UNKNOWN_NAMESPACE = "ERROR::unknown-namespace"
INFO_BAD_SIZE = "ERROR::bad-size"
INFO_CLUSTER_NOT_SPECIFIED_SIZE = "ERROR::cluster-not-specified-size"
# sindex-*
INFO_INVALID_INDEX_NAME = info_error(ERR_PARAMETER, "invalid index name")
INFO_EXPRESSION_INDEX_UNSUPPORTED = info_error(
    ERR_UNSUPPORTED_FEATURE, "expression indexes are not supported by the embedded server")
INFO_INVALID_INDEX_DEFINITION = info_error(ERR_PARAMETER, "invalid index definition")
INFO_BIN_NAME_TOO_LONG = info_error(ERR_BIN_NAME, "bin name too long")
INFO_INVALID_INDEX_TYPE = info_error(ERR_PARAMETER, "invalid index type")
INFO_INDEX_NAME_EXISTS = info_error(ERR_INDEX_FOUND, "index with the same name already exists")
INFO_INDEX_DEFINITION_EXISTS = info_error(
    ERR_INDEX_FOUND, "an index with the same definition already exists")
INFO_NO_INDEX = info_error(ERR_INDEX_NOT_FOUND, "no index")
# truncate, truncate-namespace
INFO_MISSING_SET = info_error(ERR_PARAMETER, "missing set")
INFO_INVALID_LUT = info_error(ERR_PARAMETER, "invalid lut")
INFO_LUT_IN_FUTURE = info_error(ERR_PARAMETER, "lut is in the future")
# udf-*
INFO_UDF_INVALID_FILENAME = "error=invalid_filename"
INFO_UDF_INVALID_CONTENT = "error=invalid_base64_content"
INFO_UDF_NOT_FOUND = "error=not_found"
INFO_UDF_FILE_NOT_FOUND = "error=file_not_found"
# query-show, scan-show, jobs
INFO_INVALID_JOB_ID = info_error(ERR_PARAMETER, "invalid job id")
INFO_JOB_NOT_FOUND = info_error(ERR_NOT_FOUND, "job not found")
