"""GeoJSON bins as a server accepts them: a write of a GeoJSON particle whose text is not one of
the shapes a server indexes is refused with AEROSPIKE_ERR_GEO_INVALID_GEOJSON (160).

A server takes a Point ([longitude, latitude]), a Polygon (closed rings of at least four
positions), a MultiPolygon (a list of polygons) and its own AeroCircle ([[longitude, latitude],
radius in meters]), alone or as the geometry of a Feature; type names are case-sensitive, and
every other GeoJSON type (MultiPoint, LineString, ...) is refused. Longitudes lie in [-180, 180], latitudes in [-90, 90].

Matching (geo queries over GEO2DSPHERE indexes, as_exp_cmp_geo) is a server's: a Point query
finds the regions that contain the point, a region query (Polygon, MultiPolygon, AeroCircle)
finds the points inside it; a point never contains a point and a region is never "within" a
region. Geometry is on the sphere: polygon edges are great-circle arcs (a server's S2 loops),
a polygon's first ring is its shell and the others holes, and an AeroCircle holds the points
whose great-circle distance from its centre, on a sphere of radius 6371 km, is at most its
radius. A server finds candidates through S2 cell coverings; the answer it gives is the exact
test, which is what this module computes.
"""

from __future__ import annotations

import math
import re
from json.decoder import scanstring  # type: ignore[attr-defined]  # (typeshed omits it)
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

from .results import ERR_GEO_INVALID_GEOJSON, CommandError


def check(text: str) -> None:
    """Raise CommandError(ERR_GEO_INVALID_GEOJSON) unless `text` is GeoJSON a server stores."""
    _geometry(text)


def _geometry(text: str) -> Dict[str, Any]:
    """The geometry object of GeoJSON text a server stores (CommandError(160) otherwise)."""
    try:
        value = _load(text)
    except ValueError as exc:
        raise CommandError(ERR_GEO_INVALID_GEOJSON, f"not JSON: {exc}") from None
    if isinstance(value, dict) and value.get("type") == "Feature":
        value = value.get("geometry")
    if not isinstance(value, dict) or not _valid(value.get("type"), value.get("coordinates")):
        raise CommandError(ERR_GEO_INVALID_GEOJSON, "not a Point, Polygon, MultiPolygon or "
                           "AeroCircle")
    return value


# -- JSON as jansson reads it -------------------------------------------------------------
# A server parses GeoJSON with jansson's json_loadb(text, flags 0) (geojson.cc,
# GeoJSON::parse), and any failure is AS_ERR_GEO_INVALID_GEOJSON (geospatial.cc, geo_parse;
# particle_geojson.c, geojson_from_wire). jansson's rules (load.c) differ from Python's json:
# a value nested deeper than JSON_PARSER_MAX_DEPTH (parse_value: "maximum parsing depth
# reached"), an integer outside int64 or a real that overflows (lex_scan_number), NaN or
# Infinity, \u0000 or a lone surrogate (lex_scan_string) are refused. _load reads without
# recursion, so no nesting depth makes it fail otherwise (json.loads raises RecursionError).

#: jansson_config.h.in's JSON_PARSER_MAX_DEPTH: the deepest a value may be (the top one is 1).
MAX_DEPTH = 2048
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_WORD = re.compile(r"[A-Za-z]+")
_WORDS = {"true": True, "false": False, "null": None}
_SURROGATE = re.compile("[\ud800-\udfff]")


def _load(text: str) -> Any:
    """`text` as jansson's json_loadb reads it: ValueError where jansson fails."""
    containers: List[Any] = []  # the open arrays and objects, innermost last
    keys: List[str] = []  # each open object's key whose value comes next
    pos = _skip(text, 0)
    if text[pos:pos + 1] not in ("[", "{"):
        raise ValueError("'[' or '{' expected")
    while True:
        if len(containers) >= MAX_DEPTH:
            raise ValueError("maximum parsing depth reached")
        value, pos = _scalar_or_open(text, pos, containers, keys)
        if value is _OPENED:
            continue
        while True:  # the value is whole: add it to its container, then what follows it
            if not containers:
                if _skip(text, pos) != len(text):
                    raise ValueError("end of file expected")
                return value
            parent = containers[-1]
            if isinstance(parent, list):
                parent.append(value)
            else:
                parent[keys.pop()] = value
            pos = _skip(text, pos)
            char = text[pos:pos + 1]
            if char == ",":
                pos = _skip(text, pos + 1)
                if isinstance(parent, dict):
                    pos = _key(text, pos, keys)
                break
            if char != ("]" if isinstance(parent, list) else "}"):
                raise ValueError("',' or the container's end expected")
            value, pos = containers.pop(), pos + 1


_OPENED = object()  # _scalar_or_open opened a non-empty container: its first value comes next


def _scalar_or_open(text: str, pos: int, containers: List[Any], keys: List[str]
                    ) -> Tuple[Any, int]:
    """The value at `pos` and the position after it; an array or object that is not empty
    is opened instead (pushed on `containers`, _OPENED returned)."""
    char = text[pos:pos + 1]
    if char in ("[", "{"):
        container: Any = [] if char == "[" else {}
        end = _skip(text, pos + 1)
        if text[end:end + 1] == ("]" if char == "[" else "}"):
            return container, end + 1
        containers.append(container)
        return _OPENED, _key(text, end, keys) if char == "{" else end
    if char == '"':
        return _string(text, pos)
    number = _NUMBER.match(text, pos)
    if number:
        if number.group(1) is None and number.group(2) is None:
            integer = int(number.group())
            if not -(1 << 63) <= integer < 1 << 63:
                raise ValueError("too big integer")
            return integer, number.end()
        real = float(number.group())
        if math.isinf(real):
            raise ValueError("real number overflow")
        return real, number.end()
    word = _WORD.match(text, pos)
    if word and word.group() in _WORDS:
        return _WORDS[word.group()], word.end()
    raise ValueError("invalid token")


def _skip(text: str, pos: int) -> int:
    """The position of the first character at or after `pos` that is not JSON whitespace."""
    space = _WHITESPACE.match(text, pos)
    assert space is not None  # the pattern matches the empty string
    return space.end()


def _string(text: str, pos: int) -> Tuple[str, int]:
    value, end = scanstring(text, pos + 1, True)
    if "\0" in value or _SURROGATE.search(value):
        raise ValueError("\\u0000 or invalid Unicode in a string")
    return value, end


def _key(text: str, pos: int, keys: List[str]) -> int:
    """Read an object member's key and its colon at `pos`; the position of its value."""
    if text[pos:pos + 1] != '"':
        raise ValueError("string or '}' expected")
    key, pos = _string(text, pos)
    keys.append(key)
    pos = _skip(text, pos)
    if text[pos:pos + 1] != ":":
        raise ValueError("':' expected")
    return _skip(text, pos + 1)


def _valid(kind: Any, coordinates: Any) -> bool:
    if kind == "Point":
        return _position(coordinates)
    if kind == "Polygon":
        return _polygon(coordinates)
    if kind == "MultiPolygon":
        return isinstance(coordinates, list) and bool(coordinates) and all(
            _polygon(polygon) for polygon in coordinates)
    if kind == "AeroCircle":
        return (isinstance(coordinates, list) and len(coordinates) == 2
                and _position(coordinates[0]) and _number(coordinates[1])
                and coordinates[1] >= 0)
    return False


def _number(value: Any) -> bool:
    return type(value) in (int, float) and math.isfinite(value)


def _position(value: Any) -> bool:
    return (isinstance(value, list) and len(value) == 2 and all(_number(v) for v in value)
            and -180 <= value[0] <= 180 and -90 <= value[1] <= 90)


def _polygon(rings: Any) -> bool:
    return isinstance(rings, list) and bool(rings) and all(
        isinstance(ring, list) and len(ring) >= 4 and all(_position(p) for p in ring)
        and ring[0] == ring[-1] for ring in rings)


# -- matching -----------------------------------------------------------------------------
EARTH_RADIUS_M = 6371000.0

Vector = Tuple[float, float, float]


class _Point:
    __slots__ = ("v", "cell_id")

    def __init__(self, position: Sequence[float]) -> None:
        self.v = _vector(position)
        self.cell_id = leaf_cell_id(position)


class _Circle:
    __slots__ = ("centre", "angle")

    def __init__(self, position: Sequence[float], radius_m: float) -> None:
        self.centre = _vector(position)
        self.angle = radius_m / EARTH_RADIUS_M  # the radius as an angle at the centre

    def contains(self, v: Vector) -> bool:
        return _angle(self.centre, v) <= self.angle


class _Polygon:
    """One polygon: a shell and holes, each a closed loop of great-circle edges."""

    __slots__ = ("loops",)

    def __init__(self, rings: Sequence[Sequence[Sequence[float]]]) -> None:
        self.loops = [_Loop(ring) for ring in rings]

    def contains(self, v: Vector) -> bool:
        shell, holes = self.loops[0], self.loops[1:]
        return shell.contains(v) and not any(hole.contains(v) for hole in holes)


class _Loop:
    """A loop in the gnomonic projection about its centre, where great-circle edges are
    straight lines: the planar even-odd test there is exact on the sphere."""

    __slots__ = ("centre", "east", "north", "vertices")

    def __init__(self, ring: Sequence[Sequence[float]]) -> None:
        points = [_vector(p) for p in ring[:-1]] or [_vector(ring[0])]
        total = [sum(p[i] for p in points) for i in range(3)]
        norm = math.sqrt(sum(c * c for c in total)) or 1.0
        self.centre: Vector = (total[0] / norm, total[1] / norm, total[2] / norm)
        self.east, self.north = _tangent_basis(self.centre)
        self.vertices = [self._project(p) for p in points]

    def _project(self, v: Vector) -> Optional[Tuple[float, float]]:
        depth = _dot(v, self.centre)
        if depth <= 1e-12:
            return None  # on or beyond the horizon of the loop's centre
        return _dot(v, self.east) / depth, _dot(v, self.north) / depth

    def contains(self, v: Vector) -> bool:
        point = self._project(v)
        if point is None or any(vertex is None for vertex in self.vertices):
            return False
        x, y = point
        inside = False
        vertices = [vertex for vertex in self.vertices if vertex is not None]
        for (x1, y1), (x2, y2) in zip(vertices, vertices[1:] + vertices[:1]):
            if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                inside = not inside
        return inside


_Region = Union[_Circle, _Polygon, List[_Polygon]]


def _vector(position: Sequence[float]) -> Vector:
    lng, lat = math.radians(position[0]), math.radians(position[1])
    return (math.cos(lat) * math.cos(lng), math.cos(lat) * math.sin(lng), math.sin(lat))


def _dot(a: Vector, b: Vector) -> float:
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]


def _angle(a: Vector, b: Vector) -> float:
    cross = (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])
    return math.atan2(math.sqrt(_dot(cross, cross)), _dot(a, b))


def _tangent_basis(c: Vector) -> Tuple[Vector, Vector]:
    east = (-c[1], c[0], 0.0)
    norm = math.sqrt(_dot(east, east))
    east = (1.0, 0.0, 0.0) if norm < 1e-12 else (east[0] / norm, east[1] / norm, 0.0)
    north = (c[1] * east[2] - c[2] * east[1], c[2] * east[0] - c[0] * east[2],
             c[0] * east[1] - c[1] * east[0])
    return east, north


def parse(text: str) -> Union[_Point, _Region]:
    """The shape of GeoJSON text a server stores (CommandError(160) otherwise)."""
    value = _geometry(text)
    kind, coordinates = value["type"], value["coordinates"]
    if kind == "Point":
        return _Point(coordinates)
    if kind == "AeroCircle":
        return _Circle(coordinates[0], coordinates[1])
    if kind == "Polygon":
        return _Polygon(coordinates)
    return [_Polygon(polygon) for polygon in coordinates]


def _region_contains(region: _Region, v: Vector) -> bool:
    if isinstance(region, list):
        return any(polygon.contains(v) for polygon in region)
    return region.contains(v)


def matches(candidate: str, query: str) -> bool:
    """Does a stored GeoJSON value match a geo query (or as_exp_cmp_geo's right operand):
    a region containing the query's point, or a point inside the query's region."""
    return shapes_match(parse(candidate), parse(query))


def shapes_match(candidate: Union[_Point, _Region], query: Union[_Point, _Region]) -> bool:
    """matches() on parsed shapes (a query parses its region once)."""
    if isinstance(query, _Point):
        return not isinstance(candidate, _Point) and _region_contains(candidate, query.v)
    return isinstance(candidate, _Point) and _region_contains(query, candidate.v)


# -- S2 cell ids: the values a GEO2DSPHERE index keys its entries by ------------------------
# A server indexes a point under its S2 leaf cell (geospatial.cc, geo_parse: S2CellId of the
# point) and walks a query's cell ranges by unsigned cell id (sindex_tree.c,
# as_sindex_tree_query); a region is indexed under the cells of its S2RegionCoverer covering,
# which this module does not reproduce (index_key says what stands in for it).

#: S2's leaf level and the levels of a server's geo2dsphere-within-min-level / -max-level
#: defaults, which bound the cells of a covering.
LEAF_LEVEL = 30
COVER_MIN_LEVEL, COVER_MAX_LEVEL = 1, 20
#: S2's kAvgEdge derivative: cells of level k have edges of about this many radians / 2^k.
_AVG_EDGE = 1.459213746386106
#: The Hilbert curve's position of each (i bit, j bit) per orientation, and the orientation
#: change each position makes (s2cellid.cc, kIJtoPos / kPosToOrientation).
_IJ_TO_POS = ((0, 1, 3, 2), (0, 3, 1, 2), (2, 3, 1, 0), (2, 1, 3, 0))
_POS_TO_ORIENTATION = (1, 0, 0, 3)


def leaf_cell_id(position: Sequence[float]) -> int:
    """S2CellId(S2LatLng::FromDegrees(lat, lng).ToPoint()).id() of [lng, lat]: the cell a
    point is indexed under, with S2's quadratic projection."""
    x, y, z = _vector(position)
    axis = max(range(3), key=lambda k: abs((x, y, z)[k]))
    face = axis + (3 if (x, y, z)[axis] < 0 else 0)
    u, v = _face_uv(face, x, y, z)
    size = 1 << LEAF_LEVEL
    i, j = (max(0, min(size - 1, math.floor(size * _uv_to_st(t)))) for t in (u, v))
    orientation, position_bits = face & 1, 0
    for bit in range(LEAF_LEVEL - 1, -1, -1):
        pos = _IJ_TO_POS[orientation][(((i >> bit) & 1) << 1) | ((j >> bit) & 1)]
        position_bits = (position_bits << 2) | pos
        orientation ^= _POS_TO_ORIENTATION[pos]
    return (face << 61) | (position_bits << 1) | 1


def _face_uv(face: int, x: float, y: float, z: float) -> Tuple[float, float]:
    """S2::XYZtoFaceUV's (u, v) on `face`."""
    if face == 0:
        return y / x, z / x
    if face == 1:
        return -x / y, z / y
    if face == 2:
        return -x / z, -y / z
    if face == 3:
        return z / x, y / x
    if face == 4:
        return z / y, -x / y
    return -y / z, -x / z


def _uv_to_st(u: float) -> float:
    return 0.5 * math.sqrt(1 + 3 * u) if u >= 0 else 1 - 0.5 * math.sqrt(1 - 3 * u)


def cell_parent(cell_id: int, level: int) -> int:
    """S2CellId::parent(level): the cell of `level` holding `cell_id`."""
    lsb = 1 << (2 * (LEAF_LEVEL - level))
    return (cell_id & -lsb) | lsb


def cover_level(region: _Region) -> int:
    """The level of the cell of a stored region's covering that stands in for the one
    holding a point: the deepest whose cells are about as wide as the region (a server's
    covering, S2RegionCoverer's, has at most geo2dsphere-within-max-cells cells of levels
    COVER_MIN_LEVEL..COVER_MAX_LEVEL; this module does not compute it)."""
    radius = _angular_radius(region)
    if radius <= 0:
        return COVER_MAX_LEVEL
    level = math.floor(math.log2(_AVG_EDGE / radius))
    return max(COVER_MIN_LEVEL, min(COVER_MAX_LEVEL, level))


def _angular_radius(region: _Region) -> float:
    if isinstance(region, _Circle):
        return region.angle
    polygons = region if isinstance(region, list) else [region]
    return max(_loop_radius(polygon.loops[0]) for polygon in polygons)


def _loop_radius(loop: _Loop) -> float:
    """The widest angle from a loop's centre to a vertex (the loop's vertices are kept
    projected; the angle of a gnomonic point (x, y) from the centre is atan(|(x, y)|))."""
    return max((math.atan(math.hypot(*vertex)) for vertex in loop.vertices
                if vertex is not None), default=math.pi / 2)


def index_key(stored: Union[_Point, _Region], query: Union[_Point, _Region]
              ) -> Tuple[int, int]:
    """(the query cell range it lies in, its cell id) of the index entry under which a geo
    query finds a stored shape that matches it (sindex_tree.c, as_sindex_tree_query walks the
    query's cell ranges in turn, de-duplicating within one). A point query's ranges are the
    point's cell and each of its parents (query.c, range_from_msg_geojson:
    geo_point_centers), one of them the cell of the stored region's covering that holds the
    point: its parent of cover_level(region) stands in for that one. A region query's ranges
    are the cells of its covering (geo_region_cover), which this module does not compute:
    each stored point's own leaf cell stands in for the range that holds it, so a record is
    found once per matching point (a server: once per covering cell holding some of them;
    the C client's query_geospatial tests expect about that many)."""
    if isinstance(query, _Point):
        assert not isinstance(stored, _Point)  # a point matches no point
        cell = cell_parent(query.cell_id, cover_level(stored))
        return cell, cell
    assert isinstance(stored, _Point)
    return stored.cell_id, stored.cell_id
