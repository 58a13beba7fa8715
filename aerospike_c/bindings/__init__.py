"""The C-faithful layer: C names, C argument order, C semantics.

Out-params become return values, `as_error*` becomes a raised AerospikeError, NULL is
None. One module per C header; this package re-exports them all, and `aerospike_c`
re-exports this package, so a port of C code reads like the C.
"""
from __future__ import annotations

from .aerospike import *  # noqa: F401,F403
from .aerospike import __all__ as _aerospike_all
from .aerospike_stats import *  # noqa: F401,F403
from .aerospike_stats import __all__ as _stats_all
from .as_config import *  # noqa: F401,F403
from .as_config import __all__ as _config_all
from .as_cluster_event import *  # noqa: F401,F403
from .as_cluster_event import __all__ as _cluster_event_all
from .as_error import as_error_string
from .as_error import (as_error, as_error_append, as_error_copy, as_error_init,  # noqa: F401
                       as_error_reset, as_error_set_in_doubt, as_error_set_message,
                       as_error_update)
from .as_event import *  # noqa: F401,F403
from .as_event import __all__ as _event_all
from .as_async_proto import *  # noqa: F401,F403
from .as_async_proto import __all__ as _async_proto_all
from .as_log import *  # noqa: F401,F403
from .as_log import __all__ as _log_all
from .as_metrics import *  # noqa: F401,F403
from .as_metrics import __all__ as _metrics_all
from .as_status import as_status
from .constants import *  # noqa: F401,F403
from .constants import __all__ as _constants_all
from .enums import *  # noqa: F401,F403
from .enums import __all__ as _enums_all

__all__ = (
    ["as_status", "as_error_string", "as_error", "as_error_init", "as_error_reset", "as_error_copy",
     "as_error_append", "as_error_update", "as_error_set_message", "as_error_set_in_doubt"]
    + [n for n in _config_all if n not in ("config_ptr", "c_str")]
    + _aerospike_all + _stats_all + _constants_all + _log_all + _cluster_event_all + _metrics_all
    + _event_all + _async_proto_all
    + [n for n in _enums_all if n != "as_status"]
)

# Multi-record calls: info, secondary indexes, UDF modules, background jobs, truncate,
# scans, queries and batches.
from .as_info import *  # noqa: E402,F401,F403
from .as_info import __all__ as _as_info_all  # noqa: E402
from .aerospike_info import *  # noqa: E402,F401,F403
from .aerospike_info import __all__ as _aerospike_info_all  # noqa: E402
from .aerospike_index import *  # noqa: E402,F401,F403
from .aerospike_index import __all__ as _aerospike_index_all  # noqa: E402
from .aerospike_udf import *  # noqa: E402,F401,F403
from .aerospike_udf import __all__ as _aerospike_udf_all  # noqa: E402
from .as_job import *  # noqa: E402,F401,F403
from .as_job import __all__ as _as_job_all  # noqa: E402
from .aerospike_truncate import *  # noqa: E402,F401,F403
from .aerospike_truncate import __all__ as _aerospike_truncate_all  # noqa: E402
from .as_partition_filter import *  # noqa: E402,F401,F403
from .as_partition_filter import __all__ as _as_partition_filter_all  # noqa: E402
from .as_partition import *  # noqa: E402,F401,F403
from .as_partition import __all__ as _as_partition_all  # noqa: E402
from .as_scan import *  # noqa: E402,F401,F403
from .as_scan import __all__ as _as_scan_all  # noqa: E402
from .aerospike_scan import *  # noqa: E402,F401,F403
from .aerospike_scan import __all__ as _aerospike_scan_all  # noqa: E402
from .as_query import *  # noqa: E402,F401,F403
from .as_query import __all__ as _as_query_all  # noqa: E402
from .aerospike_query import *  # noqa: E402,F401,F403
from .aerospike_query import __all__ as _aerospike_query_all  # noqa: E402
from .as_batch import *  # noqa: E402,F401,F403
from .as_batch import __all__ as _as_batch_all  # noqa: E402
from .aerospike_batch import *  # noqa: E402,F401,F403
from .aerospike_batch import __all__ as _aerospike_batch_all  # noqa: E402

__all__ += (
    _as_info_all + _aerospike_info_all + _aerospike_index_all + _aerospike_udf_all + _as_job_all
    + _aerospike_truncate_all + _as_partition_filter_all + _as_partition_all + _as_scan_all
    + _aerospike_scan_all + _as_query_all + _aerospike_query_all + _as_batch_all
    + _aerospike_batch_all
)

# Single-record calls: values, keys, records, policies, operations (list/map CDT, bit, HLL),
# commands, expressions.
from .as_val import *  # noqa: E402,F401,F403
from .as_val import __all__ as _as_val_all  # noqa: E402
from .as_key import *  # noqa: E402,F401,F403
from .as_key import __all__ as _as_key_all  # noqa: E402
from .as_record import *  # noqa: E402,F401,F403
from .as_record import __all__ as _as_record_all  # noqa: E402
from .as_policy import *  # noqa: E402,F401,F403
from .as_policy import __all__ as _as_policy_all  # noqa: E402
from .as_operations import *  # noqa: E402,F401,F403
from .as_operations import __all__ as _as_operations_all  # noqa: E402
from .as_cdt_ctx import *  # noqa: E402,F401,F403
from .as_cdt_ctx import __all__ as _as_cdt_ctx_all  # noqa: E402
from .as_list_operations import *  # noqa: E402,F401,F403
from .as_list_operations import __all__ as _as_list_operations_all  # noqa: E402
from .as_map_operations import *  # noqa: E402,F401,F403
from .as_map_operations import __all__ as _as_map_operations_all  # noqa: E402
from .as_bit_operations import *  # noqa: E402,F401,F403
from .as_bit_operations import __all__ as _as_bit_operations_all  # noqa: E402
from .as_hll_operations import *  # noqa: E402,F401,F403
from .as_hll_operations import __all__ as _as_hll_operations_all  # noqa: E402
from .as_string_operations import *  # noqa: E402,F401,F403
from .as_string_operations import __all__ as _as_string_operations_all  # noqa: E402
from .aerospike_key import *  # noqa: E402,F401,F403
from .aerospike_key import __all__ as _aerospike_key_all  # noqa: E402
from .as_exp import *  # noqa: E402,F401,F403
from .as_exp import __all__ as _as_exp_all  # noqa: E402
from .as_exp_operations import *  # noqa: E402,F401,F403
from .as_exp_operations import __all__ as _as_exp_operations_all  # noqa: E402

__all__ += (
    _as_val_all + _as_key_all + _as_record_all + _as_policy_all + _as_operations_all
    + _as_cdt_ctx_all + _as_list_operations_all + _as_map_operations_all
    + _as_bit_operations_all + _as_hll_operations_all + _as_string_operations_all
    + _aerospike_key_all
    + _as_exp_all + _as_exp_operations_all
)

# Versions, bins and record iterators.
from .as_version import *  # noqa: E402,F401,F403
from .as_version import __all__ as _as_version_all  # noqa: E402
from .as_bin import *  # noqa: E402,F401,F403
from .as_bin import __all__ as _as_bin_all  # noqa: E402
from .as_record_iterator import *  # noqa: E402,F401,F403
from .as_record_iterator import __all__ as _as_record_iterator_all  # noqa: E402

__all__ += _as_version_all + _as_bin_all + _as_record_iterator_all

# Security administration: users, roles, privileges.
from .as_admin import *  # noqa: E402,F401,F403
from .as_admin import __all__ as _as_admin_all  # noqa: E402

__all__ += _as_admin_all

# Multi-record transactions.
from .as_txn import *  # noqa: E402,F401,F403
from .as_txn import __all__ as _as_txn_all  # noqa: E402
from .aerospike_txn import *  # noqa: E402,F401,F403
from .aerospike_txn import __all__ as _aerospike_txn_all  # noqa: E402

__all__ += _as_txn_all + _aerospike_txn_all
