"""as_key.h: record keys (namespace, set, user key or digest) and their digest.

    key = as_key_init_int64("test", "demo", 1234)     # as_key_init_int64(&key, "test", "demo", 1234)
    key = as_key_init_str("test", "demo", "user-1")
    key = as_key_init_raw("test", "demo", b"\\x01\\x02")
    key = as_key_init_digest("test", "demo", digest)  # 20 bytes
    as_key_digest(key)  ->  b"..." (20 bytes, RIPEMD-160 computed by the C client)

An `as_key` is a checked view of the C struct (fields `ns`, `set`, `digest` ... by C name)
that keeps alive the Python buffer its string/bytes value points to (C's `free = false`).
Where C silently returns NULL (namespace over 31 bytes, set over 63) this raises ParamError.
`as_key_new*` are the same as `as_key_init*` (Python owns the memory either way).

API for the other bindings (stable):

    new_key(ns, set, user_key=None, digest=None) -> as_key    dispatch on the user key's type
    key_arg(obj) -> as_key     an as_key, or a tuple (ns, set, user_key) / (ns, set, user_key, digest)
    key_to_python(as_key*) -> (ns, set, user_key | None, digest | None)
"""
from __future__ import annotations

from typing import Any, Dict, Optional, Tuple

from .._aerospike import ffi, lib
from ..exceptions import ParamError
from ._calls import free_flag
from ._cstruct import SelfOwned
from .as_error import check, lifecycle_error, new_error
from .as_status import as_status
from .as_config import c_str
from .as_val import check_int64, encode_str, sized_bytes, val_from_c

__all__ = [
    "as_key", "as_key_init", "as_key_init_int64", "as_key_init_str", "as_key_init_raw",
    "as_key_init_digest", "as_key_init_value", "as_key_new", "as_key_new_int64",
    "as_key_new_str", "as_key_new_raw", "as_key_new_digest", "as_key_new_value",
    "as_key_destroy", "as_key_digest", "as_key_set_digest",
    "as_key_init_strp", "as_key_init_rawp", "as_key_new_strp", "as_key_new_rawp",
]

KeyTuple = Tuple[str, Optional[str], Any, Optional[bytes]]
_DIGEST_SIZE = lib.AS_DIGEST_VALUE_SIZE
_NS_MAX = lib.AS_NAMESPACE_MAX_SIZE - 1
_SET_MAX = lib.AS_SET_MAX_SIZE - 1
_NAMES: Dict[str, bytes] = {}  # namespace/set str -> checked UTF-8 (bounded cache)
#: The largest str/bytes user key (csrc/aerospike_c.h: the C client hashes it on the stack).
KEY_MAX_SIZE = lib.ASC_KEY_MAX_SIZE


class as_key(SelfOwned):  # noqa: N801 - the C type's name
    """`as_key`: fields by C name; keeps alive the buffer its value points to."""

    __slots__ = ("_keepalive", "_released")

    def __init__(self) -> None:
        super().__init__(ffi.new("as_key*"), self, "as_key")
        object.__setattr__(self, "_keepalive", None)
        object.__setattr__(self, "_released", False)

    def _check_writable(self, what: str) -> None:
        """LifecycleError once as_key_destroy() ran (C's key is then stale memory)."""
        if self._released:
            raise lifecycle_error(f"{what}: the as_key was destroyed")

    @property
    def destroyed(self) -> bool:
        return self._released

    def _keep(self, obj: Any) -> None:
        object.__setattr__(self, "_keepalive", obj)

    def to_tuple(self) -> KeyTuple:
        """(ns, set, user_key or None, digest or None)."""
        self._check_writable("as_key")
        return key_to_python(self._ptr)

    def __repr__(self) -> str:
        if self._released:
            return "<as_key destroyed>"
        ns, set_, value, digest = self.to_tuple()
        shown = value if value is not None else (digest.hex() if digest else None)
        return f"<as_key {ns}:{set_}:{shown!r}>"


def _name(value: Any, what: str, limit: int, allow_none: bool) -> Any:
    """A namespace or set name as C wants it (None set -> NULL); ParamError when too long."""
    encoded = _NAMES.get(value) if isinstance(value, str) else None
    if encoded is not None:
        return encoded
    encoded = c_str(what, value, allow_none=allow_none)
    if encoded is ffi.NULL:
        return encoded
    if len(encoded) > limit:
        raise ParamError(as_status.AEROSPIKE_ERR_PARAM,
                         f"{what} {value!r} is longer than {limit} bytes")
    return remember(_NAMES, value, encoded)


def remember(cache: Dict[Any, Any], key: Any, value: Any) -> Any:
    """cache[key] = value in a cache of checked names that never grows past 4096 entries."""
    if len(cache) > 4096:
        cache.clear()
    cache[key] = value
    return value


def fill_key(ptr: Any, ns: Any, set_: Any, user_key: Any) -> Any:
    """Initialize the `as_key*` ptr from a Python user key; returns what must stay alive."""
    c_ns = _name(ns, "namespace", _NS_MAX, False)
    c_set = _name(set_, "set", _SET_MAX, True)
    kind = type(user_key)
    if kind is int:
        lib.as_key_init_int64(ptr, c_ns, c_set, check_int64(user_key, "user key"))
        return None
    if kind is str:
        data = _key_size(encode_str(user_key, "user key"), "str")
        lib.as_key_init_strp(ptr, c_ns, c_set, data, False)
        ptr.value.string.len = len(data)  # exact length: a str key may hold NUL
        return data
    if kind is bytes or isinstance(user_key, (bytes, bytearray, memoryview)):
        data = _key_size(bytes(user_key), "bytes")
        lib.as_key_init_rawp(ptr, c_ns, c_set, data, len(data), False)
        return data
    if isinstance(user_key, int) and not isinstance(user_key, bool):
        lib.as_key_init_int64(ptr, c_ns, c_set, check_int64(int(user_key), "user key"))
        return None
    if isinstance(user_key, str):
        return fill_key(ptr, ns, set_, str(user_key))
    raise TypeError(f"a user key must be an int, str or bytes, not {type(user_key).__name__}")


def _key_size(data: bytes, kind: str) -> bytes:
    if len(data) > KEY_MAX_SIZE:
        raise ParamError(as_status.AEROSPIKE_ERR_PARAM,
                         f"user key: a {kind} of {len(data)} bytes; a key may have at most "
                         f"{KEY_MAX_SIZE} bytes (the C client hashes keys on the stack)")
    return data


def fill_key_digest(ptr: Any, ns: Any, set_: Any, digest: Any) -> None:
    """Initialize the `as_key*` ptr from a 20-byte digest."""
    c_ns = _name(ns, "namespace", _NS_MAX, False)
    c_set = _name(set_, "set", _SET_MAX, True)
    if not isinstance(digest, (bytes, bytearray, memoryview)):
        raise TypeError(f"a digest must be bytes, not {type(digest).__name__}")
    digest = bytes(digest)
    if len(digest) != _DIGEST_SIZE:
        raise ValueError(f"a digest is {_DIGEST_SIZE} bytes, got {len(digest)}")
    lib.as_key_init_digest(ptr, c_ns, c_set, digest)


def as_key_init(ns: str, set: Optional[str], value: str) -> as_key:  # noqa: A002 - C name
    """as_key_init(&key, ns, set, value): a key with a string value."""
    if not isinstance(value, str):
        raise TypeError(f"value must be a str, not {type(value).__name__}")
    return new_key(ns, set, value)


def as_key_init_int64(ns: str, set: Optional[str], value: int) -> as_key:  # noqa: A002
    """as_key_init_int64(&key, ns, set, value): a key with an integer value."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"value must be an int, not {type(value).__name__}")
    return new_key(ns, set, value)


as_key_init_str = as_key_init


def as_key_init_raw(ns: str, set: Optional[str], value: bytes,  # noqa: A002
                    size: Optional[int] = None) -> as_key:
    """as_key_init_raw(&key, ns, set, value, size): a key with a bytes value (size: len(value))."""
    return new_key(ns, set, sized_bytes(value, size, "as_key_init_raw"))


def as_key_init_digest(ns: str, set: Optional[str], digest: bytes) -> as_key:  # noqa: A002
    """as_key_init_digest(&key, ns, set, digest): a key known only by its 20-byte digest."""
    return new_key(ns, set, None, digest)


def as_key_init_value(ns: str, set: Optional[str], value: Any) -> as_key:  # noqa: A002
    """as_key_init_value(&key, ns, set, &value): a key with an int, str or bytes value."""
    return new_key(ns, set, value)


def as_key_init_strp(ns: str, set: Optional[str], value: str, free: bool) -> as_key:  # noqa: A002
    """as_key_init_strp(&key, ns, set, value, free): a string key (copied, whatever `free` says)."""
    free_flag(free, "as_key_init_strp")
    return as_key_init_str(ns, set, value)


def as_key_init_rawp(ns: str, set: Optional[str], value: bytes, size: int,  # noqa: A002
                     free: bool) -> as_key:
    """as_key_init_rawp(&key, ns, set, value, size, free): a bytes key of value[:size] (copied)."""
    free_flag(free, "as_key_init_rawp")
    return new_key(ns, set, sized_bytes(value, size, "as_key_init_rawp"))


as_key_new = as_key_init
as_key_new_strp = as_key_init_strp
as_key_new_rawp = as_key_init_rawp
as_key_new_int64 = as_key_init_int64
as_key_new_str = as_key_init_str
as_key_new_raw = as_key_init_raw
as_key_new_digest = as_key_init_digest
as_key_new_value = as_key_init_value


def _key(key: Any, what: str = "as_key") -> as_key:
    """A live as_key (TypeError, or LifecycleError once destroyed)."""
    if not isinstance(key, as_key):
        raise TypeError(f"expected an as_key, got {type(key).__name__}")
    key._check_writable(what)
    return key


def as_key_destroy(key: as_key) -> None:
    """as_key_destroy(): release what the key owns; any later use raises LifecycleError
    (as a second destroy does). as_key_init* makes a new key, as C's re-init of a stack key."""
    lib.as_key_destroy(_key(key, "as_key_destroy")._ptr)
    object.__setattr__(key, "_released", True)
    object.__setattr__(key, "_keepalive", None)


def as_key_set_digest(key: as_key) -> None:
    """as_key_set_digest(&err, &key): compute the digest into key.digest (raises on error)."""
    err = new_error()
    check(lib.as_key_set_digest(err, _key(key)._ptr), err)


def as_key_digest(key: as_key) -> bytes:
    """as_key_digest(&key): the key's 20-byte digest, computed by the C client if not yet set."""
    as_key_set_digest(key)
    return bytes(ffi.buffer(key._ptr.digest.value))


def new_key(ns: str, set_: Optional[str], user_key: Any = None, digest: Any = None) -> as_key:
    """An as_key from a user key (int, str, bytes) or, when user_key is None, a digest."""
    key = as_key()
    if user_key is not None:
        key._keep(fill_key(key._ptr, ns, set_, user_key))
        if digest is not None:
            match_digest(key._ptr, digest)
    elif digest is not None:
        fill_key_digest(key._ptr, ns, set_, digest)
    else:
        raise ValueError("a key needs a user key or a digest")
    return key


def match_digest(ptr: Any, digest: Any) -> None:
    """A key given with both a user key and a digest (ns, set, user_key, digest): the user key
    is the key, and the digest must be its digest (else ValueError), on every path."""
    err = new_error()
    check(lib.as_key_set_digest(err, ptr), err)
    if not isinstance(digest, (bytes, bytearray, memoryview)):
        raise TypeError(f"a digest must be bytes, not {type(digest).__name__}")
    if bytes(ffi.buffer(ptr.digest.value)) != bytes(digest):
        raise ValueError(f"the digest {bytes(digest).hex()} is not the digest of the user key "
                         f"{key_to_python(ptr)[2]!r} (give one or the other, or the right one)")


def key_arg(obj: Any) -> as_key:
    """An as_key from an as_key or a tuple (ns, set, user_key[, digest])."""
    if isinstance(obj, as_key):
        obj._check_writable("key")
        return obj
    if isinstance(obj, tuple) and len(obj) in (3, 4):
        return new_key(*obj)
    raise TypeError("a key is an as_key or a tuple (namespace, set, user_key[, digest]), "
                    f"not {type(obj).__name__}")


def key_to_python(ptr: Any) -> KeyTuple:
    """(ns, set or None, user key or None, digest or None) of an `as_key*`."""
    ns = ffi.string(ptr.ns).decode("utf-8", "replace")
    set_name = ffi.string(ptr.set).decode("utf-8", "replace") or None
    value = None
    valuep = ptr.valuep
    if valuep != ffi.NULL:
        value = val_from_c(ffi.cast("as_val*", valuep))
    digest = bytes(ffi.buffer(ptr.digest.value)) if ptr.digest.init else None
    return ns, set_name, value, digest
