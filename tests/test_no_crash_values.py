"""Values and keys never crash and never write what cannot be read (issue 10, findings 5, 16,
18, 19): the C reader's depth limit and cycles are refused at write time naming the bin, C's
negative TTL sentinels are accepted, oversized keys are refused on every path, and a key's
digest follows one rule. Everything here is valid against a real server."""
from __future__ import annotations

import math
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import aerospike_c as asc
from aerospike_c import ops
from aerospike_c.bindings.as_key import KEY_MAX_SIZE
from aerospike_c.bindings.as_val import MAX_DEPTH
from aerospike_c.exceptions import ParamError
from aerospike_c._queries import BatchWrite
from multi_record_fixtures import (NAMESPACE, client, set_name,  # noqa: F401 - pytest fixtures
                                   ttl_refusal)

from probe_helpers import probe_output


def nested(depth: int, leaf=1, kind=list):
    """`leaf` inside `depth` lists (or maps)."""
    value = leaf
    for _ in range(depth):
        value = [value] if kind is list else {"k": value}
    return value


def cycle_list():
    value: list = [1]
    value.append(value)
    return value


def cycle_dict():
    value: dict = {"a": 1}
    value["self"] = [value]
    return value


# -- finding 16 and 19: depth and cycles ----------------------------------------------------------
def test_the_limit_is_the_c_readers() -> None:
    assert MAX_DEPTH == 64  # MSGPACK_MAX_DEPTH in the C client's as_msgpack.c


@pytest.mark.parametrize("kind", [list, dict])
def test_the_deepest_value_c_reads_is_written_and_read_back_everywhere(client, set_name, kind):  # noqa: F811
    key = (NAMESPACE, set_name, "deep")
    value = nested(MAX_DEPTH, kind=kind)
    client.put(key, {"b": value})
    assert client.get(key).bins["b"] == value
    assert client.batch_get([key])[0].bins["b"] == value
    assert [r.bins["b"] for r in client.scan(NAMESPACE, set_name)] == [value]


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 100, 256, 257, 300, 512, 600, 5000])
@pytest.mark.parametrize("kind", [list, dict])
def test_deeper_values_are_refused_naming_the_bin(client, set_name, depth, kind):  # noqa: F811
    """Were acknowledged then unreadable (65..256), a misleading 'no room' ParamError
    (257..512) or a RecursionError (deeper)."""
    key = (NAMESPACE, set_name, depth)
    value = nested(depth, kind=kind)
    with pytest.raises(ValueError, match="bin 'deep_bin'.*nested more than 64") as info:
        client.put(key, {"deep_bin": value})
    assert not isinstance(info.value, RecursionError)
    with pytest.raises(ValueError, match="nested more than 64"):
        client.operate(key, [ops.write("deep_bin", value)])
    rec = asc.as_record_init(1)
    with pytest.raises(ValueError, match="bin 'deep_bin'"):
        asc.as_record_set_list(rec, "deep_bin", [value]) if kind is list else \
            asc.as_record_set_map(rec, "deep_bin", {"x": value})
    asc.as_record_destroy(rec)
    with pytest.raises(ValueError, match="nested more than 64"):
        client.batch_records([BatchWrite(key, {"deep_bin": value})])
    assert client.exists(key) is None  # nothing was written


@pytest.mark.parametrize("make", [cycle_list, cycle_dict])
def test_self_containing_values_are_value_errors(client, set_name, make):  # noqa: F811
    key = (NAMESPACE, set_name, "cycle")
    with pytest.raises(ValueError, match="bin 'c': the value contains itself"):
        client.put(key, {"c": make()})
    with pytest.raises(ValueError, match="contains itself"):
        client.operate(key, [ops.write("c", make())])
    ops_ = asc.as_operations_init(1)
    with pytest.raises(ValueError, match="contains itself"):
        asc.as_operations_list_append(ops_, "c", None, None, make())
    asc.as_operations_destroy(ops_)


def test_cdt_values_count_the_levels_above_them(client, set_name):  # noqa: F811
    """A list_append value lands one level down its bin's list, and one more per context item."""
    key = (NAMESPACE, set_name, "cdt")
    client.put(key, {"l": [[0]]})
    ops_ = asc.as_operations_init(1)
    with pytest.raises(ValueError, match="nested more than 63"):
        asc.as_operations_list_append(ops_, "l", None, None, nested(MAX_DEPTH))
    ctx = asc.as_cdt_ctx_init(1)
    asc.as_cdt_ctx_add_list_index(ctx, 0)
    with pytest.raises(ValueError, match="nested more than 62"):
        asc.as_operations_list_append(ops_, "l", ctx, None, nested(MAX_DEPTH - 1))
    asc.as_operations_list_append(ops_, "l", ctx, None, nested(MAX_DEPTH - 2))
    asc.aerospike_key_operate(client.aerospike, None, key, ops_)
    back = client.get(key).bins["l"]
    assert back == [[0, nested(MAX_DEPTH - 2)]]
    asc.as_operations_destroy(ops_)
    asc.as_cdt_ctx_destroy(ctx)


def test_deep_udf_arguments_are_refused_before_sending(client, set_name):  # noqa: F811
    with pytest.raises(ValueError, match="nested more than 64"):
        client.apply((NAMESPACE, set_name, 1), "module", "function", [nested(MAX_DEPTH)])


def test_deep_and_cyclic_values_in_a_subprocess(aerospike_hosts) -> None:
    """The issue's reproducers, one process: no signal, no RecursionError."""
    out = probe_output('''
        import sys
        sys.setrecursionlimit(200)
        for depth in (65, 256, 300, 600, 20000):
            value = 1
            for _ in range(depth):
                value = [value]
            try:
                client.put(("test", PROBE_SET, depth), {"b": value})
                print("ACCEPTED", depth)
            except RecursionError:
                print("RECURSION", depth)
            except ValueError as exc:
                print("refused", depth)
        loop = []
        loop.append(loop)
        try:
            client.put(("test", PROBE_SET, "loop"), {"b": loop})
        except ValueError:
            print("refused loop")
        client.close()
    ''', hosts=aerospike_hosts, connect=True)
    assert out.count("refused") == 6, out


# -- finding 19: C's TTL sentinels -------------------------------------------------------------------
def test_ttl_sentinels_are_accepted_where_c_users_write_them(client, set_name):  # noqa: F811
    key = (NAMESPACE, set_name, "ttl")
    client.put(key, {"a": 1}, ttl=-1)  # AS_RECORD_NO_EXPIRE_TTL
    assert client.exists(key)["ttl"] == asc.AS_RECORD_NO_EXPIRE_TTL
    if ttl_refusal(client) is None:  # a server's default takes no ttl
        client.put(key, {"a": 2}, ttl=1000)
        client.put(key, {"a": 3}, ttl=-2)  # AS_RECORD_NO_CHANGE_TTL: keeps the 1000 s
        assert 0 < client.exists(key)["ttl"] <= 1000
    else:
        client.put(key, {"a": 3}, ttl=-2)  # AS_RECORD_NO_CHANGE_TTL: keeps never expiring
        assert client.exists(key)["ttl"] == asc.AS_RECORD_NO_EXPIRE_TTL
    client.operate(key, [ops.touch()], ttl=-1)
    assert client.exists(key)["ttl"] == asc.AS_RECORD_NO_EXPIRE_TTL
    policy = asc.as_policy_write_init()
    policy.ttl = -1
    assert policy.ttl == asc.AS_RECORD_NO_EXPIRE_TTL
    rec = asc.as_record_init(1)
    asc.as_record_set_int64(rec, "a", 4)
    rec.ttl = -3  # AS_RECORD_CLIENT_DEFAULT_TTL: the policy's ttl (never expire)
    asc.aerospike_key_put(client.aerospike, policy, key, rec)
    assert client.exists(key)["ttl"] == asc.AS_RECORD_NO_EXPIRE_TTL
    asc.as_record_destroy(rec)
    built = asc.as_operations_init(1)
    built.ttl = -2
    assert built.ttl == asc.AS_RECORD_NO_CHANGE_TTL
    asc.as_operations_destroy(built)


@pytest.mark.parametrize("ttl", [-4, -(2 ** 40), 2 ** 32])
def test_other_ttls_outside_uint32_name_the_field(client, set_name, ttl):  # noqa: F811
    with pytest.raises(ValueError, match="ttl"):
        client.put((NAMESPACE, set_name, 1), {"a": 1}, ttl=ttl)
    with pytest.raises(ValueError, match="as_record.ttl"):
        asc.as_record_init(1).ttl = ttl


# -- finding 5: key size --------------------------------------------------------------------------
def test_oversized_keys_are_refused_on_every_path(aerospike_hosts) -> None:
    """An 8 MiB str/bytes key was a SIGSEGV (the C client hashes keys on the stack)."""
    out = probe_output(f'''
        from aerospike_c import *
        limit = {KEY_MAX_SIZE}
        fine = "k" * limit
        as_key_digest(as_key_init_str("test", "demo", fine))
        for big in ("x" * (8 << 20), b"x" * (8 << 20), "y" * (limit + 1)):
            key = ("test", "demo", big)
            calls = {{
                "as_key_digest": lambda: as_key_digest(as_key_init_value("test", "demo", big)),
                "get": lambda: client.get(key), "put": lambda: client.put(key, {{"a": 1}}),
                "exists": lambda: client.exists(key), "remove": lambda: client.remove(key),
                "operate": lambda: client.operate(key, [ops.read("a")]),
                "batch_get": lambda: client.batch_get([("test", "demo", 1), key]),
                "aerospike_key_get": lambda: aerospike_key_get(as_, None, key),
            }}
            for name, call in calls.items():
                try:
                    call()
                    print("ACCEPTED", name)
                except ValueError as exc:
                    print("refused", name)
        client.close()
    ''', hosts=aerospike_hosts, connect=True)
    assert "ACCEPTED" not in out and out.count("refused") == 24, out


def test_a_key_at_the_limit_works(client, set_name):  # noqa: F811
    key = (NAMESPACE, set_name, b"k" * 1000)
    client.put(key, {"a": 1})
    assert client.get(key).bins == {"a": 1}
    with pytest.raises(ParamError, match="at most"):
        client.get((NAMESPACE, set_name, b"k" * (KEY_MAX_SIZE + 1)))


# -- finding 18: one rule for a key with both a user key and a digest -----------------------------
def test_a_digest_given_with_a_user_key_must_be_its_digest_on_every_path(client, set_name):  # noqa: F811
    key = (NAMESPACE, set_name, 1)
    client.put(key, {"a": 1})
    right = asc.as_key_digest(asc.as_key_init_int64(NAMESPACE, set_name, 1))
    wrong = asc.as_key_digest(asc.as_key_init_int64(NAMESPACE, set_name, 2))
    assert client.get(key + (right,)).bins == {"a": 1}
    assert client.batch_get([key + (right,)])[0].bins == {"a": 1}
    read_back = client.get(key).key  # records carry (ns, set, key, digest): reusable
    assert client.get(read_back).bins == {"a": 1}
    bad = key + (wrong,)
    for call in (lambda: client.get(bad), lambda: client.put(bad, {"a": 2}),
                 lambda: client.exists(bad), lambda: client.remove(bad),
                 lambda: client.operate(bad, [ops.read("a")]),
                 lambda: client.batch_get([key, bad]),
                 lambda: client.get(bad, bins=["a"]),
                 lambda: asc.aerospike_key_get(client.aerospike, None, bad)):
        with pytest.raises(ValueError, match="is not the digest of the user key"):
            call()
    batch = asc.as_batch_init(1)
    with pytest.raises(ValueError, match="is not the digest"):
        batch[0] = bad
    asc.as_batch_destroy(batch)
    assert client.get(key).bins == {"a": 1}


# -- the fuzz: whatever is acknowledged reads back; whatever is refused is a clean exception ------
INT = st.integers(min_value=-(2 ** 70), max_value=2 ** 70)
TEXT = st.text()  # NUL, lone surrogates and all
SCALARS = st.none() | st.booleans() | INT | st.floats(allow_nan=False) | TEXT | st.binary()
MAP_KEYS = INT | st.text(alphabet=st.characters(blacklist_characters="\x00")) | st.binary()
SHALLOW = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                       | st.dictionaries(MAP_KEYS, inner, max_size=4), max_leaves=12)


@st.composite
def values(draw):
    """Shallow values, values nested to around the C limit, and self-containing ones."""
    choice = draw(st.integers(0, 5))
    if choice <= 2:
        return draw(SHALLOW)
    value = draw(SHALLOW)
    if choice == 5:
        container = draw(st.sampled_from([[], {}]))
        if isinstance(container, list):
            container.extend([value, container])
        else:
            container.update(v=value, me=container)
        return container
    return nested(draw(st.integers(MAX_DEPTH - 3, MAX_DEPTH + 3)), value,
                  draw(st.sampled_from([list, dict])))


def expected(value, top=True):
    """What the C client reads back: tuples as lists, nested strings cut at a NUL."""
    if isinstance(value, str) and not top:
        return value.split("\x00", 1)[0]
    if isinstance(value, (list, tuple)):
        return [expected(v, False) for v in value]
    if isinstance(value, dict):
        return {expected(k, False): expected(v, False) for k, v in value.items()}
    return value


def same(a, b) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return a == b or (isinstance(a, float) and math.isnan(a) and math.isnan(b))


KEYS = st.integers(-(2 ** 64), 2 ** 64) | st.text(max_size=30) | st.binary(max_size=30)


#: Examples of the fuzz: a few hundred in the suite, more in scripts/fuzz_values.sh.
FUZZ_EXAMPLES = int(os.environ.get("AEROSPIKE_C_FUZZ_EXAMPLES", "300"))


@settings(max_examples=FUZZ_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(user_key=KEYS, value=values(), how=st.sampled_from(["put", "operate", "batch"]))
def test_fuzz_acknowledged_means_readable(client, set_name, user_key, value, how):  # noqa: F811
    key = (NAMESPACE, set_name, user_key)
    try:
        if how == "put":
            client.put(key, {"v": value, "k": 1})  # k: the record exists when v is None
        elif how == "operate":
            client.operate(key, [ops.write("k", 1), ops.write("v", value)])
        else:
            client.batch_records([BatchWrite(key, {"v": value, "k": 1})])
    except (TypeError, ValueError, OverflowError) as exc:
        assert not isinstance(exc, RecursionError)
        return
    back = client.get(key).bins.get("v")
    assert same(back, expected(value)), (back, value)
    assert same(client.batch_get([key])[0].bins.get("v"), back)
    client.remove(key)
