"""aerospike_info.h: info requests to a host, to any node, to one node, to every node.

    res = aerospike_info_any(as_, None, "namespaces")   # char* res; ...(&as, &err, NULL, "namespaces", &res)
    res = aerospike_info_host(as_, None, "127.0.0.1", 3000, "build")
    res = aerospike_info_node(as_, None, node_name, "statistics")
    aerospike_info_foreach(as_, None, "node", callback, udata)

A response is the server's raw text (`"namespaces\\ttest\\n"`), as C returns it; the
buffer C allocated is decoded and freed here. An `ERROR:`/`FAIL:`/`error=` reply becomes
the AerospikeError C reports. A node is named by its node name (Python keeps no
`as_node*`). The request is copied into a private buffer, because with
`policy.send_as_is = False` the C client rewrites it in place.

`aerospike_info_foreach` calls `callback(err, node, req, res, udata)` once per node, in
the calling thread: `err` is None (C passes an error that is always OK there), `node`
the node name, `res` that node's response. A false return value other than None stops
the loop, as in C; the function then returns False (C's AEROSPIKE_ERR_QUERY_ABORTED is
the caller's own stop, not a failure), otherwise True. An exception raised by the
callback stops the loop and is re-raised once C has returned.
"""
from __future__ import annotations

from typing import Any, Callable, Optional

from .._aerospike import ffi, lib
from ._calls import (CallbackContext, c_call, c_uint, from_udata, keep_escaped, policy_arg,
                     taken_string)
from .aerospike import _instance, aerospike, using
from .aerospike_stats import _filled_stats
from .as_config import c_str
from .as_error import check, new_error
from .as_status import as_status
from .as_event import loop_ptr
from ._async import listen

__all__ = ["aerospike_info_any", "aerospike_info_host", "aerospike_info_node",
           "aerospike_info_foreach", "aerospike_info_node_async"]

InfoCallback = Callable[[None, str, str, str, Any], Any]


def _request(req: Any) -> Any:
    """A writable NUL-terminated copy of the request (C may rewrite it in place)."""
    return ffi.new("char[]", c_str("req", req))


def _text(ptr: Any) -> str:
    return "" if ptr == ffi.NULL else ffi.string(ptr).decode("utf-8", "replace")


def _response(function: str, as_: aerospike, *args: Any) -> str:
    """Run an info function whose last argument is `char** res`; the response text."""
    res = ffi.new("char**")
    try:
        c_call(as_, function, *args, res)
    finally:
        text = taken_string(res[0])
    return text or ""


def aerospike_info_any(as_: aerospike, policy: Any, req: str) -> str:
    """aerospike_info_any(): send `req` to a random node; its response text."""
    return _response("aerospike_info_any", as_, policy_arg(policy, "as_policy_info"),
                     _request(req))


def aerospike_info_host(as_: aerospike, policy: Any, hostname: str, port: int, req: str) -> str:
    """aerospike_info_host(): send `req` to hostname:port over a new socket (not the pool)."""
    return _response("aerospike_info_host", as_, policy_arg(policy, "as_policy_info"),
                     c_str("hostname", hostname), c_uint("port", port, 16), _request(req))


def aerospike_info_node(as_: aerospike, policy: Any, node: str, req: str) -> str:
    """aerospike_info_node(): send `req` to the node named `node`; its response text.

    An unknown node name raises InvalidNodeError (AEROSPIKE_ERR_INVALID_NODE)."""
    c_policy = policy_arg(policy, "as_policy_info")
    c_node_name = c_str("node", node)
    c_req = _request(req)
    res = ffi.new("char**")
    err = new_error()
    instance = _instance(as_)
    # A stats snapshot holds a reference on every node for as long as it is open.
    with _filled_stats(instance, "aerospike_info_node") as stats:
        for i in range(stats.nodes_size):
            c_node = stats.nodes[i].node
            if ffi.string(lib.asc_node_name(c_node)) == c_node_name:
                status = lib.aerospike_info_node(instance._ptr, err, c_policy, c_node, c_req, res)
                break
        else:
            status = err.code = as_status.AEROSPIKE_ERR_INVALID_NODE
            err.message = f"Node not found: {node}".encode()[:200]
    text = taken_string(res[0])
    check(status, err)
    return text or ""


@ffi.def_extern(onerror=keep_escaped)
def asc_info_foreach_callback(err: Any, node: Any, req: Any, res: Any, udata: Any) -> bool:
    """C calls this once per node; the Python callback runs under its context's rules."""
    context = from_udata(udata)
    return context.invoke(lambda: (None, _text(lib.asc_node_name(node)), _text(req), _text(res),
                                   context.udata))


def aerospike_info_foreach(as_: aerospike, policy: Any, req: str, callback: InfoCallback,
                           udata: Optional[Any] = None) -> bool:
    """aerospike_info_foreach(): send `req` to every node, calling back with each response.

    Returns True when every node answered, False when the callback stopped the loop."""
    c_policy = policy_arg(policy, "as_policy_info")
    c_req = _request(req)
    context = CallbackContext(callback, udata)
    err = new_error()
    with using(as_, "aerospike_info_foreach", connected=True) as ptr:
        status = lib.aerospike_info_foreach(ptr, err, c_policy, c_req,
                                            lib.asc_info_foreach_callback, context.handle)
    context.reraise()
    if context.stopped and status == as_status.AEROSPIKE_ERR_QUERY_ABORTED:
        return False
    check(status, err)
    return True


def info_response(item: Any) -> str:
    """The response text an info completion carries (csrc/asc_async_batch.h)."""
    return ffi.buffer(item.data, item.size)[:].decode("utf-8", "replace")


def aerospike_info_node_async(as_: aerospike, policy: Any, node: str, req: str,
                              listener: Callable[[Optional[Exception], Optional[str], Any, Any], Any],
                              udata: Any = None, event_loop: Any = None) -> None:
    """aerospike_info_node_async(): send `req` to the node named `node` on an event loop;
    listener(err, response, udata, event_loop) runs once on the dispatcher thread, with the
    response text as aerospike_info_node returns it (None with an error). C takes the
    `as_node*`, here its name: an unknown name raises InvalidNodeError, as
    aerospike_info_node does (the listener then never runs)."""
    c_policy = policy_arg(policy, "as_policy_info")
    c_node_name = ffi.new("char[]", c_str("node", node))
    c_req = _request(req)
    instance = _instance(as_)
    c_loop = loop_ptr(event_loop, "aerospike_info_node_async")
    listen(instance, "aerospike_info_node_async", listener, udata, c_loop,
           lambda item, failed: None if failed else info_response(item),
           lib.asc_async_info, c_policy, c_node_name, c_req)
