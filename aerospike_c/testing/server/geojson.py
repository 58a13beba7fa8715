"""GeoJSON bins as a server accepts them: a write of a GeoJSON particle whose text is not one of
the shapes a server indexes is refused with AEROSPIKE_ERR_GEO_INVALID_GEOJSON (160).

A server takes a Point ([longitude, latitude]), a Polygon (closed rings of at least four
positions), a MultiPolygon (a list of polygons) and its own AeroCircle ([[longitude, latitude],
radius in meters]), alone or as the geometry of a Feature; type names are case-sensitive, and
every other GeoJSON type (MultiPoint, LineString, ...) is refused. Longitudes lie in [-180, 180], latitudes in [-90, 90].
"""

from __future__ import annotations

import json
import math
from typing import Any

from .results import ERR_GEO_INVALID_GEOJSON, CommandError


def check(text: str) -> None:
    """Raise CommandError(ERR_GEO_INVALID_GEOJSON) unless `text` is GeoJSON a server stores."""
    try:
        value = json.loads(text)
    except ValueError:
        raise CommandError(ERR_GEO_INVALID_GEOJSON, "not JSON") from None
    if isinstance(value, dict) and value.get("type") == "Feature":
        value = value.get("geometry")
    if not isinstance(value, dict) or not _valid(value.get("type"), value.get("coordinates")):
        raise CommandError(ERR_GEO_INVALID_GEOJSON, "not a Point, Polygon, MultiPolygon or "
                           "AeroCircle")


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
