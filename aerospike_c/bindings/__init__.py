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
from .as_log import *  # noqa: F401,F403
from .as_log import __all__ as _log_all
from .as_status import as_status
from .constants import *  # noqa: F401,F403
from .constants import __all__ as _constants_all
from .enums import *  # noqa: F401,F403
from .enums import __all__ as _enums_all

__all__ = (
    ["as_status", "as_error_string"]
    + [n for n in _config_all if n not in ("config_ptr", "c_str")]
    + _aerospike_all + _stats_all + _constants_all + _log_all + _cluster_event_all
    + [n for n in _enums_all if n != "as_status"]
)

# Multi-record calls: info, secondary indexes, UDF modules, background jobs, truncate,
# scans, queries and batches.
from . import (  # noqa: E402
    aerospike_batch, aerospike_index, aerospike_info, aerospike_query, aerospike_scan,
    aerospike_truncate, aerospike_udf, as_batch, as_job, as_partition_filter, as_query, as_scan,
)

for _module in (aerospike_info, aerospike_index, aerospike_udf, as_job, aerospike_truncate,
                as_partition_filter, as_scan, aerospike_scan, as_query, aerospike_query,
                as_batch, aerospike_batch):
    globals().update((name, getattr(_module, name)) for name in _module.__all__)
    __all__ += _module.__all__
del _module

# Single-record calls: values, keys, records, policies, operations (list/map CDT), commands.
from . import (  # noqa: E402
    aerospike_key, as_cdt_ctx, as_key, as_list_operations, as_map_operations, as_operations,
    as_policy, as_record, as_val,
)

for _module in (as_val, as_key, as_record, as_policy, as_operations, as_cdt_ctx,
                as_list_operations, as_map_operations, aerospike_key):
    globals().update((name, getattr(_module, name)) for name in _module.__all__)
    __all__ += _module.__all__
del _module
