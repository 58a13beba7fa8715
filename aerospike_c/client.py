"""The idiomatic layer: `Config` and `Client`, built only on the C-faithful bindings.

    config = Config(hosts=[("127.0.0.1", 3000)], tender_interval=500,
                    policies={"read": {"base": {"total_timeout": 200}}})
    with Client(config) as client:       # aerospike_init + aerospike_connect
        print(client.node_names(), client.stats())
                                         # aerospike_close + aerospike_destroy on exit

A `Config` is plain Python and reusable: every `Client` gets its own `as_config` from
it (C gives the config to one client only). Every setting is checked when the `Config`
is made, with the error naming the C field; the `Config` keeps a copy of what it was given
(nested dicts and lists included), so changing those objects later changes nothing. A
`Config` of (host, port[, tls_name]) tuples and plain int/bool fields (the usual one) is
checked without an as_config, and each `Client` gets its instance from it in one C call
(`aerospike_init_plain`, of an as_config made once and shared by the Configs of arguments C
takes alike); any other is checked on an as_config it builds. Same checks, same errors, same
as_config either way (tests/test_fast_paths.py).

`Client` is strict about its lifecycle where the C-faithful layer follows C: closing a
client that is not connected (twice, or never connected) and any call after `destroy()`
raise `LifecycleError`. Reconnecting after `close()` is allowed, as in C.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Tuple, Union, cast

from . import bindings as c
from ._admin import Admin
from ._queries import QueryMethods
from ._records import RecordMethods
from ._txn import TransactionMethods
from .bindings._cstruct import CStruct, plain_setting, set_fields
from .bindings.aerospike import PlainInit, aerospike_init_plain, close_and_destroy, config_key
from .bindings.as_config import CheckedHost, checked_host
from .bindings.as_error import lifecycle_error

__all__ = ["Config", "Client", "HostSpec"]

HostSpec = Union[str, Tuple[str, int], Tuple[str, int, Optional[str]]]


def _copied(value: Any) -> Any:
    """value with its dicts and lists copied, nested ones too (what a Config keeps)."""
    if isinstance(value, dict):
        return {name: _copied(item) for name, item in value.items()}
    if isinstance(value, list):
        return [_copied(item) for item in value]
    return value


class _Setting:
    """A Config attribute (stored as `_<name>`): setting it drops the as_config the Config
    built to check itself, and so does reading a mutable one (the caller may change it in
    place); the next Client then gets an as_config made from what the Config holds now."""

    def __init__(self, *, mutable: bool) -> None:
        self.mutable = mutable
        self.slot = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.slot = "_" + name

    def __get__(self, config: Any, owner: Optional[type] = None) -> Any:
        if config is None:
            return self
        if self.mutable:
            config._probe = None
        return config.__dict__[self.slot]

    def __set__(self, config: Any, value: Any) -> None:
        config._probe = None
        config.__dict__[self.slot] = value


class _Hosts(_Setting):
    """Config.hosts: what is assigned is checked and kept as Config(hosts) checks and keeps it
    (a host string parsed, each host a (name, port, tls_name) tuple)."""

    def __set__(self, config: Any, value: Any) -> None:
        super().__set__(config, Config(value, default_port=config.default_port)._hosts)


class _PlainRecipe:
    """A Config whose every setting C takes as it is: seed hosts as (address, port[, tls_name])
    tuples, as_config fields that are plain ints and bools (plain_setting), no user. Each
    Client made from it gets its instance in one C call (aerospike_init_plain of its
    PlainInit), with no as_config object between; what C gets is the same. Immutable: Configs
    made of equal arguments share one (_plain_recipe)."""

    __slots__ = ("init", "given_hosts")

    def __init__(self, init: PlainInit, given_hosts: Tuple[Tuple[str, int, Optional[str]], ...]) -> None:
        self.init = init  # as C takes it
        self.given_hosts = given_hosts  # as the Config keeps them (a list of them: its _hosts)


_AS_CONFIG = "struct as_config_s"  # the C name CStruct knows as_config's fields by
_RECIPES: Dict[Any, _PlainRecipe] = {}  # by config_key(hosts, fields)
_MAX_RECIPES = 64


def _plain_recipe(hosts: Any, user: Any, password: Any, fields: Dict[str, Any]) -> Optional[_PlainRecipe]:
    """The _PlainRecipe of these Config arguments, or None when any is not plain (the checked
    as_config path then raises what is wrong with it). Configs of arguments that C takes
    alike (config_key) share one."""
    if user is not None or password is not None:
        return None
    key = config_key(hosts, fields)
    recipe = _RECIPES.get(key) if key is not None else None
    if recipe is None and type(hosts) in (list, tuple):
        recipe = _new_plain_recipe(tuple(hosts), tuple(fields.items()))
        if recipe is not None and key is not None:
            if len(_RECIPES) >= _MAX_RECIPES:
                _RECIPES.clear()
            _RECIPES[key] = recipe
    return recipe


def _new_plain_recipe(hosts: Tuple[Tuple[Any, ...], ...],
                      items: Tuple[Tuple[str, Any], ...]) -> Optional[_PlainRecipe]:
    checked, given = [], []
    for host in hosts:
        if type(host) is not tuple or len(host) not in (2, 3):
            return None
        address, port = host[0], host[1]
        tls_name = host[2] if len(host) == 3 else None
        try:
            checked.append(checked_host(address, port, tls_name))
        except (TypeError, ValueError):
            return None
        given.append((address, port, tls_name))
    for name, value in items:
        if not plain_setting(_AS_CONFIG, name, value):
            return None
    return _PlainRecipe(PlainInit(checked, items), tuple(given))


class Config:
    """Settings for a `Client`: seed hosts, credentials and any `as_config` field by C name.

    hosts: "host[:tls_name][:port],..." (the C syntax), or a list of such strings and
        (host, port[, tls_name]) tuples; default_port is the port of a host string naming none.
    fields: as_config fields by C name; nested structs as dicts, e.g.
        policies={"write": {"key": AS_POLICY_KEY_SEND}}, tls={"enable": True},
        lua={"user_path": folder} (where aggregations find their Lua modules; process-wide,
        set by each Client made with it: aerospike_init_lua).
    """

    _hosts: List[Tuple[str, int, Optional[str]]]
    _fields: Dict[str, Any]
    # The checked as_config, for the first to_as_config() (most Configs make one Client),
    # or the _PlainRecipe of a plain Config: dropped when a setting may have changed
    # (fields and hosts are mutable: reading them drops it too).
    _probe: Union["c.as_config", _PlainRecipe, None]

    def __init__(self, hosts: Union[str, Sequence[HostSpec]] = (), *, default_port: int = 3000,
                 user: Optional[str] = None, password: Optional[str] = None,
                 **fields: Any) -> None:
        self.default_port = default_port
        recipe = _plain_recipe(hosts, user, password, fields)
        if recipe is not None:  # checked: no as_config needed to check it
            self._hosts = list(recipe.given_hosts)
            self._user = self._password = None
            self._fields = fields  # a dict of its own (**fields), plain values: nothing to copy
            self._probe = recipe
            return
        probe = c.as_config_init()
        if isinstance(hosts, str):
            c.as_config_add_hosts(probe, hosts, default_port)
            added = None
        else:
            added = [self._add_host(probe, host, default_port) for host in hosts]
        # Host strings are parsed by C: read back what it made of them.
        self._hosts = (cast(List[Tuple[str, int, Optional[str]]], added)
                       if added is not None and None not in added else probe.hosts)
        if (user is None) != (password is None):
            raise ValueError("user and password go together")
        if user is not None and not c.as_config_set_user(probe, user, password):  # type: ignore[arg-type]
            raise ValueError("user and password must be non-empty and at most 63 bytes")
        self._user, self._password = user, password
        set_fields(probe, fields)  # checked first: what passes nests no deeper than the structs
        self._fields = _copied(fields)
        self._probe = probe

    def __getstate__(self) -> Dict[str, Any]:
        # A copy (copy, pickle) makes its own as_config: the checked one goes to one Client.
        # It gets its own hosts and fields too: copy.copy would share the list and dict, and
        # changing the copy's in place would change the original behind its plain recipe.
        return {**self.__dict__, "_probe": None, "_hosts": list(self._hosts),
                "_fields": _copied(self._fields)}

    fields = _Setting(mutable=True)
    hosts = _Hosts(mutable=True)
    user = _Setting(mutable=False)
    password = _Setting(mutable=False)

    @staticmethod
    def _add_host(config: Any, host: HostSpec,
                  default_port: int) -> Optional[Tuple[str, int, Optional[str]]]:
        """Add one host; the (name, port, tls_name) added, None for a host string (its port
        default_port unless it names one)."""
        if isinstance(host, str):
            c.as_config_add_hosts(config, host, default_port)
            return None
        elif isinstance(host, tuple) and len(host) in (2, 3):
            name, port = host[0], host[1]
            tls_name = host[2] if len(host) == 3 else None
            c.as_config_tls_add_host(config, name, tls_name, port)
            return name, port, tls_name
        else:
            raise TypeError(f"a host is 'name[:port]' or (name, port[, tls_name]), not {host!r}")

    def to_as_config(self) -> "c.as_config":
        """A fresh `as_config` with these settings (for aerospike_init)."""
        probe = self._probe
        if isinstance(probe, c.as_config):
            self._probe = None
            return probe
        config = c.as_config_init()
        for host in self._hosts:  # changed in place through .hosts, maybe: each checked again
            self._add_host(config, host, self.default_port)
        if self._user is not None:
            c.as_config_set_user(config, self._user, self._password)  # type: ignore[arg-type]
        set_fields(config, self._fields)
        return config

    def __repr__(self) -> str:
        return f"Config(hosts={self._hosts!r}, fields={self._fields!r})"


class Client(RecordMethods, QueryMethods, TransactionMethods):
    """An Aerospike client: one `aerospike` instance and its cluster.

    `Client(config)` runs aerospike_init; `connect()` aerospike_connect; `close()`
    aerospike_close; `destroy()` aerospike_destroy. As a context manager it connects on
    entry (if needed) and closes and destroys on exit.
    """

    _as: c.aerospike  # the mixins, which only pass it on, declare it Any

    def __init__(self, config: Union[Config, "c.as_config", None] = None, **config_kwargs: Any) -> None:
        if config is None:
            config = Config(**config_kwargs)
        elif config_kwargs:
            raise TypeError("pass either a Config or keyword settings, not both")
        # A subclass that makes its own as_config (to_as_config) gets it: no recipe for it.
        recipe = (config._probe if type(config) is Config or isinstance(config, Config)
                  and type(config).to_as_config is Config.to_as_config else None)
        if type(recipe) is _PlainRecipe:
            self._as = aerospike_init_plain(recipe.init)
            return
        as_config = config.to_as_config() if isinstance(config, Config) else config
        self._as = c.aerospike_init(as_config)
        if isinstance(config, Config) and "lua" in config._fields:
            # C sets its one mod-lua configuration at the first connect of the process only;
            # a Config that names a Lua user path gets it (the last one made wins).
            c.aerospike_init_lua(self._as.config.lua)

    # -- lifecycle ---------------------------------------------------------------------------
    @property
    def aerospike(self) -> "c.aerospike":
        """The C-faithful `aerospike` instance, for the aerospike_* functions."""
        self._check_alive("aerospike")
        return self._as

    @property
    def config(self) -> CStruct:
        """The instance's `as_config` (as->config)."""
        return self._as.config

    def _check_alive(self, what: str) -> None:
        if self._as._destroyed:  # (the slot: .destroyed is a property call on every call)
            raise lifecycle_error(f"Client.{what}: the client was destroyed")

    def connect(self) -> "Client":
        """Connect to the cluster (aerospike_connect). Returns self."""
        self._check_alive("connect")
        c.aerospike_connect(self._as)
        return self

    def close(self) -> None:
        """Close the cluster connections (aerospike_close). The client may connect again."""
        self._check_alive("close")
        if not self._as.connected:
            raise lifecycle_error("Client.close: the client is not connected")
        c.aerospike_close(self._as)

    def destroy(self) -> None:
        """Close if connected, then free the instance (aerospike_destroy). Final."""
        self._check_alive("destroy")
        close_and_destroy(self._as)

    def __enter__(self) -> "Client":
        self._check_alive("__enter__")
        if not self._as.connected:
            self.connect()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        if not self._as.destroyed:
            self.destroy()

    # -- cluster -----------------------------------------------------------------------------
    def is_connected(self) -> bool:
        """aerospike_cluster_is_connected(): at least one node is active and responding."""
        self._check_alive("is_connected")
        return c.aerospike_cluster_is_connected(self._as)

    def node_names(self) -> List[str]:
        """The names of the cluster's nodes."""
        self._check_alive("node_names")
        return c.as_cluster_get_node_names(self._as)

    @property
    def admin(self) -> Admin:
        """Security administration: users, roles, privileges, whitelists, quotas (as_admin.h)."""
        self._check_alive("admin")
        return Admin(self._as)

    def stats(self) -> "c.as_cluster_stats":
        """aerospike_stats(): per-node connection pools and counters."""
        self._check_alive("stats")
        return c.aerospike_stats(self._as)

    def enable_metrics(self, policy: "Optional[c.as_metrics_policy]" = None) -> None:
        """aerospike_enable_metrics(): the C client's periodic metrics, written to its files or
        handed to the policy's Python listeners (as_metrics_policy_set_listeners); None: the
        config's metrics policy. See docs/METRICS.md."""
        self._check_alive("enable_metrics")
        c.aerospike_enable_metrics(self._as, policy)

    def disable_metrics(self) -> None:
        """aerospike_disable_metrics(): stop them (the disable listener runs here)."""
        self._check_alive("disable_metrics")
        c.aerospike_disable_metrics(self._as)

    def __repr__(self) -> str:
        return f"<Client {self._as!r}>"
