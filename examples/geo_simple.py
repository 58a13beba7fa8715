"""Port of the C client's geospatial simple example: a GEO2DSPHERE index on bin `loc`, records
holding GeoJSON points along a diagonal, and a query for the points within a rectangle."""
from __future__ import annotations

from typing import Any, List, Optional

import aerospike_c as asc
from _common import LOG, example_cluster, example_main
from _multi import parse_multi_key_args, remove_records

TEST_BIN_NAME = "loc"

# Our query region:
REGION = """{
    "type": "Polygon",
    "coordinates": [
        [[-122.500000, 37.000000],[-121.000000, 37.000000],
         [-121.000000, 38.080000],[-122.500000, 38.080000],
         [-122.500000, 37.000000]]
    ]
}"""


def point_of(i: int) -> tuple:
    return -122 + (0.1 * i), 37.5 + (0.1 * i)


def insert_records(as_: Any, namespace: str, set_name: str, keys: int) -> None:
    rec = asc.as_record_init(1)
    for i in range(keys):
        lng, lat = point_of(i)
        asc.as_record_set_geojson_str(
            rec, TEST_BIN_NAME, '{ "type": "Point", "coordinates": [%f, %f] }' % (lng, lat))
        asc.aerospike_key_put(as_, None, asc.as_key_init_int64(namespace, set_name, i), rec)
    LOG("insert succeeded")


def query_cb(record: Any, udata: List[Any]) -> bool:
    if record is None:
        LOG("query callback returned null - query is complete")
        return True
    location = record.bins[TEST_BIN_NAME]  # a GeoJSON value
    LOG("query callback returned record: %s = %s", TEST_BIN_NAME, location.value)
    lng, _ = location.to_dict()["coordinates"]
    udata.append(round((lng + 122) / 0.1))  # the key: records sit at point_of(key)
    return True


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_multi_key_args("geospatial simple query example", argv)
    index_name = f"{args.set}-points-loc-index"
    with example_cluster(args) as as_:
        remove_records(as_, args)
        task = asc.aerospike_index_create(as_, None, args.namespace, args.set, TEST_BIN_NAME,
                                          index_name, asc.AS_INDEX_GEO2DSPHERE)
        asc.aerospike_index_create_wait(task, 100)
        try:
            insert_records(as_, args.namespace, args.set, args.keys)

            query = asc.as_query_init(args.namespace, args.set)
            asc.as_query_where_init(query, 1)
            asc.as_query_where(query, TEST_BIN_NAME, *asc.as_geo_within(REGION))
            LOG("executing query: within <rect>")
            found: List[Any] = []
            asc.aerospike_query_foreach(as_, None, query, query_cb, found)
            LOG("query executed")
            asc.as_query_destroy(query)
            # the points of the diagonal inside the rectangle (none lies near its edges)
            expected = [i for i in range(args.keys)
                        if -122.5 < point_of(i)[0] < -121.0 and 37.0 < point_of(i)[1] < 38.08]
            if sorted(found) != expected:
                LOG("query returned keys %s, expected %s", sorted(found), expected)
                return 1
        finally:
            asc.aerospike_index_remove(as_, None, args.namespace, index_name)
            remove_records(as_, args)
    LOG("simple query example successfully completed")
    return 0


if __name__ == "__main__":
    example_main(main)
