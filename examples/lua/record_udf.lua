-- Record UDFs the tests (tests/test_udf_apply.py) and examples run; register as record_udf.lua.

function echo(rec, value)
    return value
end

function bin_value(rec, name)
    return rec[name]
end

function set_bin(rec, name, value)
    rec[name] = value
    if aerospike:exists(rec) then
        aerospike:update(rec)
    else
        aerospike:create(rec)
    end
    return value
end

function set_bin_without_update(rec, name, value)
    rec[name] = value
    return value
end

function remove_bin(rec, name)
    rec[name] = nil
    return aerospike:update(rec)
end

function delete(rec)
    return aerospike:remove(rec)
end

function exists(rec)
    return aerospike:exists(rec)
end

function meta(rec)
    return map {gen = record.gen(rec), numbins = record.numbins(rec),
                setname = record.setname(rec), digest = record.digest(rec)}
end

function bin_names(rec)
    local names = list()
    for _, name in ipairs(record.bin_names(rec)) do
        list.append(names, name)
    end
    return names
end

function set_ttl(rec, ttl)
    record.set_ttl(rec, ttl)
    return aerospike:update(rec)
end

function values(rec)
    local b = bytes(2)
    bytes.set_byte(b, 1, 7)
    bytes.set_byte(b, 2, 9)
    return list {1, -2, 1.5, "text", true, false, map {a = 1}, list {1, "x"}, b}
end

function sum(rec, a, b)
    return a + b
end

function fail(rec, message)
    error(message)
end

function spin(rec)
    local n = 0
    while true do
        n = n + 1
    end
end

-- Lua memory that grows without end (stopped by the server's limits).
function grow(rec)
    local block = "x"
    for _ = 1, 20 do block = block .. block end  -- 1 MiB
    local t = {}
    local i = 0
    while true do
        i = i + 1
        t[i] = block .. i
    end
end

-- A list nested `depth` levels deep (a C client reads 64 levels at most).
function nested(rec, depth)
    local l = list()
    for _ = 1, depth do l = list{l} end
    return l
end

-- A list of 2^n items that shares its halves (small in Lua, too big to send).
function doubled(rec, n)
    local l = list{1}
    for _ = 1, n do l = list{l, l} end
    return l
end
