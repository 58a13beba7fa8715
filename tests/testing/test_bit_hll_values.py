"""The embedded server's bit and HLL functions on values (bit.read/modify, hll.read/modify/
may_contain), which its expression evaluator runs for as_exp_bit_* / as_exp_hll_*: the
comparisons the C client's bit and HLL filter tests make, and the HLL layout a server stores.
These test the embedded server's own functions (no client involved)."""
from __future__ import annotations

import pytest

from aerospike_c.testing.server import bit, hll
from aerospike_c.testing.server.particles import HLL, TypedBytes
from aerospike_c.testing.server.results import (ERR_BIN_NOT_FOUND, ERR_OP_NOT_APPLICABLE, ERR_PARAMETER,
                                                ERR_UNSUPPORTED_FEATURE, CommandError)

BLOB = bytes([0x01, 0x42, 0x03, 0x04, 0x05])


def _get(blob, offset, size):
    return bit.read(blob, bit.GET, [offset, size])


def test_bit_reads_as_the_c_filter_tests_compare_them():
    assert bit.read(BLOB, bit.COUNT, [16, 8]) == bit.read(BLOB, bit.COUNT, [32, 8]) == 2
    assert bit.read(BLOB, bit.LSCAN, [32, 8, True]) == 5
    assert bit.read(_get(BLOB, 32, 8), bit.LSCAN, [0, 8, True]) == 5
    assert bit.read(BLOB, bit.RSCAN, [32, 8, True]) == 7
    assert bit.read(BLOB, bit.GET_INT, [32, 8, bit.INT_SIGNED]) == 5


def test_bit_modifies_as_the_c_filter_tests_compare_them():
    def modified(command, *args):
        return bit.modify(BLOB, command, list(args))
    assert modified(bit.RESIZE, 6, 0, 0) == BLOB + b"\0"
    assert bit.read(modified(bit.INSERT, 1, b"\xff", 0), bit.GET_INT, [8, 8]) == 0xFF
    assert bit.read(modified(bit.REMOVE, 0, 1, 0), bit.GET_INT, [0, 8]) == 0x42
    assert _get(modified(bit.SET, 31, 1, b"\x80", 0), 24, 8) == _get(BLOB, 32, 8)
    assert _get(modified(bit.SET, 24, 8, _get(BLOB, 32, 8), 0), 24, 8) == _get(BLOB, 32, 8)
    assert _get(modified(bit.OR, 24, 8, b"\x01", 0), 24, 8) == _get(BLOB, 32, 8)
    assert _get(modified(bit.XOR, 0, 8, b"\x02", 0), 0, 8) == _get(BLOB, 16, 8)
    assert _get(modified(bit.AND, 16, 8, b"\x01", 0), 16, 8) == _get(BLOB, 0, 8)
    assert _get(modified(bit.NOT, 6, 1, 0), 0, 8) == _get(BLOB, 16, 8)
    assert _get(modified(bit.LSHIFT, 0, 8, 2, 0), 0, 6) == _get(BLOB, 2, 6)
    assert _get(modified(bit.RSHIFT, 24, 8, 2, 0), 26, 6) == _get(BLOB, 24, 6)
    assert _get(modified(bit.ADD, 16, 8, 1, 0, 0), 16, 8) == _get(BLOB, 24, 8)
    assert _get(modified(bit.SUBTRACT, 24, 8, 1, 0, 0), 24, 8) == _get(BLOB, 16, 8)
    assert _get(modified(bit.SET_INT, 24, 8, 0x42, 0), 24, 8) == _get(BLOB, 8, 8)
    assert BLOB == bytes([0x01, 0x42, 0x03, 0x04, 0x05])  # values are never changed in place


def test_bit_errors():
    for command, args, code in [(bit.GET, [40, 8], ERR_OP_NOT_APPLICABLE),
                                (bit.GET, [0, 8, 1], ERR_PARAMETER),
                                (bit.COUNT, [0, True], ERR_PARAMETER),
                                (bit.LSCAN, [0, 8, 1], ERR_PARAMETER),
                                (bit.B64_ENCODE, [], ERR_UNSUPPORTED_FEATURE),
                                (0xFF, [], ERR_PARAMETER)]:
        with pytest.raises(CommandError) as caught:
            bit.read(BLOB, command, args)
        assert caught.value.code == code
    with pytest.raises(CommandError) as caught:
        bit.modify(None, bit.SET, [0, 8, b"\x01", 0])
    assert caught.value.code == ERR_BIN_NOT_FOUND
    assert bit.modify(None, bit.SET, [0, 8, b"\x01", bit.NO_FAIL]) is None
    assert bit.modify(None, bit.RESIZE, [0]) is None  # a missing bin resized to 0 stays missing


@pytest.fixture(scope="module")
def hlls():
    def made(values, index_bits=8, minhash_bits=-1):
        return hll.modify(None, hll.ADD, [values, index_bits, minhash_bits, 0])[0]
    return (made(["Akey1", "Akey2", "Akey3"]), made(["Bkey1", "Bkey2", "Bkey3"]),
            made(["Akey1", "Akey2", "Bkey1", "Bkey2", "Ckey1", "Ckey2"]))


def test_hll_layout(hlls):
    first = hlls[0]
    assert len(first) == hll.required_size(8, 0) == 11 + 6 * 256 // 8
    assert first[:3] == bytes([0, 8, 0]) and hll.header_ok(first)
    assert hll.read(first, hll.DESCRIBE, []) == [8, 0]
    assert hll.read(first, hll.COUNT, []) == 3


def test_hll_reads_as_the_c_filter_tests_compare_them(hlls):
    bin1, bin2, bin3 = hlls
    union = hll.read(bin1, hll.GET_UNION, [list(hlls)])
    assert hll.read(union, hll.COUNT, []) == hll.read(bin1, hll.UNION_COUNT, [list(hlls)])
    assert hll.read(hll.read(bin1, hll.GET_UNION, [[bin2]]), hll.UNION_COUNT, [[bin3]]) \
        == hll.read(bin1, hll.UNION_COUNT, [list(hlls)])
    assert hll.read(bin1, hll.INTERSECT_COUNT, [[bin2]]) < hll.read(bin1, hll.INTERSECT_COUNT, [[bin3]])
    assert hll.read(bin1, hll.SIMILARITY, [[bin2]]) < hll.read(bin1, hll.SIMILARITY, [[bin3]])
    assert hll.read(bin1, hll.DESCRIBE, [])[0] == hll.read(bin2, hll.DESCRIBE, [])[0]
    as_value = TypedBytes(HLL, bin2)  # an HLL bin in place of the list, as expressions pass it
    assert hll.read(bin1, hll.INTERSECT_COUNT, [as_value]) == hll.read(bin1, hll.INTERSECT_COUNT, [[bin2]])
    assert hll.may_contain(bin2, ["new_val"]) == 0
    assert hll.may_contain(bin2, ["Bkey1", "Bkey3"]) == 1
    added, changed = hll.modify(bin2, hll.ADD, [["new_val"], -1, -1, 0])
    assert changed == 1
    assert hll.read(bin1, hll.COUNT, []) < hll.read(added, hll.COUNT, [])


def test_hll_min_hash_intersection_and_similarity():
    a = [f"a{i}" for i in range(4000)]
    b = [f"a{i}" for i in range(3000, 7000)]
    ha = hll.modify(None, hll.ADD, [a, 12, 20, 0])[0]
    hb = hll.modify(None, hll.ADD, [b, 12, 20, 0])[0]
    assert hll.read(ha, hll.DESCRIBE, []) == [12, 20]
    assert abs(hll.read(ha, hll.SIMILARITY, [[hb]]) - 1000 / 7000) < 0.03
    assert abs(hll.read(ha, hll.INTERSECT_COUNT, [[hb]]) - 1000) < 200
    assert abs(hll.read(ha, hll.UNION_COUNT, [[hb]]) - 7000) < 7000 * 0.07
    empty = hll.modify(None, hll.INIT, [12, 20, 0])[0]
    assert hll.read(ha, hll.SIMILARITY, [[empty]]) == 0.0


def test_hll_fold_union_and_refresh():
    values = [f"v{i}" for i in range(1000)]
    big = hll.modify(None, hll.ADD, [values, 14, -1, 0])[0]
    folded, result = hll.modify(big, hll.FOLD, [10])
    assert result is hll.NO_RESULT and hll.read(folded, hll.DESCRIBE, []) == [10, 0]
    small = hll.modify(None, hll.ADD, [values, 10, -1, 0])[0]
    assert hll.read(folded, hll.COUNT, []) == hll.read(small, hll.COUNT, [])
    refreshed, count = hll.modify(big, hll.REFRESH_COUNT, [])
    assert count == hll.read(big, hll.COUNT, []) and int.from_bytes(refreshed[3:11], "little") == count
    with pytest.raises(CommandError) as caught:
        hll.modify(big, hll.UNION, [[small], 0])
    assert caught.value.code == ERR_OP_NOT_APPLICABLE
    unioned, _ = hll.modify(big, hll.UNION, [[small], hll.ALLOW_FOLD])
    assert hll.read(unioned, hll.DESCRIBE, []) == [10, 0]


def test_hll_elements_hash_as_the_client_packs_them():
    assert hll.murmur3_x64_128(b"hello") == (0xCBD8A7B341BD9B02, 0x5B1E906A48AE1D19)
    assert hll.pack_element("a") == b"\xa2\x03a"
    assert hll.pack_element("x" * 40) == b"\xd9\x29\x03" + b"x" * 40
    assert hll.pack_element(b"\x01") == b"\xa2\x04\x01"
    assert hll.pack_element(300) == b"\xcd\x01\x2c"
    with pytest.raises(CommandError):
        hll.pack_element([1])
