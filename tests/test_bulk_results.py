"""Batch keys set in one C call and scan records delivered in chunks: every key form in one
batch, bad keys raise their own error, and a scan stops right after the record whose
callback said so, also past the first chunk of records."""
from __future__ import annotations

import pytest

import aerospike_c as asc
from multi_record_fixtures import NAMESPACE, client, fill, set_name  # noqa: F401 - fixtures


def test_batch_get_takes_every_key_form_in_one_batch(client, set_name):
    client.put((NAMESPACE, set_name, 1), {"i": 1})
    client.put((NAMESPACE, set_name, "a\0b"), {"i": 2})
    client.put((NAMESPACE, set_name, b"\0raw"), {"i": 3})
    client.put((NAMESPACE, set_name, 4), {"i": 4})
    digest = asc.as_key_digest(asc.as_key_init_int64(NAMESPACE, set_name, 4))
    keys = [(NAMESPACE, set_name, 1), (NAMESPACE, set_name, "a\0b"),
            (NAMESPACE, set_name, bytearray(b"\0raw")), (NAMESPACE, set_name, None, digest),
            asc.as_key_init_int64(NAMESPACE, set_name, 4), (NAMESPACE, set_name, 1),
            (NAMESPACE, set_name, 404)]
    records = client.batch_get(keys)
    assert [r and r.bins["i"] for r in records] == [1, 2, 3, 4, 4, 1, None]
    assert [r.key[2] for r in records[:6]] == [1, "a\0b", b"\0raw", None, 4, 1]
    assert records[3].key[3] == digest and records[4].key[3] == digest
    assert all(r.key[:2] == (NAMESPACE, set_name) for r in records[:6])


@pytest.mark.parametrize("bad_key, error", [
    (1.5, TypeError), (True, TypeError), (1 << 63, OverflowError), (None, ValueError)])
def test_a_bad_key_in_a_batch_raises_its_own_error(client, set_name, bad_key, error):
    with pytest.raises(error):
        client.batch_get([(NAMESPACE, set_name, 1), (NAMESPACE, set_name, bad_key)])


def test_a_long_set_name_in_a_batch_raises_param_error(client, set_name):
    with pytest.raises(asc.ParamError):
        client.batch_get([(NAMESPACE, set_name, 1), (NAMESPACE, "s" * 64, 1)])


@pytest.mark.parametrize("concurrent", [False, True])
def test_scan_stops_right_after_the_record_that_said_so(client, set_name, concurrent):
    fill(client, set_name, 1000)
    seen = []
    client.scan_foreach(NAMESPACE, set_name, lambda record: seen.append(record) or len(seen) < 300,
                        concurrent=concurrent)
    assert len(seen) == 300 and None not in seen
    assert len({record.key[3] for record in seen}) == 300


def test_scan_of_large_records_arrives_whole_in_byte_bounded_chunks(client, set_name):
    blob = bytes(range(256)) * 800  # 200 KiB: a 1 MiB chunk holds only a few
    for i in range(12):
        client.put((NAMESPACE, set_name, i), {"i": i, "blob": blob})
    seen = []
    client.scan_foreach(NAMESPACE, set_name, seen.append)
    assert seen[-1] is None
    assert sorted(record.bins["i"] for record in seen[:-1]) == list(range(12))
    assert all(record.bins["blob"] == blob for record in seen[:-1])


def _general_batch_get(client, keys):
    """What Client.batch_get answers through the C-faithful listener path (as_batch_result
    rows), for comparing with its one-call path."""
    from aerospike_c._queries import _raise_row_failure
    from aerospike_c.bindings.asc_batch import new_record
    rows, failed = client._batch_rows("aerospike_batch_get", keys, None)
    _raise_row_failure(rows, failed)
    return [new_record((tuple(row[0]), {"gen": row[5], "ttl": row[6]}, row[7]))
            if row[1] == 0 else None for row in rows]


def test_the_one_call_batch_read_answers_what_the_general_path_answers(client, set_name):
    wide = {"i": 7, "f": 1.5, "s": "text", "b": b"\0bytes", "l": [1, "two", [3]],
            "m": {"k": {"n": None}}, "big": "x" * 5000}
    for user_key in (1, "a\0b", b"\0raw"):
        client.put((NAMESPACE, set_name, user_key), wide)
    digest = asc.as_key_digest(asc.as_key_init_int64(NAMESPACE, set_name, 1))
    keys = [(NAMESPACE, set_name, 1), (NAMESPACE, set_name, "a\0b"), (NAMESPACE, set_name, b"\0raw"),
            (NAMESPACE, set_name, None, digest), (NAMESPACE, set_name, 404), (NAMESPACE, set_name, 1)]
    fast = client.batch_get(keys)
    assert fast == _general_batch_get(client, keys)
    assert fast[4] is None and fast[0].bins == wide and fast[3].key == (NAMESPACE, set_name, None, digest)
    assert client.batch_bins(keys) == [r and r.bins for r in fast]
    assert client.batch_bins(keys, bins=["s"]) == [r and {"s": "text"} for r in fast]
    assert client.batch_get([]) == [] and client.batch_bins([]) == []


def test_the_one_call_batch_read_raises_what_the_general_path_raises(client):
    keys = [("no_such_namespace", "s", 1), ("no_such_namespace", "s", 2)]
    with pytest.raises(asc.NamespaceNotFoundError) as general:
        _general_batch_get(client, keys)
    for read in (client.batch_get, client.batch_bins):
        with pytest.raises(asc.NamespaceNotFoundError) as fast:
            read(keys)
        assert (fast.value.code, fast.value.message, fast.value.in_doubt, fast.value.file) == (
            general.value.code, general.value.message, general.value.in_doubt, general.value.file)
        assert isinstance(fast.value.__cause__, asc.BatchFailedError)
