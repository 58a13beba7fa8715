"""as_scan.h: what a scan reads (namespace, set, bins) and how (concurrency, pagination, UDF).

    scan = as_scan_init("test", "demo")          # as_scan scan; as_scan_init(&scan, "test", "demo");
    as_scan_select_init(scan, 2)
    as_scan_select(scan, "a"); as_scan_select(scan, "b")
    as_scan_set_concurrent(scan, True)
    scan.no_bins = False                         # fields by C name, checked
    ...
    as_scan_destroy(scan)                        # or let it be collected

Where C returns false (a bin name over 15 bytes, no room left, select initialized twice)
this raises ParamError. A namespace or set name too long for C (which would silently use
an empty one: every set) raises ParamError too. `scan.ops` takes an operations object of
the bindings (background scans); the scan keeps it alive and never frees it.
"""
from __future__ import annotations

from typing import Any, Callable, List, Optional, Tuple

import msgpack

from .._aerospike import ffi, lib
from ..exceptions import ParamError
from ._calls import UsedStruct, c_uint, owned_arg
from ._owned import struct_ptr
from ._cstruct import register_field
from .as_config import c_str
from .as_partition_filter import partitions_status_arg, partitions_status_field
from .as_status import as_status
from .as_val import new_val, val_to_c

__all__ = ["as_scan", "as_scan_init", "as_scan_new", "as_scan_destroy", "as_scan_select_init",
           "as_scan_select", "as_scan_set_nobins", "as_scan_set_concurrent",
           "as_scan_apply_each", "as_scan_set_paginate", "as_scan_is_done", "as_scan_select_inita",
           "as_scan_set_partitions", "as_scan_to_bytes", "as_scan_from_bytes", "as_scan_from_bytes_new",
           "as_scan_compare"]


def param_error(message: str) -> ParamError:
    return ParamError(as_status.AEROSPIKE_ERR_PARAM, message)


def succeeded(result: bool, what: str) -> bool:
    """C's `true`, or ParamError naming what C refused."""
    if not result:
        raise param_error(what)
    return True


def names_arg(ns: str, set: Optional[str]) -> Tuple[Any, Any]:
    """ns and set for as_scan_init/as_query_init, refused where C would drop them."""
    c_ns = c_str("ns", ns)
    c_set = c_str("set", set, allow_none=True)
    if len(c_ns) >= lib.AS_NAMESPACE_MAX_SIZE:
        raise param_error(f"namespace {ns!r} is longer than {lib.AS_NAMESPACE_MAX_SIZE - 1} bytes")
    if c_set != ffi.NULL and len(c_set) >= lib.AS_SET_MAX_SIZE:
        raise param_error(f"set {set!r} is longer than {lib.AS_SET_MAX_SIZE - 1} bytes")
    return c_ns, c_set


def _arglist(arglist: Any) -> List[Any]:
    if not isinstance(arglist, (list, tuple)):
        raise TypeError(f"arglist must be a list, not {type(arglist).__name__}")
    return list(arglist)


def udf_arglist(arglist: Any) -> Any:
    """A Python list of UDF arguments as a C-heap as_list* (None -> NULL), owned by the caller."""
    if arglist is None:
        return ffi.NULL
    return ffi.cast("as_list*", val_to_c(_arglist(arglist), "arglist"))


def owned_arglist(arglist: Any) -> Tuple[Any, Any]:
    """(keep, as_list*) for UDF arguments C only reads: freed once `keep` is collected."""
    if arglist is None:
        return None, ffi.NULL
    keep = new_val(_arglist(arglist), "arglist")
    return keep, ffi.cast("as_list*", keep)


def select_init(c_function: Any, ptr: Any, n: int, what: str) -> bool:
    """as_scan_select_init / as_query_select_init / as_query_where_init."""
    return succeeded(c_function(ptr, c_uint("n", n, 16)), f"{what}: already initialized")


def select_bin(c_function: Any, ptr: Any, bin: str, what: str) -> bool:  # noqa: A002
    """as_scan_select / as_query_select."""
    return succeeded(c_function(ptr, c_str("bin", bin)),
                     f"{what}: bin {bin!r} is too long or no room is left (select_init)")


def set_udf_call(c_function: Any, ptr: Any, call: Any, module: str, function: str,
                 arglist: Any, what: str) -> bool:
    """as_scan_apply_each / as_query_apply: `call` is the struct's as_udf_call."""
    c_module, c_function_name = c_str("module", module), c_str("function", function)
    if len(c_module) >= lib.AS_UDF_MODULE_MAX_SIZE or \
            len(c_function_name) >= lib.AS_UDF_FUNCTION_MAX_SIZE:
        raise param_error(f"{what}: module or function name too long")
    c_args = udf_arglist(arglist)
    if call.arglist != ffi.NULL:  # C would leak the previous arguments
        lib.as_val_val_destroy(ffi.cast("as_val*", call.arglist))
    return succeeded(c_function(ptr, c_module, c_function_name, c_args), what)


class Operated(UsedStruct):
    """A UsedStruct whose `ops` field may point at a Python-owned as_operations."""

    __slots__ = ("_ops",)

    def __init__(self, c_init: Any = None) -> None:
        object.__setattr__(self, "_ops", None)
        super().__init__(c_init)

    def _before_destroy(self) -> None:
        if self._ops is not None:
            self._ptr.ops = ffi.NULL  # the operations object frees its own memory
        object.__setattr__(self, "_ops", None)  # (C frees the ops *_from_bytes made)


def _get_ops(view: Any) -> Any:
    return view._owner._ops


def _set_ops(view: Any, ops: Any) -> None:
    ptr = ffi.NULL if ops is None else struct_ptr(ops, "as_operations", f"{view._path}.ops")
    if view._owner._ops is None and view._ptr.ops != ffi.NULL:
        lib.as_operations_destroy(view._ptr.ops)  # the C-owned ops of *_from_bytes
    view._ptr.ops = ptr
    object.__setattr__(view._owner, "_ops", ops)
    view._owner._depend("ops", ops)


class as_scan(Operated):  # noqa: N801 - the C type's name
    """`as_scan`: ns, set, select, apply_each, ops, ttl, paginate, no_bins, concurrent …"""

    __slots__ = ()
    ctype = "as_scan"
    _c_destroy = lib.as_scan_destroy


register_field("as_scan", "ops", _get_ops, _set_ops)
register_field("as_scan", "parts_all", partitions_status_field)


def _scan(scan: Any, what: str) -> as_scan:
    return owned_arg(scan, as_scan, what)


def as_scan_init(ns: str, set: Optional[str]) -> as_scan:  # noqa: A002 - C name
    """as_scan_init(&scan, ns, set): a scan of a set (None: the whole namespace)."""
    c_ns, c_set = names_arg(ns, set)
    return as_scan(lambda p: lib.as_scan_init(p, c_ns, c_set))


as_scan_new = as_scan_init


def as_scan_destroy(scan: as_scan) -> None:
    """as_scan_destroy(): free what the scan holds (refused while a call is running it)."""
    _scan(scan, "as_scan_destroy")._destroy("as_scan_destroy")


def as_scan_select_init(scan: as_scan, n: int) -> bool:
    """as_scan_select_init(): room for `n` bin names (once per scan)."""
    return select_init(lib.as_scan_select_init, _scan(scan, "as_scan_select_init")._ptr, n,
                       "as_scan_select_init")


as_scan_select_inita = as_scan_select_init


def as_scan_select(scan: as_scan, bin: str) -> bool:  # noqa: A002 - C name
    """as_scan_select(): read bin `bin` (after as_scan_select_init)."""
    return select_bin(lib.as_scan_select, _scan(scan, "as_scan_select")._ptr, bin,
                      "as_scan_select")


def as_scan_set_nobins(scan: as_scan, nobins: bool) -> bool:
    """as_scan_set_nobins(): return metadata only."""
    scan = _scan(scan, "as_scan_set_nobins")
    scan.no_bins = nobins
    return True


def as_scan_set_concurrent(scan: as_scan, concurrent: bool) -> bool:
    """as_scan_set_concurrent(): scan the nodes in parallel (callbacks from several threads)."""
    scan = _scan(scan, "as_scan_set_concurrent")
    scan.concurrent = concurrent
    return True


def as_scan_apply_each(scan: as_scan, module: str, function: str, arglist: Any) -> bool:
    """as_scan_apply_each(): run UDF module.function(record, *arglist) on each record
    (background scans). The scan owns the converted arguments."""
    ptr = _scan(scan, "as_scan_apply_each")._ptr
    return set_udf_call(lib.as_scan_apply_each, ptr, ptr.apply_each, module, function, arglist,
                        "as_scan_apply_each")


def as_scan_set_paginate(scan: as_scan, paginate: bool) -> None:
    """as_scan_set_paginate(): keep the scan's progress so it can resume (with max_records)."""
    if not isinstance(paginate, bool):
        raise TypeError(f"paginate must be a bool, not {type(paginate).__name__}")
    lib.as_scan_set_paginate(_scan(scan, "as_scan_set_paginate")._ptr, paginate)


def as_scan_is_done(scan: as_scan) -> bool:
    """as_scan_is_done(): a paginated scan has read every partition."""
    return bool(lib.as_scan_is_done(_scan(scan, "as_scan_is_done")._ptr))


def set_partitions(c_function: Any, ptr: Any, parts_all: Any) -> None:
    """as_scan/query_set_partitions(): C reserves parts_all and releases it on destroy; a
    previous one is released first (C would leak it)."""
    c_parts = partitions_status_arg(parts_all)
    if ptr.parts_all != ffi.NULL:
        lib.as_partitions_status_release(ptr.parts_all)
        ptr.parts_all = ffi.NULL
    c_function(ptr, c_parts)


def as_scan_set_partitions(scan: as_scan, parts_all: Any) -> None:
    """as_scan_set_partitions(): resume from another paginated scan's parts_all."""
    set_partitions(lib.as_scan_set_partitions, _scan(scan, "as_scan_set_partitions")._ptr,
                   parts_all)


def to_bytes(c_function: Any, ptr: Any, what: str) -> bytes:
    """The C client's serialization of a scan or query (freed here). Refused when an
    operation has no value (touch, delete, read: C writes nothing for it, and its
    *_from_bytes then reads the next field as the value: the bytes never read back)."""
    ops = ptr.ops
    if ops != ffi.NULL:
        for i in range(ops.binops.size):
            if ops.binops.entries[i].bin.valuep == ffi.NULL:
                operator = ops.binops.entries[i].op
                raise param_error(f"{what}: operation {i} (as_operator {operator}) has no value, "
                                  "which the C client serializes as nothing: its *_from_bytes "
                                  "could not read the bytes back")
    c_bytes = ffi.new("uint8_t**")
    c_size = ffi.new("uint32_t*")
    if not c_function(ptr, c_bytes, c_size):
        raise param_error(f"{what}: the C client cannot serialize it")
    try:
        return bytes(ffi.buffer(c_bytes[0], c_size[0]))
    finally:
        lib.free(c_bytes[0])


def as_scan_to_bytes(scan: as_scan) -> bytes:
    """as_scan_to_bytes(scan, &bytes, &size): the scan serialized by the C client (what
    other C clients' as_scan_from_bytes() read)."""
    with _scan(scan, "as_scan_to_bytes")._use("as_scan_to_bytes") as ptr:
        return to_bytes(lib.as_scan_to_bytes, ptr, "as_scan_to_bytes")


class Serialized:
    """The items as_scan_to_bytes/as_query_to_bytes write, read back one at a time and checked
    before C's *_from_bytes sees them. C trusts its input: a partition id, a count or an
    operator out of range there indexes a table out of bounds. Here each item must be of the
    kind and in the range C itself writes, and nothing may follow the last one."""

    _PARTITIONS = 4096  # the partitions of a namespace (the C client's n_partitions)

    def __init__(self, data: Any, what: str) -> None:
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"{what}: bytes must be bytes, not {type(data).__name__}")
        self.data = bytes(data)
        self.what = what
        self._unpacker = msgpack.Unpacker(raw=True, strict_map_key=False,
                                          max_buffer_size=max(len(self.data), 1))
        self._unpacker.feed(self.data)

    def fail(self, message: str) -> ParamError:
        return param_error(f"{self.what}: {message}")

    def item(self, field: str) -> Any:
        try:
            return self._unpacker.unpack()
        except msgpack.OutOfData:
            raise self.fail(f"the bytes end before {field}") from None
        except Exception:  # noqa: BLE001 - any malformed msgpack
            raise self.fail(f"{field} is not msgpack") from None

    def uint(self, field: str, limit: int = 2 ** 64 - 1) -> int:
        value = self.item(field)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= limit:
            raise self.fail(f"{field} is not an integer from 0 to {limit}")
        return value

    def int64(self, field: str) -> int:
        value = self.item(field)
        if isinstance(value, bool) or not isinstance(value, int) or \
                not -2 ** 63 <= value < 2 ** 64:
            raise self.fail(f"{field} is not an integer")
        return value

    def bool(self, field: str) -> bool:
        value = self.item(field)
        if not isinstance(value, bool):
            raise self.fail(f"{field} is not a boolean")
        return value

    def blob(self, field: str, max_size: int, min_size: int = 0) -> bytes:
        """A str or bin item (C reads either) of min_size .. max_size bytes."""
        value = self.item(field)
        if not isinstance(value, bytes) or not min_size <= len(value) <= max_size:
            raise self.fail(f"{field} is not a string of {min_size} to {max_size} bytes")
        return value

    def name(self, field: str, max_size: int) -> bytes:
        """A name C copies into a char[max_size] (with its terminating NUL)."""
        return self.blob(field, max_size - 1)

    def value(self, field: str) -> Any:
        """Any value C's msgpack reader builds (as deep as it reads: MAX_DEPTH levels)."""
        value = self.item(field)
        stack = [(value, 1)]
        while stack:
            item, depth = stack.pop()
            children = item if isinstance(item, list) else \
                [v for kv in item.items() for v in kv] if isinstance(item, dict) else ()
            if children and depth >= _MAX_DEPTH:
                raise self.fail(f"{field} nests deeper than {_MAX_DEPTH} levels")
            stack.extend((child, depth + 1) for child in children)
        return value

    def names(self, field: str, max_size: int) -> None:
        for i in range(self.uint(f"the {field} count", 0xFFFF)):
            self.name(f"{field} {i}", max_size)

    def udf_call(self, field: str) -> None:
        if self.bool(field):
            self.name(f"{field} module", lib.AS_UDF_MODULE_MAX_SIZE)
            self.name(f"{field} function", lib.AS_UDF_FUNCTION_MAX_SIZE)
            if self.bool(f"{field} arguments flag") and \
                    not isinstance(self.value(f"{field} arguments"), list):
                raise self.fail(f"{field} arguments are not a list")

    def operations(self) -> None:
        if self.bool("the operations flag"):
            self.uint("the operations' ttl", 0xFFFFFFFF)
            self.uint("the operations' gen", 0xFFFF)
            for i in range(self.uint("the operation count", 0xFFFF)):
                self.uint(f"operation {i}'s operator", lib.AS_OPERATOR_TO_STRING)
                self.name(f"operation {i}'s bin", lib.AS_BIN_NAME_MAX_SIZE)
                self.value(f"operation {i}'s value")

    def partitions(self) -> None:
        """parts_all: begin + count within the namespace's partitions, entry i partition
        begin + i (what the C client's partition tracker assumes), 20-byte digests."""
        if not self.bool("the partitions flag"):
            return
        count = self.uint("the partition count", self._PARTITIONS)
        begin = self.uint("the first partition", self._PARTITIONS - 1)
        if count == 0 or begin + count > self._PARTITIONS:
            raise self.fail(f"partitions {begin} + {count} are not within 0 .. "
                            f"{self._PARTITIONS - 1}")
        self.bool("the partitions' done flag")
        for i in range(count):
            if self.uint(f"partition entry {i}'s id") != begin + i:
                raise self.fail(f"partition entry {i} is not partition {begin + i}")
            self.bool(f"partition {begin + i}'s retry flag")
            self.bool(f"partition {begin + i}'s digest flag")
            self.blob(f"partition {begin + i}'s digest", lib.AS_DIGEST_VALUE_SIZE,
                      lib.AS_DIGEST_VALUE_SIZE)
            self.uint(f"partition {begin + i}'s bval")

    def end(self) -> None:
        try:
            self._unpacker.unpack()
        except msgpack.OutOfData:
            return
        except Exception:  # noqa: BLE001 - malformed trailing bytes
            pass
        raise self.fail("bytes follow the last field")


_MAX_DEPTH = lib.ASC_MAX_DEPTH


def _check_scan_bytes(stream: Serialized) -> None:
    """What as_scan_to_bytes() writes, in its order."""
    stream.name("the namespace", lib.AS_NAMESPACE_MAX_SIZE)
    stream.name("the set", lib.AS_SET_MAX_SIZE)
    stream.names("select bin", lib.AS_BIN_NAME_MAX_SIZE)
    stream.udf_call("apply_each")
    stream.operations()
    stream.partitions()
    stream.uint("the ttl", 0xFFFFFFFF)
    for flag in ("paginate", "no_bins", "concurrent", "deserialize_list_map"):
        stream.bool(flag)
    stream.end()


def from_bytes(cls: Any, c_function: Any, stream: Serialized,
               check: Callable[[Any], None] = lambda ptr: None) -> Any:
    """A new cls made by C's *_from_bytes from checked bytes; check(ptr) may refuse what C
    built (ParamError, after destroying it)."""
    data = stream.data

    def c_init(ptr: Any) -> None:
        if not c_function(ptr, data, len(data)):  # C destroyed what it had read
            raise stream.fail("the C client refused the bytes")
        try:
            check(ptr)
        except ParamError:
            cls._c_destroy(ptr)
            raise
    return cls(c_init)


def as_scan_from_bytes(bytes: Any) -> as_scan:  # noqa: A002 - C name
    """as_scan_from_bytes(&scan, bytes, size): a new scan from as_scan_to_bytes() output
    (resume a paginated scan in another process). ParamError for bytes C did not write."""
    stream = Serialized(bytes, "as_scan_from_bytes")
    _check_scan_bytes(stream)
    return from_bytes(as_scan, lib.as_scan_from_bytes, stream)


as_scan_from_bytes_new = as_scan_from_bytes


def compare(c_function: Any, first: Any, second: Any, what: str) -> bool:
    """as_scan/query_compare(): C's field-by-field comparison of two live objects."""
    with first._use(what) as p1, second._use(what) as p2:
        return bool(c_function(p1, p2))


def as_scan_compare(s1: as_scan, s2: as_scan) -> bool:
    """as_scan_compare(): whether two scans have the same fields (as C compares them)."""
    return compare(lib.as_scan_compare, _scan(s1, "as_scan_compare"),
                   _scan(s2, "as_scan_compare"), "as_scan_compare")
