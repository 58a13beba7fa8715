"""Port of the C client's geospatial_examples/filter: a GEO2DSPHERE index on bin geofilterloc,
records holding GeoJSON points along a diagonal with an amenity in bin geofilteramen, and a
query for the points within a rectangle whose stream UDF (lua/geo_filter_amen.lua, the C
example's own) keeps the schools and maps each to its location."""
from __future__ import annotations

from pathlib import Path
from typing import Any, List, Optional

import aerospike_c as asc
from _common import LOG, example_cluster, example_main, registered_udf
from _multi import parse_multi_key_args, remove_index, remove_records
from geo_simple import REGION, point_of  # the two C examples' one query region and diagonal

UDF_DIR = Path(__file__).resolve().parent / "lua"
UDF_MODULE = "geo_filter_amen"
UDF_FILE = UDF_DIR / f"{UDF_MODULE}.lua"

TEST_BIN_NAME1 = "geofilterloc"
TEST_BIN_NAME2 = "geofilteramen"


def location_of(i: int) -> str:
    """The GeoJSON text of record i's location."""
    return '{ "type": "Point", "coordinates": [%f, %f] }' % point_of(i)


def amenity_of(i: int) -> str:
    """Record i's amenity."""
    if i % 7 == 0:
        return "hospital"
    elif i % 2 == 0:
        return "school"
    return "store"


def query_cb(p_val: Any, udata: List[str]) -> bool:
    if p_val is None:
        LOG("query callback returned null - query is complete")
        return True
    if not isinstance(p_val, asc.GeoJSON):  # C: as_geojson_fromval() answers NULL
        LOG("query callback returned non-as_geojson object")
        return True
    locstr = p_val.value  # C: as_geojson_get()
    LOG("matched: %s", locstr)
    udata.append(locstr)  # C: ++g_nschools
    return True


def insert_records(as_: Any, namespace: str, set_name: str, keys: int) -> None:
    rec = asc.as_record_init(2)
    for i in range(keys):
        asc.as_record_set_geojson_str(rec, TEST_BIN_NAME1, location_of(i))
        asc.as_record_set_str(rec, TEST_BIN_NAME2, amenity_of(i))
        asc.aerospike_key_put(as_, None, asc.as_key_init_int64(namespace, set_name, i), rec)
    LOG("insert succeeded")


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_multi_key_args("geospatial filter query example", argv)
    index_name = f"{args.set}-filter-loc-index"  # C: "filter-loc-index" (one per set here)
    with example_cluster(args, udf_user_path=UDF_DIR) as as_:
        # Start clean.
        remove_records(as_, args)
        remove_index(as_, args, index_name)
        with registered_udf(as_, UDF_FILE):
            task = asc.aerospike_index_create(as_, None, args.namespace, args.set, TEST_BIN_NAME1,
                                              index_name, asc.AS_INDEX_GEO2DSPHERE)
            asc.aerospike_index_create_wait(task, 100)
            try:
                insert_records(as_, args.namespace, args.set, args.keys)

                query = asc.as_query_init(args.namespace, args.set)
                asc.as_query_where_init(query, 1)
                asc.as_query_where(query, TEST_BIN_NAME1, *asc.as_geo_within(REGION))
                asc.as_query_apply(query, UDF_MODULE, "match_amen", ["school"])
                LOG("executing query: within <rect>")
                schools: List[str] = []
                asc.aerospike_query_foreach(as_, None, query, query_cb, schools)
                LOG("query executed")
                asc.as_query_destroy(query)
            finally:
                remove_records(as_, args)
                remove_index(as_, args, index_name)
    # the schools among the points of the diagonal inside the rectangle (none lies near its
    # edges): keys 2 and 4 of the default 20, as the C program expects
    expected = [location_of(i) for i in range(args.keys) if amenity_of(i) == "school"
                and -122.5 < point_of(i)[0] < -121.0 and 37.0 < point_of(i)[1] < 38.08]
    if sorted(schools) != sorted(expected):
        LOG("wrong number of schools found, should be %d, found %d", len(expected), len(schools))
        LOG("found %s, expected %s", sorted(schools), sorted(expected))
        return 1
    LOG("filter query example successfully completed")
    return 0


if __name__ == "__main__":
    example_main(main)
