-- Stream UDFs of examples/aggregate.py (a port of the C client's query_examples/aggregate).
-- The server runs each stream up to and with its first reduce on its records; the client
-- runs that reduce again over the nodes' results, with this file from its Lua user path.

local function test_bin(rec)
    return rec["test-bin"]
end

local function add(a, b)
    return a + b
end

-- Map every record to its test-bin, then add them up.
function sum_test_bin(stream)
    return stream : map(test_bin) : reduce(add)
end

local function add_test_bin(total, rec)
    return total + rec["test-bin"]
end

-- The same sum as one aggregate per node (no value per record), then a reduce.
function sum_test_bin_2(stream)
    return stream : aggregate(0, add_test_bin) : reduce(add)
end

local function even_test_bin(rec)
    return rec["test-bin"] % 2 == 0
end

-- The sum of the even test-bin values only.
function sum_test_bin_even(stream)
    return stream : filter(even_test_bin) : aggregate(0, add_test_bin) : reduce(add)
end

-- Count each number that occurs in numbers-bin (a string of numbers) into map `counts`.
local function count_into(counts, rec)
    local text = rec["numbers-bin"]
    if text ~= nil then
        for number in string.gmatch(text, "%d+") do
            counts[number] = (counts[number] or 0) + 1
        end
    end
    return counts
end

local function merge_counts(a, b)
    return map.merge(a, b, add)
end

-- How often each number occurs in numbers-bin across the records: a map number -> count.
function count_numbers(stream)
    return stream : aggregate(map(), count_into) : reduce(merge_counts)
end
