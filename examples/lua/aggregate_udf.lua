-- Stream UDFs (aggregation queries) the tests run (tests/test_aggregate.py); register as
-- aggregate_udf.lua, and point the client's Lua user path at this folder.

local function add(a, b)
    return a + b
end

-- Every record's bin `name`, unchanged (map only: one value per record).
function values(stream, name)
    return stream : map(function(rec) return rec[name] end)
end

-- The records whose bin `name` is at least `low`, as their bin `name` (filter, map).
function at_least(stream, name, low)
    return stream : filter(function(rec) return rec[name] >= low end)
                  : map(function(rec) return rec[name] end)
end

-- The number of records (map, reduce).
function count(stream)
    return stream : map(function(rec) return 1 end) : reduce(add)
end

-- The sum of bin `name` (aggregate, reduce).
function sum(stream, name)
    return stream : aggregate(0, function(total, rec) return total + rec[name] end) : reduce(add)
end

-- A map {min, max, count} of bin `name` (aggregate into a map, reduce by merging).
function stats(stream, name)
    local function fold(m, rec)
        local v = rec[name]
        m["count"] = m["count"] + 1
        if m["min"] == nil or v < m["min"] then m["min"] = v end
        if m["max"] == nil or v > m["max"] then m["max"] = v end
        return m
    end
    local function combine(a, b)
        local m = map {count = a["count"] + b["count"]}
        m["min"] = math.min(a["min"], b["min"])
        m["max"] = math.max(a["max"], b["max"])
        return m
    end
    return stream : aggregate(map {count = 0}, fold) : reduce(combine)
end

-- The records grouped by bin `name`: a map value -> list of the records' bin `value`.
function group(stream, name, value)
    return stream : map(function(rec) return map {k = rec[name], v = rec[value]} end)
                  : groupby(function(m) return m["k"] end)
end

-- Each record's digest (a value of type bytes).
function digests(stream)
    return stream : map(function(rec) return record.digest(rec) end)
end

-- A Lua error on the server: in the map, for every record.
function fails_on_server(stream)
    return stream : map(function(rec) return rec["nothing"] + 1 end)
end

-- A Lua error on the client: in the reduce the client runs again over the nodes' values,
-- once the count passes `limit` (more than any one partition holds, so not on a server).
function fails_in_reduce(stream, limit)
    local function add_up_to_limit(a, b)
        if a + b > limit then
            error("reduce failed")
        end
        return a + b
    end
    return stream : map(function(rec) return 1 end) : reduce(add_up_to_limit)
end

-- A stream that never ends on the server (stopped by the time limit).
function never_ends(stream)
    return stream : map(function(rec) while true do end end)
end

-- A stream's records are read-only: setting a bin is ignored, the map sees the stored value.
function set_then_read(stream, name)
    return stream : map(function(rec)
        rec[name] = -1
        return rec[name]
    end)
end

-- A stream whose Lua memory grows without end (stopped by the server's limits).
function grows_without_end(stream)
    return stream : map(function(rec)
        local block = "x"
        for _ = 1, 20 do block = block .. block end  -- 1 MiB
        local t = {}
        local i = 0
        while true do
            i = i + 1
            t[i] = block .. i
        end
    end)
end
