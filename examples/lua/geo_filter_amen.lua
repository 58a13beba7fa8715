-- geospatial_examples/filter/src/lua/geo_filter_amen.lua of the Aerospike C client 7.6.1,
-- unchanged below this header (Copyright Aerospike, Inc., Apache License 2.0: see the C
-- client's LICENSE.md). The stream UDF of examples/geo_filter.py.

local function map_loc(rec)
  -- info('%s %s', rec.geofilteramen, tostring(rec.geofilterloc))
  return rec.geofilterloc
end

function match_amen(stream, val)
  local function filter_amen(rec)
    return rec.geofilteramen == val
  end
  return stream : filter(filter_amen) : map(map_loc)
end
