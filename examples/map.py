"""Port of the C client's map example: put scores, change some, read the top two by rank."""
from __future__ import annotations

from typing import List, Optional

import aerospike_c as asc
from _common import LOG, example_cluster, example_main, parse_args, remove_test_record, test_key

MAP_BIN_NAME = "scores"


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args("map example", argv)
    with example_cluster(args) as as_:
        key = test_key(args)
        remove_test_record(as_, key)

        scores = {"Bob": 55, "Jim": 98, "John": 76, "Harry": 82}
        map_policy = asc.as_map_policy_init()
        ops = asc.as_operations_init(1)
        asc.as_operations_add_map_put_items(ops, MAP_BIN_NAME, map_policy, scores)
        asc.aerospike_key_operate(as_, None, key, ops)
        asc.as_operations_destroy(ops)

        ops = asc.as_operations_init(3)
        asc.as_operations_add_map_increment(ops, MAP_BIN_NAME, map_policy, "Bob", 25)
        asc.as_operations_add_map_decrement(ops, MAP_BIN_NAME, map_policy, "Jim", 10)
        asc.as_operations_add_map_increment(ops, MAP_BIN_NAME, map_policy, "Harry", 4)
        asc.aerospike_key_operate(as_, None, key, ops)
        asc.as_operations_destroy(ops)

        ops = asc.as_operations_init(1)
        asc.as_operations_add_map_get_by_rank_range(ops, MAP_BIN_NAME, -2, 2,
                                                    asc.AS_MAP_RETURN_KEY_VALUE)
        rec = asc.aerospike_key_operate(as_, None, key, ops)
        asc.as_operations_destroy(ops)

        # KEY_VALUE results arrive as a flat [key1, value1, key2, value2] list, lowest rank first.
        results = asc.as_record_get_list(rec, MAP_BIN_NAME)
        LOG("Top Scores")
        top = []
        for i in range(len(results) - 1, 0, -2):
            LOG("%s %d", results[i - 1], results[i])
            top.append((results[i - 1], results[i]))
        asc.as_record_destroy(rec)
        if top != [("Jim", 88), ("Harry", 86)]:
            return 1
    LOG("map example successfully completed")
    return 0


if __name__ == "__main__":
    example_main(main)
