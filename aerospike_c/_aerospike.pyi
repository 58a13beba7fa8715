"""Types for the extension cffi generates from cdefs/ (see build_ffi.py).

`lib` holds the C functions, constants and globals declared in cdefs/*.h and `ffi` is cffi's
handle over them. Both are `Any`: their members are those C declarations, which Python's
type system cannot spell. Only the C-faithful layer (aerospike_c.bindings) touches them;
everything above it is typed.
"""
from typing import Any

ffi: Any
lib: Any
