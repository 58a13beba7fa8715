"""as_config.h: the client configuration, field by field under the C names.

    config = as_config_init()                 # as_config config; as_config_init(&config);
    config.tender_interval = 500              # config.tender_interval = 500;
    config.policies.read.base.total_timeout = 200
    as_config_add_hosts(config, "127.0.0.1:3000,[::1]:3001", 3000)

Ownership follows C: `aerospike_init(config)` copies the struct into the client and takes
its strings and host list. The `as_config` object is then spent: any further use raises
`LifecycleError` instead of reading or freeing memory the client owns (set fields on
`as_.config` instead). A config that never reaches `aerospike_init` frees what it holds
when it is garbage collected.

The client-side Lua of query aggregation (the C client finishes an aggregation's stream
with its own mod-lua) loads a module from `lua.user_path`: `as_config_lua_init()` gives the
C defaults (user_path AS_CONFIG_LUA_USER_PATH, cache off), and aerospike_init_lua(lua), or
config.lua of the first instance connected in the process, sets it (aerospike.py).
"""
from __future__ import annotations

import functools
import os
import re
import stat
from typing import Any, Dict, Iterable, List, Optional, Set, Tuple

from .._aerospike import ffi, lib
from ..exceptions import ParamError
from ._cstruct import CStruct, Owner, SelfOwned, c_enum, check_limits, field_offset, register_field
from ._owned import OwnedStruct
from .as_error import lifecycle_error
from .as_status import as_status

__all__ = [
    "as_config", "as_config_init", "as_config_add_host", "as_config_add_hosts",
    "as_config_clear_hosts", "as_config_set_user", "as_config_set_cluster_name",
    "as_config_set_app_id", "as_config_tls_add_host", "as_config_add_rack_id",
    "as_config_provider_set", "as_config_provider_set_path",
    "as_config_tls_set_cafile", "as_config_tls_set_castring", "as_config_tls_set_capath",
    "as_config_tls_set_protocols", "as_config_tls_set_cipher_suite",
    "as_config_tls_set_cert_blacklist", "as_config_tls_set_keyfile",
    "as_config_tls_set_keyfile_pw", "as_config_tls_set_keystring",
    "as_config_tls_set_certfile", "as_config_tls_set_certstring", "config_ptr", "c_str",
    "as_config_destroy", "as_auth_mode_from_string", "as_config_lua", "as_config_lua_init",
]


class as_config(SelfOwned):  # noqa: N801 - the C type's name
    """`as_config`: made by `as_config_init()`; fields by C name, C defaults."""

    __slots__ = ("_spent_by", "_keepalive", "_kept_fields", "__weakref__")

    def __init__(self) -> None:
        ptr = ffi.new("as_config*")
        lib.as_config_init(ptr)
        super().__init__(ptr, self, "as_config")
        object.__setattr__(self, "_spent_by", None)
        object.__setattr__(self, "_keepalive", [])
        object.__setattr__(self, "_kept_fields", {})

    def _check_writable(self, what: str) -> None:
        if self._spent_by is _DESTROYED:
            raise lifecycle_error(f"{what}: this as_config was destroyed (as_config_destroy)")
        if self._spent_by is not None:
            raise lifecycle_error(
                f"{what}: this as_config was given to aerospike_init() and belongs to that "
                "aerospike instance now; use its .config"
            )

    def _keep(self, obj: Any) -> None:
        self._keepalive.append(obj)

    def _keep_field(self, field_ptr: Any, obj: Any) -> None:
        self._kept_fields[field_offset(self._ptr, field_ptr)] = obj

    def _hand_over(self, new_owner: Any) -> Any:
        """Mark the config spent by aerospike_init(); return its pointer and hand its memory on
        (C copies the struct whole, so the instance keeps the fields' memory by the same offsets)."""
        self._check_writable("aerospike_init(config)")
        object.__setattr__(self, "_spent_by", new_owner)
        for obj in self._keepalive:
            new_owner._keep(obj)
        new_owner._kept_fields.update(self._kept_fields)
        return self._ptr

    def __del__(self) -> None:
        # Never given to a client: free the hosts and strings C allocated for it.
        if getattr(self, "_spent_by", True) is None:
            c_config_destroy(self._ptr)


_DESTROYED = Owner()  # the _spent_by of a config freed by as_config_destroy()
_EXP_PTR = ffi.typeof("as_exp*")
_AS_CONFIG = ffi.typeof("as_config")
_AS_CONFIG_PTR = ffi.typeof("as_config*")


def _exp_paths(ctype: Any, prefix: Tuple[str, ...] = ()) -> List[Tuple[str, ...]]:
    """The field path of every `as_exp*` inside struct `ctype` (from the declarations)."""
    paths: List[Tuple[str, ...]] = []
    for name, field in ctype.fields:
        if field.type is _EXP_PTR:
            paths.append(prefix + (name,))
        elif field.type.kind == "struct":
            paths += _exp_paths(field.type, prefix + (name,))
    return paths


@functools.lru_cache(maxsize=None)
def _exp_offsets(ctype: Any) -> Tuple[Tuple[int, ...], Any]:
    """The byte offsets of every `as_exp*` field in struct `ctype`, and them as a size_t[]."""
    offsets = tuple(ffi.offsetof(ctype, *path) for path in _exp_paths(ctype))
    return offsets, ffi.new("size_t[]", offsets or (0,))


def exp_pointers(ptr: Any) -> List[Any]:
    """The `as_exp*` of every expression field in the struct at `ptr` (a policy's
    base.filter_exp or filter_exp; every one of a config's policies)."""
    base = ffi.cast("char*", ptr)
    return [ffi.cast("as_exp**", base + offset)[0]
            for offset in _exp_offsets(ffi.typeof(ptr).item)[0]]


@functools.lru_cache(maxsize=None)
def config_exp_offsets() -> Tuple[Any, int]:
    """(size_t[] of the offsets, count) of every as_exp* field of as_config (detach_exps)."""
    offsets, c_offsets = _exp_offsets(_AS_CONFIG)
    return c_offsets, len(offsets)


def detach_exps(ptr: Any) -> None:
    """NULL every policy's filter_exp in the `as_config*` ptr before C destroys the config:
    C's as_config_destroy() frees them (as_policies_destroy), but they are as_exp objects
    Python owns (the filter_exp setter gives a config its own copy) and frees when they are
    collected: freed twice otherwise. aerospike_destroy() runs it on the instance's config."""
    offsets, c_offsets = _exp_offsets(ffi.typeof(ptr).item)
    lib.asc_null_pointers(ptr, c_offsets, len(offsets))


def c_config_destroy(ptr: Any) -> None:
    """C's as_config_destroy() of a config Python made (see detach_exps)."""
    detach_exps(ptr)
    lib.as_config_destroy(ptr)


def as_config_destroy(config: as_config) -> None:
    """as_config_destroy(): free the hosts and strings of a config never given to
    aerospike_init() (aerospike_destroy() frees that one); the config is unusable afterwards."""
    if not isinstance(config, as_config):
        raise TypeError(f"expected an as_config, got {type(config).__name__}")
    config._check_writable("as_config_destroy")
    object.__setattr__(config, "_spent_by", _DESTROYED)
    c_config_destroy(config._ptr)
    config._keepalive.clear()


def as_auth_mode_from_string(str: str) -> Any:  # noqa: A002 - C name
    """as_auth_mode_from_string(&mode, str): the as_auth_mode named "internal", "external",
    "external_insecure" or "pki" (any case); another name raises ParamError (C: false)."""
    mode = ffi.new("as_auth_mode*")
    if not lib.as_auth_mode_from_string(mode, c_str("str", str)):
        raise ParamError(as_status.AEROSPIKE_ERR_PARAM, f"unknown auth mode {str!r}")
    return c_enum("as_auth_mode")(mode[0])


def config_ptr(config: Any) -> Any:
    """The `as_config*` of an as_config (or of an aerospike instance's .config view)."""
    if isinstance(config, CStruct) and ffi.typeof(config._ptr) is _AS_CONFIG_PTR:
        config._owner._check_writable("as_config")
        return config._ptr
    raise TypeError(f"expected an as_config, got {type(config).__name__}")


def c_str(name: str, value: Any, *, allow_none: bool = False) -> Any:
    """A str argument as NUL-terminated UTF-8 for C (None -> NULL when allowed)."""
    if value is None and allow_none:
        return ffi.NULL
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    encoded = value.encode("utf-8")
    if b"\0" in encoded:
        raise ValueError(f"{name} must not contain NUL characters")
    return encoded


#: What ends a field of an info command ("truncate:namespace=test;set=demo\n"): C writes names
#: into such commands as they are, so a name holding one would be cut there and the server
#: would act on the part before it (truncate set "a;b" truncated set "a", index "i;x" was
#: created as "i") and read the rest as other fields.
_INFO_DELIMITERS = re.compile("[;\t\n\r]")


def info_str(name: str, value: Any, *, allow_none: bool = False) -> Any:
    """c_str for a name C writes into an info command: no ';', tab or line break either."""
    encoded = c_str(name, value, allow_none=allow_none)
    if encoded is not ffi.NULL and _INFO_DELIMITERS.search(value):
        raise ValueError(f"{name} {value!r} must not contain ';', a tab or a line break "
                         f"(C sends it inside an info command, which they would cut)")
    return encoded


def _port(value: Any, name: str = "port") -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    value = int.__index__(value)  # the number C gets: a subclass's comparisons may say otherwise
    if not 1 <= value <= 0xFFFF:
        raise ValueError(f"{name} must be in [1, 65535], got {value}")
    return value


def _address(value: Any) -> bytes:
    encoded = c_str("address", value)
    if not encoded or encoded.isspace():
        raise ValueError("address must not be empty")
    return encoded


# A TLS name is a certificate (DNS) name; C's parser reads a part that starts with a digit
# as a port, so a TLS name must start with a letter (or '*', '_').
_TLS_NAME = re.compile(r"[A-Za-z_*][A-Za-z0-9_*-]*(\.[A-Za-z0-9_*-]+)*\.?")
_PORT = re.compile(r"[0-9]+")


def parse_hosts(string: str, default_port: int) -> List[Tuple[str, int, Optional[str]]]:
    """Parse "host[:tls_name][:port],..." as as_config_add_hosts() does, strictly.

    The grammar is C's (IPv6 in brackets; a part after the host that starts with a digit is
    the port, otherwise the TLS name). Where C would wrap a port into 16 bits, make "-1" a
    TLS name, or start a new host after "[::1]x", this raises ParamError naming the part.
    """
    def bad(why: str) -> ParamError:
        return ParamError(as_status.AEROSPIKE_ERR_PARAM, f"invalid host string {string!r}: {why}")

    hosts: List[Tuple[str, int, Optional[str]]] = []
    for item in string.split(","):
        if item.startswith("["):
            end = item.find("]")
            if end < 0:
                raise bad(f"{item!r} has no closing ']'")
            name, rest = item[1:end], item[end + 1:]
            if rest and not rest.startswith(":"):
                raise bad(f"{item!r}: expected ':' after ']', got {rest[0]!r}")
            parts = rest[1:].split(":") if rest else []
        else:
            name, *parts = item.split(":")
        if not name or name != name.strip():
            raise bad(f"host name {name!r} is empty or has spaces around it")
        if len(parts) > 2:
            raise bad(f"{item!r} has more than host:tls_name:port")
        tls_name, port = None, default_port
        if len(parts) == 2:
            tls_name, port_text = parts
            if not _PORT.fullmatch(port_text):
                raise bad(f"port {port_text!r} of {item!r} is not a number")
            port = int(port_text)
        elif parts:
            if parts[0][:1].isdigit() or parts[0][:1] in "+-":
                if not _PORT.fullmatch(parts[0]):
                    raise bad(f"port {parts[0]!r} of {item!r} is not a number")
                port = int(parts[0])
            else:
                tls_name = parts[0]
        if tls_name is not None and not _TLS_NAME.fullmatch(tls_name):
            raise bad(f"TLS name {tls_name!r} of {item!r} is not a certificate name")
        if not 1 <= port <= 0xFFFF:
            raise bad(f"port {port} of {item!r} is not in [1, 65535]")
        hosts.append((name, port, tls_name))
    return hosts


def as_config_init() -> as_config:
    """as_config_init(&config): a config with every C default."""
    return as_config()


class as_config_lua(OwnedStruct):  # noqa: N801 - the C type's name
    """`as_config_lua`: cache_enabled, user_path (the folder of the Lua modules the client's
    side of an aggregation loads, `<user_path>/<module>.lua`)."""

    __slots__ = ()

    def __init__(self) -> None:
        super().__init__(ffi.new("as_config_lua*"), "as_config_lua", lib.as_config_lua_init)


def as_config_lua_init() -> as_config_lua:
    """as_config_lua_init(&lua): the C defaults (cache off, user_path AS_CONFIG_LUA_USER_PATH)."""
    return as_config_lua()


def as_config_add_host(config: Any, address: str, port: int) -> None:
    """as_config_add_host(): add a seed host (port 1..65535)."""
    ptr = config_ptr(config)
    lib.as_config_add_host(ptr, _address(address), _port(port))


def as_config_add_hosts(config: Any, string: str, default_port: int) -> bool:
    """as_config_add_hosts(): add seeds from "host[:tls_name][:port],..." (IPv6 in brackets).

    Returns True like C. The string is checked first (`parse_hosts`): where C returns false,
    or would silently wrap a port or take "-1" for a TLS name, this raises ParamError naming
    the bad part and adds none of the string's hosts.
    """
    ptr = config_ptr(config)
    encoded = c_str("string", string)
    port = _port(default_port, "default_port")
    parse_hosts(string, port)
    return bool(lib.as_config_add_hosts(ptr, encoded, port))


def as_config_tls_add_host(config: Any, address: str, tls_name: Optional[str], port: int) -> None:
    """as_config_tls_add_host(): add a seed host with its TLS name (None: as_config_add_host).

    C strdup()s tls_name unchecked and crashes on NULL; None here adds the host without one.
    """
    ptr = config_ptr(config)
    add_checked_host(ptr, checked_host(address, port, tls_name))


CheckedHost = Tuple[bytes, int, Optional[bytes]]


def checked_host(address: Any, port: Any, tls_name: Any) -> CheckedHost:
    """(address, port, tls_name or None) as C takes them, checked as as_config_tls_add_host()
    checks them (it raises what that raises)."""
    return _address(address), _port(port), None if tls_name is None else c_str("tls_name", tls_name)


def add_checked_host(ptr: Any, host: CheckedHost) -> None:
    """Add a checked_host() to the `as_config*` ptr (as_config_[tls_]add_host)."""
    address, port, tls_name = host
    if tls_name is None:
        lib.as_config_add_host(ptr, address, port)
    else:
        lib.as_config_tls_add_host(ptr, address, tls_name, port)


def as_config_clear_hosts(config: Any) -> None:
    """as_config_clear_hosts(): remove every seed host."""
    lib.as_config_clear_hosts(config_ptr(config))


def as_config_set_user(config: Any, user: str, password: str) -> bool:
    """as_config_set_user(): set user and password; returns False (C) when either is empty or too long."""
    ptr = config_ptr(config)
    return bool(lib.as_config_set_user(ptr, c_str("user", user), c_str("password", password)))


def as_config_add_rack_id(config: Any, rack_id: int) -> None:
    """as_config_add_rack_id(): add a preferred rack (rack_aware)."""
    ptr = config_ptr(config)
    if isinstance(rack_id, bool) or not isinstance(rack_id, int):
        raise TypeError(f"rack_id must be an int, not {type(rack_id).__name__}")
    if not -(1 << 31) <= rack_id < (1 << 31):
        raise ValueError(f"rack_id must fit a C int, got {rack_id}")
    with config._owner._changing_c_state("as_config_add_rack_id"):  # the tender may read the list
        lib.as_config_add_rack_id(ptr, rack_id)


def as_config_provider_set(config: Any, path: str, interval: int) -> None:
    """as_config_provider_set(): dynamic configuration file and its poll interval (ms)."""
    ptr = config_ptr(config)
    if isinstance(interval, bool) or not isinstance(interval, int) or not 0 <= interval < (1 << 32):
        raise ValueError(f"interval must be an int in [0, 2**32), got {interval!r}")
    path_c = c_str("path", path)
    with config._owner._changing_c_state("as_config_provider_set"):
        lib.as_config_provider_set(ptr, path_c, interval)


def _string_setter(c_function: Any, arg: str) -> Any:
    def setter(config: Any, value: Optional[str]) -> None:
        ptr, value_c = config_ptr(config), c_str(arg, value, allow_none=True)
        with config._owner._changing_c_state(c_function.__name__):
            c_function(ptr, value_c)
    setter.__name__ = c_function.__name__
    setter.__doc__ = f"{c_function.__name__}(): set (strdup) the string; None clears it."
    return setter


as_config_set_cluster_name = _string_setter(lib.as_config_set_cluster_name, "cluster_name")
as_config_set_app_id = _string_setter(lib.as_config_set_app_id, "app_id")
as_config_provider_set_path = _string_setter(lib.as_config_provider_set_path, "path")
as_config_tls_set_cafile = _string_setter(lib.as_config_tls_set_cafile, "cafile")
as_config_tls_set_castring = _string_setter(lib.as_config_tls_set_castring, "castring")
as_config_tls_set_capath = _string_setter(lib.as_config_tls_set_capath, "capath")
as_config_tls_set_protocols = _string_setter(lib.as_config_tls_set_protocols, "protocols")
as_config_tls_set_cipher_suite = _string_setter(lib.as_config_tls_set_cipher_suite, "cipher_suite")
as_config_tls_set_cert_blacklist = _string_setter(lib.as_config_tls_set_cert_blacklist, "cert_blacklist")
as_config_tls_set_keyfile = _string_setter(lib.as_config_tls_set_keyfile, "keyfile")
as_config_tls_set_keyfile_pw = _string_setter(lib.as_config_tls_set_keyfile_pw, "pw")
as_config_tls_set_keystring = _string_setter(lib.as_config_tls_set_keystring, "keystring")
as_config_tls_set_certfile = _string_setter(lib.as_config_tls_set_certfile, "certfile")
as_config_tls_set_certstring = _string_setter(lib.as_config_tls_set_certstring, "certstring")


# --- checks where C first uses the config ---------------------------------------------------
def _config_file(ptr: Any) -> Optional[Tuple[str, str]]:
    """(path, where it was named) of the dynamic config file C reads, or None."""
    url_ptr = lib.asc_config_url()  # getenv, as C reads it
    if url_ptr != ffi.NULL:
        url = os.fsdecode(ffi.string(url_ptr))
        return (url[7:] if url.startswith("file://") else url), "AEROSPIKE_CLIENT_CONFIG_URL"
    if ptr.config_provider.path != ffi.NULL:
        return os.fsdecode(ffi.string(ptr.config_provider.path)), "config_provider.path"
    return None


def check_config_file(ptr: Any, what: str,
                      found: Optional[Tuple[str, str]] = None) -> None:
    """The dynamic config file (config_provider.path, or $AEROSPIKE_CLIENT_CONFIG_URL, which C
    prefers) must be a readable regular file: C opens and reads it with no timeout, so a FIFO
    or a device would block aerospike_init, aerospike_connect or the tend thread for good.
    `found`: what _config_file(ptr) gave, when the caller has it."""
    found = found or _config_file(ptr)
    if found is None:
        return
    path, source = found
    try:
        mode = os.stat(path).st_mode
    except OSError as error:
        raise ParamError(as_status.AEROSPIKE_ERR_PARAM,
                         f"{what}: {source} {path!r}: {error.strerror}") from None
    if not stat.S_ISREG(mode):
        raise ParamError(as_status.AEROSPIKE_ERR_PARAM,
                         f"{what}: {source} {path!r} is not a regular file")
    if not os.access(path, os.R_OK):
        raise ParamError(as_status.AEROSPIKE_ERR_PARAM, f"{what}: {source} {path!r} is not readable")


def _usable_cpus() -> Optional[Set[int]]:
    if hasattr(os, "sched_getaffinity"):
        return set(os.sched_getaffinity(0))
    count = os.cpu_count()
    return None if count is None else set(range(count))


def check_config(ptr: Any, what: str) -> None:
    """What aerospike_connect needs of the whole as_config beyond each field's own range.

    ValueError (ParamError) naming the fields: limits again when there is a dynamic config
    file (C sets fields from it in aerospike_init, behind the setters' back), min <= max
    connections, a tend_thread_cpu this process may run on (C joins a thread it never created
    otherwise), the shared memory size in 32 bits, the config file. asc_connect
    (csrc/aerospike_c.h) skips it when none of these can apply: a new check here needs its
    condition there too."""
    config_file = _config_file(ptr)
    if config_file is not None:  # else every field went through a checked setter
        check_limits(ptr, "as_config")
    for low, high in (("min_conns_per_node", "max_conns_per_node"),
                      ("async_min_conns_per_node", "async_max_conns_per_node")):
        if getattr(ptr, low) > getattr(ptr, high):
            raise ParamError(as_status.AEROSPIKE_ERR_PARAM,
                             f"{what}: as_config.{low} ({getattr(ptr, low)}) must be <= "
                             f"as_config.{high} ({getattr(ptr, high)})")
    cpu = ptr.tend_thread_cpu
    cpus = _usable_cpus() if cpu >= 0 else None
    if cpus is not None and cpu not in cpus:
        raise ParamError(as_status.AEROSPIKE_ERR_PARAM,
                         f"{what}: as_config.tend_thread_cpu {cpu} is not a CPU this process may "
                         f"run on ({sorted(cpus)}); use -1 for no affinity")
    if ptr.use_shm:
        size = 56 + 432 * ptr.shm_max_nodes + 65576 * ptr.shm_max_namespaces
        if size >= 1 << 32:
            raise ParamError(as_status.AEROSPIKE_ERR_PARAM,
                             f"{what}: shared memory for as_config.shm_max_nodes "
                             f"{ptr.shm_max_nodes} and shm_max_namespaces "
                             f"{ptr.shm_max_namespaces} ({size} bytes) does not fit 32 bits")
    check_config_file(ptr, what, config_file)


# --- fields that C sets through functions -------------------------------------------------
def _text(ptr: Any) -> Optional[str]:
    return None if ptr == ffi.NULL else ffi.string(ptr).decode("utf-8", "replace")


def _get_hosts(view: CStruct) -> List[Tuple[str, int, Optional[str]]]:
    """The seed hosts as (name, port, tls_name) tuples; change them with as_config_add_host*."""
    vector = view._ptr.hosts
    if vector == ffi.NULL:
        return []
    hosts = ffi.cast("as_host*", vector.list)
    return [(_text(hosts[i].name) or "", hosts[i].port, _text(hosts[i].tls_name))
            for i in range(vector.size)]


def _get_rack_ids(view: CStruct) -> List[int]:
    vector = view._ptr.rack_ids
    if vector == ffi.NULL:
        return []
    ids = ffi.cast("int*", vector.list)
    return [ids[i] for i in range(vector.size)]


def _set_rack_ids(view: CStruct, value: Iterable[int]) -> None:
    values = list(value)
    for rack_id in values:
        if isinstance(rack_id, bool) or not isinstance(rack_id, int) or not -(1 << 31) <= rack_id < (1 << 31):
            raise TypeError(f"{view._path}.rack_ids must be a list of C ints, got {rack_id!r}")
    with view._owner._changing_c_state(f"{view._path}.rack_ids"):
        lib.asc_config_clear_rack_ids(view._ptr)
        for rack_id in values:
            lib.as_config_add_rack_id(view._ptr, rack_id)


def _get_ip_map(view: CStruct) -> Dict[str, str]:
    entries = view._ptr.ip_map
    if entries == ffi.NULL:
        return {}
    return {_text(entries[i].orig) or "": _text(entries[i].alt) or ""
            for i in range(view._ptr.ip_map_size)}


def _set_ip_map(view: CStruct, value: Optional[Dict[str, str]]) -> None:
    """ip_map: {address the server reports: address to use}. C leaves this memory to the caller."""
    if value is None:
        value = {}
    if not isinstance(value, dict):
        raise TypeError(f"{view._path}.ip_map must be a dict of str to str")
    entries = ffi.new("as_addr_map[]", max(len(value), 1))
    strings = []
    for i, (orig, alt) in enumerate(value.items()):
        orig_c = ffi.new("char[]", c_str("ip_map key", orig))
        alt_c = ffi.new("char[]", c_str("ip_map value", alt))
        entries[i].orig, entries[i].alt = orig_c, alt_c
        strings += [orig_c, alt_c]
    with view._owner._changing_c_state(f"{view._path}.ip_map"):
        view._ptr.ip_map = entries if value else ffi.NULL
        view._ptr.ip_map_size = len(value)
        # Replaces (frees) the previous map: nothing else points at it while not connected.
        view._owner._keep_field(ffi.addressof(view._ptr[0], "ip_map"), (entries, strings))


register_field("as_config", "hosts", _get_hosts)
register_field("as_config", "rack_ids", _get_rack_ids, _set_rack_ids)
register_field("as_config", "ip_map", _get_ip_map, _set_ip_map)
register_field("as_config", "ip_map_size", lambda view: view._ptr.ip_map_size)
