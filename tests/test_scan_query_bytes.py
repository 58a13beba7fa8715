"""as_scan_from_bytes / as_query_from_bytes: what as_*_to_bytes wrote comes back whole (C's own
as_*_compare says so), a stopped paginated scan or query resumes from its bytes, and bytes C
did not write are refused with ParamError before C reads them (C trusts them: a partition
id, a count or an operator out of range there indexes a table out of bounds)."""
from __future__ import annotations

import os
import subprocess
import sys
from typing import Any, List

import msgpack
import pytest

import aerospike_c as asc
from multi_record_fixtures import NAMESPACE, client, set_name  # noqa: F401 - fixtures


def items(data: bytes) -> List[Any]:
    """The serialized fields, one msgpack item each."""
    unpacker = msgpack.Unpacker(raw=True, strict_map_key=False)
    unpacker.feed(data)
    return list(unpacker)


def pack(fields: List[Any]) -> bytes:
    return b"".join(msgpack.packb(f, use_bin_type=False) for f in fields)


def full_scan() -> Any:
    scan = asc.as_scan_init(NAMESPACE, "s")
    asc.as_scan_select_inita(scan, 2)
    asc.as_scan_select(scan, "a")
    asc.as_scan_select(scan, "b")
    asc.as_scan_apply_each(scan, "module", "function", [1, "two", [3.0, {"k": b"v"}]])
    scan.ttl = 77
    asc.as_scan_set_nobins(scan, True)
    asc.as_scan_set_concurrent(scan, True)
    asc.as_scan_set_paginate(scan, True)
    return scan


def full_query() -> Any:
    query = asc.as_query_init(NAMESPACE, "s")
    asc.as_query_select_inita(query, 1)
    asc.as_query_select(query, "a")
    asc.as_query_where_inita(query, 1)
    asc.as_query_where(query, "i", *asc.as_integer_range(1, 5))
    asc.as_query_apply(query, "module", "function", ["x"])
    query.max_records = 1000
    query.records_per_second = 50
    query.ttl = 9
    asc.as_query_set_paginate(query, True)
    return query


@pytest.mark.parametrize("predicate", [
    asc.as_integer_equals(-7), asc.as_integer_range(-(2 ** 63), 2 ** 63 - 1),
    asc.as_string_equals("name"),
    asc.as_geo_within('{"type": "Point", "coordinates": [1.0, 2.0]}'),
    asc.as_geo_contains('{"type": "Point", "coordinates": [1.0, 2.0]}'),
    asc.as_contains(asc.AS_INDEX_TYPE_LIST, asc.AS_INDEX_STRING, "x"),
    asc.as_range(asc.AS_INDEX_TYPE_MAPVALUES, asc.AS_INDEX_NUMERIC, 1, 2),
])
def test_each_predicate_kind_round_trips(predicate: Any) -> None:
    query = asc.as_query_init(NAMESPACE, "s")
    asc.as_query_where_inita(query, 1)
    asc.as_query_where(query, "bin", *predicate)
    data = asc.as_query_to_bytes(query)
    back = asc.as_query_from_bytes(data)
    assert asc.as_query_compare(query, back) and asc.as_query_to_bytes(back) == data


def test_a_scan_and_a_query_with_every_field_round_trip() -> None:
    for make, to_bytes, from_bytes, compare in (
            (full_scan, asc.as_scan_to_bytes, asc.as_scan_from_bytes, asc.as_scan_compare),
            (full_query, asc.as_query_to_bytes, asc.as_query_from_bytes, asc.as_query_compare)):
        original = make()
        data = to_bytes(original)
        back = from_bytes(data)
        assert compare(original, back) and to_bytes(back) == data
        assert asc.as_scan_from_bytes_new is asc.as_scan_from_bytes  # the heap variant: the same


def test_operations_and_contexts_round_trip_and_free() -> None:
    scan = asc.as_scan_init(NAMESPACE, "s")
    ops = asc.as_operations_init(2)
    asc.as_operations_add_write_int64(ops, "a", 5)
    asc.as_operations_add_incr(ops, "b", 1)
    scan.ops = ops
    data = asc.as_scan_to_bytes(scan)
    back = asc.as_scan_from_bytes(data)  # its operations are C's, freed with it
    assert asc.as_scan_to_bytes(back) == data
    replaced = asc.as_operations_init(1)
    asc.as_operations_add_read(replaced, "a")
    back.ops = replaced  # C's operations are freed, ours are kept alive
    assert back.ops is replaced
    asc.as_scan_destroy(back)

    ctx = asc.as_cdt_ctx_init(2)
    asc.as_cdt_ctx_add_list_index(ctx, -1)
    asc.as_cdt_ctx_add_map_key(ctx, "k")
    query = asc.as_query_init(NAMESPACE, "s")
    asc.as_query_where_inita(query, 1)
    asc.as_query_where_with_ctx(query, "bin", ctx, *asc.as_integer_range(1, 2))
    data = asc.as_query_to_bytes(query)
    back = asc.as_query_from_bytes(data)
    assert asc.as_query_compare(query, back) and asc.as_query_to_bytes(back) == data


def test_a_stopped_paginated_scan_and_query_resume_from_their_bytes(client, set_name) -> None:  # noqa: F811
    for i in range(60):
        client.put((NAMESPACE, set_name, i), {"i": i})
    for init, foreach, to_bytes, from_bytes in (
            (asc.as_scan_init, asc.aerospike_scan_foreach, asc.as_scan_to_bytes,
             asc.as_scan_from_bytes),
            (asc.as_query_init, asc.aerospike_query_foreach, asc.as_query_to_bytes,
             asc.as_query_from_bytes)):
        seen: List[int] = []

        def take(record: Any, limit: List[int]) -> bool:
            if record is None:
                return True
            if len(seen) >= limit[0]:
                return False
            seen.append(record.bins["i"])
            return True

        job = init(NAMESPACE, set_name)
        job.paginate = True
        foreach(client.aerospike, None, job, take, [20])
        assert len(seen) == 20
        resumed = from_bytes(to_bytes(job))
        foreach(client.aerospike, None, resumed, take, [1000])
        assert sorted(seen) == list(range(60))  # the other 40, none twice


def test_a_blob_predicate_is_refused_as_c_reads_it_back_wrong() -> None:
    query = asc.as_query_init(NAMESPACE, "s")
    asc.as_query_where_inita(query, 1)
    asc.as_query_where(query, "bin", *asc.as_blob_equals(b"\x00\xffblob"))
    with pytest.raises(asc.ParamError, match="blob"):
        asc.as_query_from_bytes(asc.as_query_to_bytes(query))


@pytest.mark.parametrize("add", ["touch", "delete", "read_all"])
def test_an_operation_without_a_value_is_refused_at_to_bytes_as_c_cannot_read_it_back(add) -> None:
    # C packs nothing for an operation's NULL value (touch, delete, read all), so its
    # from_bytes would read the next field (the partitions flag) as the value: refused when
    # the bytes are made.
    for make, to_bytes in ((lambda: asc.as_scan_init(NAMESPACE, "s"), asc.as_scan_to_bytes),
                           (lambda: asc.as_query_init(NAMESPACE, "s"), asc.as_query_to_bytes)):
        target = make()
        ops = asc.as_operations_init(2)
        asc.as_operations_add_write_int64(ops, "a", 5)
        getattr(asc, f"as_operations_add_{add}")(ops)
        target.ops = ops
        with pytest.raises(asc.ParamError, match="operation 1 .* has no value"):
            to_bytes(target)
        ops = asc.as_operations_init(2)  # a read of a named bin has a value (nil): it reads back
        asc.as_operations_add_write_int64(ops, "a", 5)
        asc.as_operations_add_read(ops, "a")
        target.ops = ops
        data = to_bytes(target)
        back = (asc.as_scan_from_bytes if to_bytes is asc.as_scan_to_bytes
                else asc.as_query_from_bytes)(data)
        assert to_bytes(back) == data


def test_what_c_did_not_write_is_refused() -> None:
    scan = asc.as_scan_init(NAMESPACE, "s")
    asc.as_scan_set_paginate(scan, True)
    good = items(asc.as_scan_to_bytes(scan))
    # ns, set, select count, apply flag, ops flag, parts flag, ttl, 4 flags
    assert len(good) == 11 and good[5] is False
    parts = [1, 1000, False, 1000, False, True, b"d" * 20, 0]  # partition 1000 alone
    with_parts = good[:5] + [True] + parts + good[6:]
    assert asc.as_scan_to_bytes(asc.as_scan_from_bytes(pack(with_parts))) == pack(with_parts)
    bad = {
        "truncated": pack(good[:-1]),
        "trailing": pack(good + [0]),
        "not a name": pack([5] + good[1:]),
        "namespace too long": pack([b"n" * 32] + good[1:]),
        "select count without names": pack(good[:2] + [3] + good[3:]),
        "partition id out of range": pack(good[:5] + [True, 1, 4096, False, 4096, False, False,
                                                      b"d" * 20, 0] + good[6:]),
        "partitions past the last": pack(good[:5] + [True, 2, 4095] + parts[2:] + good[6:]),
        "entry not its partition": pack(good[:5] + [True, 1, 1000, False, 999] + parts[4:]
                                        + good[6:]),
        "no partitions": pack(good[:5] + [True, 0, 0, False] + good[6:]),
        "short digest": pack(good[:5] + [True] + parts[:6] + [b"d" * 19, 0] + good[6:]),
        "operator out of range": pack(good[:4] + [True, 0, 0, 1, 20, b"bin", 1] + good[5:]),
        "a flag that is not a bool": pack(good[:-1] + [1]),
        "arguments not a list": pack(good[:3] + [True, b"m", b"f", True, 5] + good[4:]),
    }
    for name, data in bad.items():
        with pytest.raises(asc.ParamError):
            asc.as_scan_from_bytes(data)
            pytest.fail(name)
    with pytest.raises(TypeError):
        asc.as_scan_from_bytes("text")


def test_predicates_c_did_not_write_are_refused() -> None:
    query = asc.as_query_init(NAMESPACE, "s")
    asc.as_query_where_inita(query, 1)
    asc.as_query_where(query, "bin", *asc.as_integer_equals(1))
    good = items(asc.as_query_to_bytes(query))
    # ns, set, select count, where count, index name, bin, ctx flag, exp flag, type, dtype,
    # itype, value, ...
    assert good[3] == 1 and good[8:12] == [asc.AS_PREDICATE_EQUAL, asc.AS_INDEX_INTEGER, 0, 1]
    head, tail = good[:8], good[12:]
    bad = {
        "equal geo (C reads no value)": head + [0, asc.AS_INDEX_GEO2DSPHERE, 0] + tail,
        "range string": head + [1, asc.AS_INDEX_STRING, 0, b"x"] + tail,
        "unknown type": head + [2, asc.AS_INDEX_INTEGER, 0, 1] + tail,
        "unknown index type": head + [0, asc.AS_INDEX_INTEGER, 9, 1] + tail,
        "context size not its packed size": good[:6] + [True, [0, 1], 99, False]
        + good[8:],
        "expression context item": good[:6] + [True, [0x04, 1], 3, False] + good[8:],
        "empty expression": good[:7] + [True, b""] + good[8:],
        "where count without predicates": good[:3] + [2] + good[4:],
    }
    for name, fields in bad.items():
        with pytest.raises(asc.ParamError):
            asc.as_query_from_bytes(pack(fields))
            pytest.fail(name)
    # the right context size is taken
    ctx = good[:6] + [True, [0x10, 1], 3, False] + good[8:]
    back = asc.as_query_from_bytes(pack(ctx))
    assert asc.as_query_to_bytes(back) == pack(ctx)


def test_random_corruptions_never_crash_in_a_subprocess() -> None:
    program = (
        "import random, aerospike_c as asc\n"
        "rng = random.Random(17)\n"
        "scan = asc.as_scan_init('test', 's')\n"
        "asc.as_scan_select_inita(scan, 1); asc.as_scan_select(scan, 'a')\n"
        "asc.as_scan_apply_each(scan, 'm', 'f', [1, [2, {'k': 3}]])\n"
        "query = asc.as_query_init('test', 's')\n"
        "asc.as_query_where_inita(query, 1)\n"
        "asc.as_query_where(query, 'b', *asc.as_string_equals('v'))\n"
        "seeds = [(asc.as_scan_to_bytes(scan), asc.as_scan_from_bytes, asc.as_scan_to_bytes),\n"
        "         (asc.as_query_to_bytes(query), asc.as_query_from_bytes, asc.as_query_to_bytes)]\n"
        "for _ in range(20000):\n"
        "    data, load, dump = rng.choice(seeds)\n"
        "    data = bytearray(data)\n"
        "    for _ in range(rng.randrange(1, 4)):\n"
        "        data[rng.randrange(len(data))] = rng.randrange(256)\n"
        "    try:\n"
        "        dump(load(bytes(data)))\n"
        "    except asc.AerospikeError:\n"
        "        pass\n"
        "print('ok')\n")
    env = dict(os.environ, MALLOC_CHECK_="3", MALLOC_PERTURB_="165")  # glibc: abort on corruption
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                          timeout=300, env=env)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


def test_a_stopped_paginated_scan_resumes_from_its_parts_all(client, set_name) -> None:  # noqa: F811
    # C marks a record done only once its callback said go on: the record the callback
    # refused, and the ones after it, come on resume (records reach Python one at a time
    # for a resumable scan, not in chunks C would have marked done already).
    for i in range(60):
        client.put((NAMESPACE, set_name, i), {"i": i})
    for paginated in (True, False):
        seen: List[int] = []

        def take(record: Any, limit: int) -> bool:
            if record is None:
                return True
            if len(seen) >= limit:
                return False
            seen.append(record.bins["i"])
            return True

        scan = asc.as_scan_init(NAMESPACE, set_name)
        asc.as_scan_set_paginate(scan, True)
        asc.aerospike_scan_foreach(client.aerospike, None, scan, take, 25)
        assert len(seen) == 25
        pf = asc.as_partition_filter()
        asc.as_partition_filter_set_partitions(pf, scan.parts_all)
        resumed = asc.as_scan_init(NAMESPACE, set_name)
        asc.as_scan_set_paginate(resumed, paginated)
        asc.aerospike_scan_partitions(client.aerospike, None, resumed, pf, take, 1000)
        assert sorted(seen) == list(range(60))


def test_as_partition_getid_is_the_digest_partition() -> None:
    key = asc.as_key_init_int64(NAMESPACE, "s", 1)
    asc.as_key_set_digest(key)
    digest = asc.as_key_digest(key)
    expected = (digest[0] | digest[1] << 8) & 4095
    assert asc.as_partition_getid(key.digest.value, 4096) == expected
    assert asc.as_partition_getid(digest, 4096) == expected
    assert asc.as_partition_getid(digest, 1) == 0
    with pytest.raises(TypeError):
        asc.as_partition_getid(digest[:19], 4096)
    with pytest.raises(ValueError):
        asc.as_partition_getid(digest, 4095)
    with pytest.raises(TypeError):
        asc.as_partition_getid(digest, "4096")
