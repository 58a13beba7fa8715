"""Port of the C client's basic_examples/udf: register a Lua module, run two record UDFs on
the test record (aerospike_key_apply), read the record after each, remove the module."""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import aerospike_c as asc
from _common import LOG, dump_record, example_cluster, example_main, parse_args, registered_udf, \
    remove_test_record, test_key

UDF_FILE = Path(__file__).resolve().parent / "lua" / "basic_udf.lua"
UDF_MODULE = "basic_udf"


def read_test_record(as_, key) -> None:
    LOG("record was successfully read from database:")
    dump_record(asc.aerospike_key_get(as_, None, key))


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args("udf example", argv)
    with example_cluster(args) as as_:
        key = test_key(args)
        remove_test_record(as_, key)

        with registered_udf(as_, UDF_FILE):
            rec = asc.as_record_init(2)
            asc.as_record_set_int64(rec, "test-bin-1", 1000)
            asc.as_record_set_int64(rec, "test-bin-2", 1000)
            LOG("as_record object to write to database:")
            dump_record(rec)
            asc.aerospike_key_put(as_, None, key, rec)
            LOG("write succeeded")

            asc.aerospike_key_apply(as_, None, key, UDF_MODULE, "test_bin_1_add_1000", [])
            LOG("test_bin_1_add_1000() was successfully applied")
            read_test_record(as_, key)

            value = asc.aerospike_key_apply(as_, None, key, UDF_MODULE, "bin_transform",
                                            ["test-bin-2", 4, 400])
            if not isinstance(value, int):
                LOG("aerospike_key_apply() retrieved non-as_integer object")
                return 1
            LOG("bin_transform() was successfully applied - returned %d", value)
            read_test_record(as_, key)
            bins = asc.aerospike_key_get(as_, None, key).to_python().bins
            remove_test_record(as_, key)
            if value != 4400 or bins["test-bin-1"] != 2000:
                return 1
    LOG("udf example successfully completed")
    return 0


if __name__ == "__main__":
    example_main(main)
