"""Geospatial queries over GEO2DSPHERE indexes: points within a Polygon / MultiPolygon /
AeroCircle, regions containing a point; on plain bins and on list / map values.

The records sit around (0, 0) and (10, 10) on a one-degree grid, so every expected answer
is well inside or well outside the query shapes (no record lies near a boundary).
"""
from __future__ import annotations

import json
import math
import uuid

import pytest

import aerospike_c as asc
from aerospike_c.testing.server.geojson import leaf_cell_id
from multi_record_fixtures import NAMESPACE, client, keys_of_partition, paged, unique_set  # noqa: F401

EARTH_RADIUS_M = 6371000.0


def point(lng, lat):
    return json.dumps({"type": "Point", "coordinates": [lng, lat]})


def square(lng, lat, half):
    ring = [[lng - half, lat - half], [lng + half, lat - half], [lng + half, lat + half],
            [lng - half, lat + half], [lng - half, lat - half]]
    return {"type": "Polygon", "coordinates": [ring]}


def circle(lng, lat, radius_m):
    return json.dumps({"type": "AeroCircle", "coordinates": [[lng, lat], radius_m]})


#: Points on a grid: (lng, lat) for lng, lat in -3..3, and the same grid around (10, 10).
GRID = [(x, y) for x in range(-3, 4) for y in range(-3, 4)] + \
       [(10 + x, 10 + y) for x in range(-1, 2) for y in range(-1, 2)]


def great_circle_m(a, b):
    (lng1, lat1), (lng2, lat2) = (tuple(map(math.radians, p)) for p in (a, b))
    cos = (math.sin(lat1) * math.sin(lat2)
           + math.cos(lat1) * math.cos(lat2) * math.cos(lng1 - lng2))
    return EARTH_RADIUS_M * math.acos(max(-1.0, min(1.0, cos)))


@pytest.fixture(scope="module")
def geo_set(client):
    """Records with a point bin `p` (the grid), a few with a region bin `r`, and list / map
    bins holding points and regions; GEO2DSPHERE indexes on each."""
    name = unique_set()
    suffix = uuid.uuid4().hex[:8]
    for i, (lng, lat) in enumerate(GRID):
        client.put((NAMESPACE, name, f"p{i}"), {"p": asc.GeoJSON(point(lng, lat)), "id": i})
    regions = {"r0": square(0, 0, 1.5), "r1": square(10, 10, 0.5),
               "r2": {"type": "MultiPolygon", "coordinates": [square(2, 2, 0.5)["coordinates"],
                                                              square(-2, -2, 0.5)["coordinates"]]},
               "r3": {"type": "AeroCircle", "coordinates": [[0, 0], 50000]}}
    for key, region in regions.items():
        client.put((NAMESPACE, name, key), {"r": asc.GeoJSON(json.dumps(region)), "id": key})
    # list / map bins: three points and one region each
    for j in range(4):
        values = [asc.GeoJSON(text) for text in (point(j, 0), point(j, 1), point(j + 20, 0),
                                                 json.dumps(square(j, 0, 0.25)))]
        client.put((NAMESPACE, name, f"l{j}"), {
            "gl": values, "gm": {f"k{n}": v for n, v in enumerate(values)}, "id": f"l{j}"})
    indexes = {f"gp_{suffix}": ("p", asc.AS_INDEX_TYPE_DEFAULT),
               f"gr_{suffix}": ("r", asc.AS_INDEX_TYPE_DEFAULT),
               f"gl_{suffix}": ("gl", asc.AS_INDEX_TYPE_LIST),
               f"gm_{suffix}": ("gm", asc.AS_INDEX_TYPE_MAPVALUES)}
    for index, (bin_name, itype) in indexes.items():
        client.index_create(NAMESPACE, name, bin_name, index, asc.AS_INDEX_GEO2DSPHERE,
                            index_type=itype)
    yield name
    for index in indexes:
        client.index_remove(NAMESPACE, index)


def ids(client, set_name, bin_name, shape, itype=asc.AS_INDEX_TYPE_DEFAULT):
    """The `id` bins of the records a geo query returns (duplicates kept)."""
    text = shape if isinstance(shape, str) else json.dumps(shape)
    where = (bin_name, asc.AS_PREDICATE_RANGE, itype, asc.AS_INDEX_GEO2DSPHERE, text)
    return [record.bins["id"] for record in client.query(NAMESPACE, set_name, where=where)]


def grid_ids(inside):
    return sorted(i for i, p in enumerate(GRID) if inside(p))


def test_points_within_a_polygon(client, geo_set):
    found = ids(client, geo_set, "p", square(0.5, 0.5, 1.9))
    assert sorted(found) == grid_ids(lambda p: -1.4 <= p[0] <= 2.4 and -1.4 <= p[1] <= 2.4)


def test_points_within_a_polygon_with_a_hole(client, geo_set):
    ring = square(0, 0, 2.5)["coordinates"][0]
    hole = square(0, 0, 0.5)["coordinates"][0]
    found = ids(client, geo_set, "p", {"type": "Polygon", "coordinates": [ring, hole]})
    assert sorted(found) == grid_ids(lambda p: max(abs(p[0]), abs(p[1])) in (1, 2))


def test_points_within_a_multipolygon(client, geo_set):
    shape = {"type": "MultiPolygon", "coordinates": [square(10, 10, 1.5)["coordinates"],
                                                     square(-3, -3, 0.5)["coordinates"]]}
    found = ids(client, geo_set, "p", shape)
    assert sorted(found) == grid_ids(lambda p: p[0] >= 9 or p == (-3, -3))


def test_points_within_a_radius(client, geo_set):
    # 180 km around (0.2, 0.3): the grid points within it by great-circle distance (the
    # nearest ones outside are 190 km away, the farthest inside 170 km)
    found = ids(client, geo_set, "p", circle(0.2, 0.3, 180000))
    expected = grid_ids(lambda p: great_circle_m(p, (0.2, 0.3)) <= 180000)
    assert sorted(found) == expected and len(expected) == 8


def test_the_radius_is_measured_on_the_sphere(client, geo_set):
    # 1 degree of latitude is 111.2 km on a 6371 km sphere: (0, 1) is inside 112 km, not 110 km
    assert GRID.index((0, 1)) in ids(client, geo_set, "p", circle(0, 0, 112000))
    assert ids(client, geo_set, "p", circle(0, 0, 110000)) == [GRID.index((0, 0))]


def test_regions_containing_a_point(client, geo_set):
    assert sorted(ids(client, geo_set, "r", point(0.2, -0.1))) == ["r0", "r3"]
    assert sorted(ids(client, geo_set, "r", point(10.3, 9.8))) == ["r1"]
    assert sorted(ids(client, geo_set, "r", point(-2.2, -1.9))) == ["r2"]
    assert ids(client, geo_set, "r", point(5, 5)) == []


def test_a_region_query_does_not_return_regions(client, geo_set):
    assert ids(client, geo_set, "r", square(0, 0, 5)) == []


def test_a_point_query_does_not_return_points(client, geo_set):
    assert ids(client, geo_set, "p", point(0, 0)) == []


def test_points_in_list_values(client, geo_set):
    found = ids(client, geo_set, "gl", square(1.5, 0.5, 1.1), asc.AS_INDEX_TYPE_LIST)
    # l1 and l2 hold two points each inside; a record comes back at least once (a server
    # returns it once per cell of its covering of the query region that holds some of them)
    assert set(found) == {"l1", "l2"} and found.count("l1") >= 1 and found.count("l2") >= 1


def test_regions_in_map_values(client, geo_set):
    found = ids(client, geo_set, "gm", point(3.1, 0.1), asc.AS_INDEX_TYPE_MAPVALUES)
    assert set(found) == {"l3"}


def test_c_faithful_geo_query(client, geo_set):
    query = asc.as_query_init(NAMESPACE, geo_set)
    asc.as_query_where_init(query, 1)
    asc.as_query_where(query, "r", *asc.as_geo_contains(point(10.1, 10.1)))
    seen = []
    asc.aerospike_query_foreach(client.aerospike, None, query,
                                lambda record, udata: seen.append(record) or True)
    assert [r.bins["id"] for r in seen[:-1]] == ["r1"] and seen[-1] is None
    asc.as_query_destroy(query)


#: jansson's JSON_PARSER_MAX_DEPTH, which a server's GeoJSON parser (json_loadb) refuses past.
JANSSON_MAX_DEPTH = 2048


def nested(depth):
    """An empty array inside `depth` - 1 others."""
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("region", ['{"type": "XPolygon", "coordinates": []}',
                                    '{"type": "Point", "coordinates": %s}' % nested(3000)],
                         ids=["unknown type", "nested"])
def test_an_invalid_query_region_is_a_parameter_error(client, geo_set, region):
    """GeoJSON a server cannot parse fails the query's range: AEROSPIKE_ERR_REQUEST_INVALID
    (query.c, get_query_range), not the GEO_INVALID_GEOJSON a write of it gets."""
    with pytest.raises(asc.AerospikeError) as raised:
        ids(client, geo_set, "p", region)
    assert raised.value.code == asc.AEROSPIKE_ERR_REQUEST_INVALID


@pytest.mark.parametrize("extra", [
    nested(JANSSON_MAX_DEPTH + 1000),  # parse_value: "maximum parsing depth reached"
    "NaN",  # lex_scan: an identifier other than true, false, null
    "9223372036854775808",  # lex_scan_number: "too big integer"
    '"\\u0000"',  # parse_value: "\u0000 is not allowed without JSON_ALLOW_NUL"
], ids=["nested", "NaN", "int64", "NUL"])
def test_json_the_parser_refuses_is_invalid_geojson(client, extra):
    """A server parses GeoJSON with jansson's json_loadb (geojson.cc), whose rules are not
    Python's json: what it refuses, even in a member it then ignores, is
    AEROSPIKE_ERR_GEO_INVALID_GEOJSON (geospatial.cc, geo_parse), as any GeoJSON it refuses."""
    key = (NAMESPACE, unique_set(), "refused")
    text = '{"type": "Point", "coordinates": [1, 2], "properties": %s}' % extra
    with pytest.raises(asc.GeoError) as raised:
        client.put(key, {"g": asc.GeoJSON(text)})
    assert raised.value.code == asc.AEROSPIKE_ERR_GEO_INVALID_GEOJSON


def test_deep_json_the_parser_reads_beside_a_point_is_stored(client):
    """Members other than type and coordinates are only parsed (geojson.cc): nested within
    jansson's depth, deeper than Python's json.loads can, the point is stored."""
    key = (NAMESPACE, unique_set(), "deep")
    text = '{"type": "Point", "coordinates": [1, 2], "properties": %s}' % nested(1500)
    client.put(key, {"g": asc.GeoJSON(text)})
    assert client.get(key).bins["g"].value == text


def test_geo_compare_in_a_filter_expression(client, geo_set):
    """as_exp_cmp_geo: the same matching in a filter (a scan with filter_exp)."""
    within = asc.as_exp_build(asc.as_exp_cmp_geo(
        asc.as_exp_bin_geo("p"), asc.as_exp_geo(json.dumps(square(10, 10, 0.5)))))
    policy = asc.as_policy_scan_init()
    policy.base.filter_exp = within
    scan = asc.as_scan_init(NAMESPACE, geo_set)
    seen = []
    asc.aerospike_scan_foreach(client.aerospike, policy, scan,
                               lambda record, udata: seen.append(record) or True)
    assert [r.bins["id"] for r in seen if r is not None] == [GRID.index((10, 10))]
    asc.as_scan_destroy(scan)


def geo_query(set_name, bin_name, shape, itype=asc.AS_INDEX_TYPE_DEFAULT):
    """An as_query of `set_name` with a geo filter on `bin_name`."""
    text = shape if isinstance(shape, str) else json.dumps(shape)
    query = asc.as_query_init(NAMESPACE, set_name)
    asc.as_query_where_init(query, 1)
    asc.as_query_where(query, bin_name, asc.AS_PREDICATE_RANGE, itype,
                       asc.AS_INDEX_GEO2DSPHERE, text)
    return query


@pytest.mark.parametrize("page_size", [1, 4])
def test_a_paginated_geo_query_returns_each_match_once(client, geo_set, page_size):
    """A server resumes each partition of a geo query after the (cell id, digest) of its last
    record (query.c, get_query_pids; sindex_tree.c, as_sindex_tree_query skips the query's
    cell ranges that end before it, query_reduce starts after it in the range holding it):
    pages of points within a region, or of regions holding a point, give what one query
    gives, each record once."""
    for bin_name, shape in (("p", square(0, 0, 3.5)), ("p", circle(10, 10, 200000)),
                            ("r", point(0.2, -0.1))):
        whole = ids(client, geo_set, bin_name, shape)
        seen, _ = paged(client, geo_query(geo_set, bin_name, shape), page_size)
        found = [record.bins["id"] for record in seen]
        assert sorted(found, key=str) == sorted(whole, key=str) and len(set(found)) == len(found)
    assert len(whole) == 2


def test_a_paginated_geo_query_of_list_values_finds_every_record(client, geo_set):
    """Pages of a geo query over a list index find every record one query finds (how often a
    record holding several matching points comes back depends on the server's cell
    covering of the query region: once per covering cell holding some, within a read)."""
    shape = square(1.5, 0.5, 1.1)
    seen, _ = paged(client, geo_query(geo_set, "gl", shape, asc.AS_INDEX_TYPE_LIST), 1)
    assert {record.bins["id"] for record in seen} == \
        set(ids(client, geo_set, "gl", shape, asc.AS_INDEX_TYPE_LIST)) == {"l1", "l2"}


def test_a_geo_query_walks_a_partition_by_cell_id(client):
    """A GEO2DSPHERE index holds a point under its S2 leaf cell (geospatial.cc, geo_parse),
    ordered by cell id, unsigned, then digest (sindex_tree.c, key_cmp); a region query walks
    its covering's disjoint cell ranges in order (query.c, sort_geo_range): a partition's
    points come by (cell id, digest), in one query and page by page alike."""
    name = unique_set()
    keys = keys_of_partition(name, 11, 10)
    places = [(-2.5, 1.0), (2.5, -1.0), (0.0, 0.0), (1.0, 1.0), (-1.0, -2.0),
              (0.5, 2.5), (-2.0, 2.0), (2.0, 2.0), (0.0, -2.5), (1.5, -0.5)]
    cells = {}
    for (digest, key), (lng, lat) in zip(sorted(keys.items()), places):
        client.put((NAMESPACE, name, key), {"p": asc.GeoJSON(point(lng, lat))})
        cells[digest] = leaf_cell_id([lng, lat])
    index = f"gc_{uuid.uuid4().hex[:8]}"
    client.index_create(NAMESPACE, name, "p", index, asc.AS_INDEX_GEO2DSPHERE)
    try:
        order = sorted(cells, key=lambda digest: (cells[digest], digest))
        shape = square(0, 0, 3)
        whole, pages = paged(client, geo_query(name, "p", shape), 0, partition=11)
        assert [r.key[3] for r in whole] == order and pages == 1
        seen, pages = paged(client, geo_query(name, "p", shape), 3, partition=11)
        assert [r.key[3] for r in seen] == order and pages == 4
    finally:
        client.index_remove(NAMESPACE, index)
