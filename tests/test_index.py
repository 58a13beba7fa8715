"""Secondary indexes: aerospike_index_create(_complex)/_wait/_remove and Client.index_*."""
from __future__ import annotations

import uuid

import pytest

import aerospike_c as asc
from multi_record_fixtures import NAMESPACE, client, index_names, set_name  # noqa: F401 - fixtures


@pytest.fixture
def index_name(client):
    name = f"ix_{uuid.uuid4().hex[:12]}"
    yield name
    if name in index_names(client):
        client.index_remove(NAMESPACE, name)


@pytest.mark.parametrize("where", ["index_name", "bin", "set"])
def test_a_name_with_an_info_delimiter_is_refused(client, set_name, index_name, where):
    """C writes the names into "sindex-create:...;indexname=..;bin=..": a ';' would end the name
    there, so the server built an index named (or over the bin named) the part before it and
    the call answered ok."""
    names = {"index_name": index_name, "bin": "age", "set": set_name}
    names[where] += ";x"
    with pytest.raises(ValueError, match="info command"):
        client.index_create(NAMESPACE, names["set"], names["bin"], names["index_name"],
                            asc.AS_INDEX_NUMERIC)
    assert not {index_name, index_name.split(";")[0]} & index_names(client)
    with pytest.raises(ValueError, match="info command"):
        client.index_remove(NAMESPACE, index_name + ";x")


def test_create_wait_and_remove(client, set_name, index_name):
    task = asc.aerospike_index_create(client.aerospike, None, NAMESPACE, set_name, "age",
                                      index_name, asc.AS_INDEX_NUMERIC)
    assert task.name == index_name
    assert task.done is False and task.total_timeout > 0
    asc.aerospike_index_create_wait(task, 50)
    assert task.done is True
    assert index_name in index_names(client)

    asc.aerospike_index_remove(client.aerospike, None, NAMESPACE, index_name)
    assert index_name not in index_names(client)


def test_client_index_create_waits_until_built(client, set_name, index_name):
    task = client.index_create(NAMESPACE, set_name, "name", index_name, asc.AS_INDEX_STRING)
    assert task.done is True
    assert index_name in index_names(client)
    client.index_remove(NAMESPACE, index_name)
    assert index_name not in index_names(client)


def test_complex_index_on_list_values(client, set_name, index_name):
    task = asc.aerospike_index_create_complex(client.aerospike, None, NAMESPACE, set_name, "tags",
                                              index_name, asc.AS_INDEX_TYPE_LIST,
                                              asc.AS_INDEX_STRING)
    asc.aerospike_index_create_wait(task, 50)
    assert index_name in index_names(client)


def test_same_name_other_definition_raises_index_found(client, set_name, index_name):
    client.index_create(NAMESPACE, set_name, "a", index_name, asc.AS_INDEX_NUMERIC)
    with pytest.raises(asc.IndexFoundError) as raised:
        client.index_create(NAMESPACE, set_name, "b", index_name, asc.AS_INDEX_STRING)
    error = raised.value
    assert error.code == asc.AEROSPIKE_ERR_INDEX_FOUND
    assert error.message and error.file.endswith("as_info.c") and error.line > 0


def test_an_unknown_namespace_is_accepted_and_creates_nothing(client, index_name):
    """sindex-create stores the definition as cluster metadata without checking the namespace;
    each node ignores a definition for a namespace it does not have."""
    task = asc.aerospike_index_create(client.aerospike, None, "no_such_namespace", None, "a",
                                      index_name, asc.AS_INDEX_NUMERIC)
    assert task.name == index_name
    assert index_name not in index_names(client)


def test_the_same_definition_under_a_new_name_renames_the_index(client, set_name, index_name):
    """The metadata key of an index is its definition: creating it again under another name
    answers ok and renames the index (server 6.1 and later)."""
    client.index_create(NAMESPACE, set_name, "a", index_name, asc.AS_INDEX_NUMERIC)
    renamed = index_name + "_2"
    try:
        client.index_create(NAMESPACE, set_name, "a", renamed, asc.AS_INDEX_NUMERIC)
        names = index_names(client)
        assert renamed in names and index_name not in names
    finally:
        client.index_remove(NAMESPACE, renamed)
    assert renamed not in index_names(client)


def test_removing_a_missing_index_succeeds(client, index_name):
    asc.aerospike_index_remove(client.aerospike, None, NAMESPACE, index_name)
    assert index_name not in index_names(client)


def test_arguments_are_checked(client, index_name):
    as_ = client.aerospike
    with pytest.raises(ValueError):
        asc.aerospike_index_create(as_, None, NAMESPACE, None, "a", index_name, 99)
    with pytest.raises(TypeError):
        asc.aerospike_index_create(as_, None, NAMESPACE, None, "a", index_name, "numeric")
    with pytest.raises(TypeError):
        asc.aerospike_index_create_wait(object(), 0)
    with pytest.raises(TypeError):
        asc.aerospike_index_remove(as_, None, NAMESPACE, None)


def test_task_refuses_use_after_its_instance_is_destroyed(aerospike_hosts, set_name, index_name):
    own = asc.Client(asc.Config(hosts=aerospike_hosts)).connect()
    task = own.index_create(NAMESPACE, set_name, "c", index_name, asc.AS_INDEX_NUMERIC,
                            wait=False)
    own.index_remove(NAMESPACE, index_name)
    own.destroy()
    with pytest.raises(asc.LifecycleError):
        asc.aerospike_index_create_wait(task, 10)
    with pytest.raises(asc.LifecycleError):
        task.done
