-- The record UDF of examples/scan_background.py (a port of the C client's
-- scan_examples/background): add 1000 to bin test-bin.
function test_bin_add_1000(rec)
    rec["test-bin"] = rec["test-bin"] + 1000
    aerospike:update(rec)
end
