"""as_key: user keys of every type, digests exactly as the C client computes them, misuse.

A digest is RIPEMD-160 over the set name, the key's particle type and its bytes
(8 big-endian bytes for an int). The reference digests here are computed with hashlib,
independently of the C client, whose as_key_digest() must agree.
"""
from __future__ import annotations

import hashlib
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import aerospike_c as asc
from aerospike_c.bindings.as_key import key_arg, key_to_python, new_key
from multi_record_fixtures import NAMESPACE, client, set_name  # noqa: F401 - pytest fixtures

INT64 = st.integers(min_value=-(2 ** 63), max_value=2 ** 63 - 1)


def ripemd160(data: bytes) -> bytes:
    try:
        digest = hashlib.new("ripemd160")
    except ValueError:  # pragma: no cover - OpenSSL without the legacy digests
        pytest.skip("hashlib has no ripemd160 here")
    digest.update(data)
    return digest.digest()


def reference_digest(set_name: str, user_key) -> bytes:
    if isinstance(user_key, int):
        particle = bytes([asc.AS_BYTES_INTEGER]) + struct.pack(">q", user_key)
    elif isinstance(user_key, str):
        particle = bytes([asc.AS_BYTES_STRING]) + user_key.encode()
    else:
        particle = bytes([asc.AS_BYTES_BLOB]) + bytes(user_key)
    return ripemd160(set_name.encode() + particle)


@settings(max_examples=60, deadline=None)
@given(set_name=st.text(max_size=20).filter(lambda s: "\0" not in s and len(s.encode()) <= 63),
       user_key=INT64 | st.text(max_size=40) | st.binary(max_size=40))
def test_digest_matches_the_reference_for_every_key_type(set_name, user_key):
    key = new_key("test", set_name or None, user_key)
    assert asc.as_key_digest(key) == reference_digest(set_name, user_key)


def test_each_c_initializer_makes_the_key_it_names():
    assert asc.as_key_init_int64("test", "s", 7).to_tuple()[:3] == ("test", "s", 7)
    assert asc.as_key_init_str("test", "s", "k").to_tuple()[:3] == ("test", "s", "k")
    assert asc.as_key_init("test", "s", "k").to_tuple()[:3] == ("test", "s", "k")
    assert asc.as_key_init_raw("test", "s", b"\x01\x02\x03", 2).to_tuple()[:3] == ("test", "s", b"\x01\x02")
    assert asc.as_key_init_value("test", None, b"v").to_tuple()[:3] == ("test", None, b"v")


def test_a_digest_key_has_only_the_digest():
    digest = asc.as_key_digest(asc.as_key_init_int64("test", "s", 1))
    key = asc.as_key_init_digest("test", "s", digest)
    assert key.to_tuple() == ("test", "s", None, digest)
    assert asc.as_key_digest(key) == digest


def test_str_keys_may_hold_nul_and_digest_all_of_it():
    assert asc.as_key_digest(new_key("test", "s", "a\x00b")) == reference_digest("s", "a\x00b")
    assert asc.as_key_digest(new_key("test", "s", "a\x00b")) != asc.as_key_digest(new_key("test", "s", "a"))


def test_names_that_c_would_truncate_are_param_errors():
    with pytest.raises(asc.ParamError, match="namespace"):
        asc.as_key_init_int64("n" * 32, "s", 1)
    with pytest.raises(asc.ParamError, match="set"):
        asc.as_key_init_int64("test", "s" * 64, 1)
    assert asc.as_key_init_int64("n" * 31, "s" * 63, 1).ns == "n" * 31


@pytest.mark.parametrize("call, error", [
    (lambda: asc.as_key_init_int64("test", "s", 2 ** 63), OverflowError),
    (lambda: asc.as_key_init_int64("test", "s", "1"), TypeError),
    (lambda: asc.as_key_init_int64("test", "s", True), TypeError),
    (lambda: asc.as_key_init_str("test", "s", 1), TypeError),
    (lambda: asc.as_key_init_raw("test", "s", b"ab", 3), ValueError),
    (lambda: asc.as_key_init_digest("test", "s", b"short"), ValueError),
    (lambda: asc.as_key_init_int64(None, "s", 1), TypeError),
    (lambda: asc.as_key_init_int64("te\x00st", "s", 1), ValueError),
    (lambda: new_key("test", "s", 1.5), TypeError),
    (lambda: new_key("test", "s"), ValueError),
    (lambda: key_arg(["test", "s", 1]), TypeError),
])
def test_bad_key_arguments_are_refused(call, error):
    with pytest.raises(error):
        call()


def test_a_tuple_with_a_wrong_digest_is_refused():
    with pytest.raises(ValueError, match="digest"):
        key_arg(("test", "s", 1, b"\x00" * 20))


def test_key_to_python_reads_the_c_struct():
    key = new_key("test", "s", "k")
    digest = asc.as_key_digest(key)
    assert key_to_python(key._ptr) == ("test", "s", "k", digest)


# -- through the cluster --------------------------------------------------------------------------
@pytest.mark.parametrize("user_key", [0, -1, 2 ** 63 - 1, "", "k\x00ey", "ключ", b"", b"\x00\xff"])
def test_every_key_type_addresses_its_record(client, set_name, user_key):  # noqa: F811
    key = (NAMESPACE, set_name, user_key)
    client.put(key, {"v": repr(user_key)})
    record = client.get(key)
    assert record.bins == {"v": repr(user_key)}
    assert record.key == (NAMESPACE, set_name, user_key, reference_digest(set_name, user_key))
    client.remove(key)
    assert client.exists(key) is None


def test_the_digest_alone_finds_the_record(client, set_name):  # noqa: F811
    client.put((NAMESPACE, set_name, "by-digest"), {"v": 1})
    digest = reference_digest(set_name, "by-digest")
    assert client.get((NAMESPACE, set_name, None, digest)).bins == {"v": 1}
    assert asc.aerospike_key_get(client.aerospike, None,
                                 asc.as_key_init_digest(NAMESPACE, set_name, digest)).to_python().bins == {"v": 1}


def test_keys_of_different_types_are_different_records(client, set_name):  # noqa: F811
    client.put((NAMESPACE, set_name, 1), {"t": "int"})
    client.put((NAMESPACE, set_name, "1"), {"t": "str"})
    client.put((NAMESPACE, set_name, b"1"), {"t": "bytes"})
    assert [client.get((NAMESPACE, set_name, k)).bins["t"] for k in (1, "1", b"1")] == ["int", "str", "bytes"]


def test_c_faithful_calls_keep_tuple_keys_alive_through_the_call(client, set_name):  # noqa: F811
    # The user key's bytes must outlive the temporary as_key made from a tuple.
    for i in range(20):
        user_key = f"temporary-{i}" * 3
        asc.aerospike_key_put(client.aerospike, None, (NAMESPACE, set_name, user_key), {"i": i})
        rec = asc.aerospike_key_select(client.aerospike, None, (NAMESPACE, set_name, user_key), ["i"])
        assert asc.as_record_get_int64(rec, "i", -1) == i
        asc.aerospike_key_remove(client.aerospike, None, (NAMESPACE, set_name, user_key))
