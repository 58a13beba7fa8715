"""aerospike_truncate and Client.truncate."""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest

import aerospike_c as asc
from aerospike_c import exp
from multi_record_fixtures import NAMESPACE, client, fill, set_name, unique_set  # noqa: F401


def count_within(client, set_name, expected, seconds=10.0):
    """The record count of the set once it equals `expected` (servers apply a truncate on every
    node shortly after answering), or the last count after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        count = sum(1 for _ in client.scan(NAMESPACE, set_name))
        if count == expected or time.monotonic() > deadline:
            return count
        time.sleep(0.1)


def test_truncate_a_set(client, set_name):
    fill(client, set_name, 20)
    other = unique_set()
    fill(client, other, 5)
    asc.aerospike_truncate(client.aerospike, None, NAMESPACE, set_name, 0)
    assert count_within(client, set_name, 0) == 0
    assert count_within(client, other, 5) == 5


def last_update_ns(client, key):
    """The record's last-update time by its node's clock (nanoseconds since the epoch)."""
    return client.operate(key, [asc.ops.exp_read("lut", exp.last_update())]).bins["lut"]


def test_truncate_before_keeps_newer_records(client, set_name):
    """The cut-off comes from the server's clock (the records' last-update times), not this
    machine's: a server refuses a cut-off later than its now, and keeps what was updated in
    the cut-off's millisecond or later."""
    fill(client, set_name, 5)
    cutoff_ms = max(last_update_ns(client, (NAMESPACE, set_name, i)) for i in range(5)) // 10**6 + 1
    new = (NAMESPACE, set_name, "new")
    deadline = time.monotonic() + 5
    client.put(new, {"i": -1})
    while last_update_ns(client, new) // 10**6 < cutoff_ms and time.monotonic() < deadline:
        time.sleep(0.002)
        client.put(new, {"i": -1})
    assert last_update_ns(client, new) // 10**6 >= cutoff_ms
    time.sleep(0.05)  # the node answering the truncate may have a clock a little behind
    cutoff = datetime.fromtimestamp(0, timezone.utc) + timedelta(milliseconds=cutoff_ms)
    client.truncate(NAMESPACE, set_name, before=cutoff)
    assert count_within(client, set_name, 1) == 1
    assert client.get(new).bins == {"i": -1}


def test_truncate_argument_checks(client):
    with pytest.raises(ValueError):
        client.truncate(NAMESPACE, "s", before=datetime.now())   # naive datetime
    with pytest.raises(ValueError):
        asc.aerospike_truncate(client.aerospike, None, NAMESPACE, "s", -1)
    with pytest.raises(TypeError):
        asc.aerospike_truncate(client.aerospike, None, NAMESPACE, 5, 0)


@pytest.mark.parametrize("suffix", [";x", "\nx", "\tx"])
def test_a_name_with_an_info_delimiter_is_refused_and_truncates_nothing(client, set_name, suffix):
    """C writes the names into "truncate:namespace=..;set=..": a ';' or line break would end
    the set name there, and the server would truncate the set named by the part before it."""
    fill(client, set_name, 3)
    with pytest.raises(ValueError, match="info command"):
        client.truncate(NAMESPACE, set_name + suffix)
    with pytest.raises(ValueError, match="info command"):
        client.truncate(NAMESPACE + suffix, set_name)
    assert count_within(client, set_name, 3, seconds=0.5) == 3


def test_an_unknown_namespace_is_accepted(client):
    """truncate and truncate-namespace are broadcast as cluster metadata without checking the
    namespace (each node skips one it does not have): both answer ok."""
    asc.aerospike_truncate(client.aerospike, None, "no_such_namespace", None, 0)
    asc.aerospike_truncate(client.aerospike, None, "no_such_namespace", "s", 0)


def _nanos(moment: datetime) -> int:
    return int(moment.timestamp()) * 1_000_000_000


@pytest.mark.parametrize("before, message", [
    (datetime(2009, 12, 31, tzinfo=timezone.utc), "would-truncate-to-0"),
    (datetime(2010, 1, 1, tzinfo=timezone.utc), "would-truncate-to-0"),
    (datetime(2200, 1, 1, tzinfo=timezone.utc), "would-truncate-in-the-future"),
])
def test_a_cutoff_outside_the_aerospike_epoch_and_now_is_a_server_error(client, set_name,
                                                                        before, message):
    """The cutoff becomes milliseconds since 2010-01-01: 0 or less, or later than now, is
    refused with an error without a code (AEROSPIKE_ERR_SERVER) and nothing is truncated."""
    fill(client, set_name, 3)
    with pytest.raises(asc.ServerError) as raised:
        asc.aerospike_truncate(client.aerospike, None, NAMESPACE, set_name, _nanos(before))
    assert raised.value.code == asc.AEROSPIKE_ERR_SERVER
    assert raised.value.message.startswith(f"{message} from ")  # the C client names the node
    assert raised.value.file.endswith(".c") and raised.value.line > 0
    assert count_within(client, set_name, 3) == 3
