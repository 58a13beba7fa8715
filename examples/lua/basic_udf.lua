-- Record UDFs of examples/udf.py (a port of the C client's basic_examples/udf).

-- Add 1000 to bin test-bin-1; no arguments, no result.
function test_bin_1_add_1000(rec)
    rec["test-bin-1"] = rec["test-bin-1"] + 1000
    aerospike:update(rec)
end

-- Set bin `bin_name` to its value times x plus y, and return the new value.
function bin_transform(rec, bin_name, x, y)
    rec[bin_name] = rec[bin_name] * x + y
    aerospike:update(rec)
    return rec[bin_name]
end
