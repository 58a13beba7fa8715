"""Port of the C client's basic_examples/string: the server 8.2 string operations
(as_string_operations.h) on a string bin - the read operations, one read then one modify,
every modify operation (each re-reads the bin to show its new value), and to_string.
(Not named string.py: in examples/ that would shadow the standard library's string module
for every example.)

Needs a server 8.2 or later: without --hosts the embedded cluster it starts reports 8.2.0.0.
"""
from __future__ import annotations

from typing import Any, List, Optional

import aerospike_c as asc
from _common import LOG, example_cluster, example_main, parse_args, remove_test_record

BIN = "text"
NUM_BIN = "n"
SERVER_BUILD = "8.2.0.0"  # what the embedded cluster reports: string operations need 8.2


def main(argv: Optional[List[str]] = None) -> int:
    # Parse command line arguments.
    args = parse_args("string example", argv)

    # Connect to the aerospike database cluster.
    with example_cluster(args, server_build=SERVER_BUILD) as as_:
        run_read_ops(as_, args)
        run_read_write_ops(as_, args)
        run_modify_ops(as_, args)
        run_to_string(as_, args)

        # Cleanup and disconnect from the database cluster (on leaving the block).

    LOG("string example successfully completed")
    return 0


def run_read_ops(as_: Any, args: Any) -> None:
    """Read-only string operations: return information about the bin without mutating it."""
    key = asc.as_key_init_str(args.namespace, args.set, "opstr_read")

    # strlen - codepoint count
    put(as_, key, "hello world")
    ops = asc.as_operations_inita(1)
    asc.as_operations_string_strlen(ops, BIN, None)
    rec = operate(as_, key, ops)
    LOG("strlen(\"hello world\") = %d", asc.as_record_get_int64(rec, BIN, 0))
    asc.as_operations_destroy(ops)
    asc.as_record_destroy(rec)

    # substr(start) - codepoint slice to end of string
    ops = asc.as_operations_inita(1)
    asc.as_operations_string_substr(ops, BIN, None, 6)
    rec = operate(as_, key, ops)
    LOG("substr(6) = \"%s\"", asc.as_record_get_str(rec, BIN))
    asc.as_operations_destroy(ops)
    asc.as_record_destroy(rec)

    # substr(start, end) - half-open codepoint range
    ops = asc.as_operations_inita(1)
    asc.as_operations_string_substr_range(ops, BIN, None, 0, 5)
    rec = operate(as_, key, ops)
    LOG("substr(0, 5) = \"%s\"", asc.as_record_get_str(rec, BIN))
    asc.as_operations_destroy(ops)
    asc.as_record_destroy(rec)

    # charAt - single-codepoint slice
    ops = asc.as_operations_inita(1)
    asc.as_operations_string_char_at(ops, BIN, None, 6)
    rec = operate(as_, key, ops)
    LOG("charAt(6) = \"%s\"", asc.as_record_get_str(rec, BIN))
    asc.as_operations_destroy(ops)
    asc.as_record_destroy(rec)

    # find(needle) - index of first match, -1 if absent
    ops = asc.as_operations_inita(1)
    asc.as_operations_string_find(ops, BIN, None, "world")
    rec = operate(as_, key, ops)
    LOG("find(\"world\") = %d", asc.as_record_get_int64(rec, BIN, 0))
    asc.as_operations_destroy(ops)
    asc.as_record_destroy(rec)

    # find(needle, occurrence) - index of nth match
    put(as_, key, "ababab")
    ops = asc.as_operations_inita(1)
    asc.as_operations_string_find_occurrence(ops, BIN, None, "ab", 2)
    rec = operate(as_, key, ops)
    LOG("find(\"ab\", occurrence=2) on \"ababab\" = %d", asc.as_record_get_int64(rec, BIN, 0))
    asc.as_operations_destroy(ops)
    asc.as_record_destroy(rec)

    # contains
    put(as_, key, "hello world")
    ops = asc.as_operations_inita(1)
    asc.as_operations_string_contains(ops, BIN, None, "hello")
    rec = operate(as_, key, ops)
    LOG("contains(\"hello\") = %s", "true" if asc.as_record_get_bool(rec, BIN) else "false")
    asc.as_operations_destroy(ops)
    asc.as_record_destroy(rec)

    # startsWith
    ops = asc.as_operations_inita(1)
    asc.as_operations_string_starts_with(ops, BIN, None, "hello")
    rec = operate(as_, key, ops)
    LOG("startsWith(\"hello\") = %s", "true" if asc.as_record_get_bool(rec, BIN) else "false")
    asc.as_operations_destroy(ops)
    asc.as_record_destroy(rec)

    # endsWith
    ops = asc.as_operations_inita(1)
    asc.as_operations_string_ends_with(ops, BIN, None, "world")
    rec = operate(as_, key, ops)
    LOG("endsWith(\"world\") = %s", "true" if asc.as_record_get_bool(rec, BIN) else "false")
    asc.as_operations_destroy(ops)
    asc.as_record_destroy(rec)

    # toInteger - parse string as int64
    put(as_, key, "12345")
    ops = asc.as_operations_inita(1)
    asc.as_operations_string_to_integer(ops, BIN, None)
    rec = operate(as_, key, ops)
    LOG("toInteger(\"12345\") = %d", asc.as_record_get_int64(rec, BIN, 0))
    asc.as_operations_destroy(ops)
    asc.as_record_destroy(rec)

    # toDouble - parse string as float64
    put(as_, key, "3.14")
    ops = asc.as_operations_inita(1)
    asc.as_operations_string_to_double(ops, BIN, None)
    rec = operate(as_, key, ops)
    LOG("toDouble(\"3.14\") = %f", asc.as_record_get_double(rec, BIN, 0.0))
    asc.as_operations_destroy(ops)
    asc.as_record_destroy(rec)

    # byteLength - UTF-8 byte count (differs from strlen for non-ASCII)
    put(as_, key, "héllo")
    ops = asc.as_operations_inita(1)
    asc.as_operations_string_byte_length(ops, BIN, None)
    rec = operate(as_, key, ops)
    LOG("byteLength(\"héllo\") = %d (5 codepoints, 6 UTF-8 bytes)",
        asc.as_record_get_int64(rec, BIN, 0))
    asc.as_operations_destroy(ops)
    asc.as_record_destroy(rec)

    # isNumeric - accepts integer or float
    put(as_, key, "12345")
    ops = asc.as_operations_inita(1)
    asc.as_operations_string_is_numeric(ops, BIN, None)
    rec = operate(as_, key, ops)
    LOG("isNumeric(\"12345\") = %s", "true" if asc.as_record_get_bool(rec, BIN) else "false")
    asc.as_operations_destroy(ops)
    asc.as_record_destroy(rec)

    # isNumeric(numericType) - restrict by AS_STRING_NUMERIC_INT
    put(as_, key, "3.14")
    ops = asc.as_operations_inita(1)
    asc.as_operations_string_is_numeric_type(ops, BIN, None, asc.AS_STRING_NUMERIC_INT)
    rec = operate(as_, key, ops)
    LOG("isNumeric(\"3.14\", INT) = %s", "true" if asc.as_record_get_bool(rec, BIN) else "false")
    asc.as_operations_destroy(ops)
    asc.as_record_destroy(rec)

    # isUpper
    put(as_, key, "HELLO")
    ops = asc.as_operations_inita(1)
    asc.as_operations_string_is_upper(ops, BIN, None)
    rec = operate(as_, key, ops)
    LOG("isUpper(\"HELLO\") = %s", "true" if asc.as_record_get_bool(rec, BIN) else "false")
    asc.as_operations_destroy(ops)
    asc.as_record_destroy(rec)

    # isLower
    put(as_, key, "hello")
    ops = asc.as_operations_inita(1)
    asc.as_operations_string_is_lower(ops, BIN, None)
    rec = operate(as_, key, ops)
    LOG("isLower(\"hello\") = %s", "true" if asc.as_record_get_bool(rec, BIN) else "false")
    asc.as_operations_destroy(ops)
    asc.as_record_destroy(rec)

    # toBlob - UTF-8 bytes as blob
    ops = asc.as_operations_inita(1)
    asc.as_operations_string_to_blob(ops, BIN, None)
    rec = operate(as_, key, ops)
    log_bytes_array("toBlob(\"hello\")", asc.as_record_get_bytes(rec, BIN))
    asc.as_operations_destroy(ops)
    asc.as_record_destroy(rec)

    # split - one element per codepoint
    put(as_, key, "abc")
    ops = asc.as_operations_inita(1)
    asc.as_operations_string_split(ops, BIN, None)
    rec = operate(as_, key, ops)
    log_list("split()", asc.as_record_get_list(rec, BIN))
    asc.as_operations_destroy(ops)
    asc.as_record_destroy(rec)

    # split(separator)
    put(as_, key, "one,two,three")
    ops = asc.as_operations_inita(1)
    asc.as_operations_string_split_separator(ops, BIN, None, ",")
    rec = operate(as_, key, ops)
    log_list("split(\",\")", asc.as_record_get_list(rec, BIN))
    asc.as_operations_destroy(ops)
    asc.as_record_destroy(rec)

    # b64Decode - decode base64 text to blob
    put(as_, key, "aGVsbG8=")
    ops = asc.as_operations_inita(1)
    asc.as_operations_string_b64_decode(ops, BIN, None)
    rec = operate(as_, key, ops)
    log_bytes_string("b64Decode(\"aGVsbG8=\")", asc.as_record_get_bytes(rec, BIN))
    asc.as_operations_destroy(ops)
    asc.as_record_destroy(rec)

    # regexCompare - ICU regex pattern match
    put(as_, key, "Hello123World")
    ops = asc.as_operations_inita(1)
    asc.as_operations_string_regex_compare(ops, BIN, None, "[0-9]+")
    rec = operate(as_, key, ops)
    LOG("regexCompare(\"[0-9]+\") = %s", "true" if asc.as_record_get_bool(rec, BIN) else "false")
    asc.as_operations_destroy(ops)
    asc.as_record_destroy(rec)

    # regexCompare(flags) - case-insensitive match
    put(as_, key, "HELLO")
    ops = asc.as_operations_inita(1)
    asc.as_operations_string_regex_compare_flags(ops, BIN, None, "hello",
                                                 asc.AS_STRING_REGEX_FLAGS_CASE_INSENSITIVE)
    rec = operate(as_, key, ops)
    LOG("regexCompare(\"hello\", CASE_INSENSITIVE) = %s",
        "true" if asc.as_record_get_bool(rec, BIN) else "false")
    asc.as_operations_destroy(ops)
    asc.as_record_destroy(rec)


def run_read_write_ops(as_: Any, args: Any) -> None:
    """One read op followed by one modify op."""
    key = asc.as_key_init_str(args.namespace, args.set, "opstr_demo")

    remove_test_record(as_, key)  # example_remove_record()

    put_rec = asc.as_record_inita(1)
    asc.as_record_set_str(put_rec, BIN, "hello world")
    asc.aerospike_key_put(as_, None, key, put_rec)  # an error raises: the C exits(-1)
    asc.as_record_destroy(put_rec)

    ops = asc.as_operations_inita(1)
    asc.as_operations_string_strlen(ops, BIN, None)

    rec = asc.aerospike_key_operate(as_, None, key, ops)

    LOG("strlen(\"hello world\") = %d", asc.as_record_get_int64(rec, BIN, 0))
    asc.as_operations_destroy(ops)
    asc.as_record_destroy(rec)

    policy = asc.as_string_policy_init()

    ops = asc.as_operations_inita(2)
    asc.as_operations_string_upper(ops, BIN, None, policy)
    asc.as_operations_add_read(ops, BIN)

    rec = asc.aerospike_key_operate(as_, None, key, ops)

    results = bin_entries(rec)  # rec->bins.entries
    LOG("upper() -> \"%s\"", asc.as_bin_get_value(results[1]))
    asc.as_operations_destroy(ops)
    asc.as_record_destroy(rec)


def run_modify_ops(as_: Any, args: Any) -> None:
    """Modify operations mutate the bin in place: each call below performs the modify op,
    then re-reads the bin to display the new value."""
    key = asc.as_key_init_str(args.namespace, args.set, "opstr_modify")

    policy = asc.as_string_policy_init()

    # insert - splice value at codepoint index
    put(as_, key, "hello world")
    ops = asc.as_operations_inita(1)
    asc.as_operations_string_insert(ops, BIN, None, policy, 5, " beautiful")
    modify_and_show(as_, key, "insert(5, \" beautiful\")", ops)

    # overwrite - replace codepoints starting at index
    put(as_, key, "hello world")
    ops = asc.as_operations_inita(1)
    asc.as_operations_string_overwrite(ops, BIN, None, policy, 6, "earth")
    modify_and_show(as_, key, "overwrite(6, \"earth\")", ops)

    # concat(value) - append a single string
    put(as_, key, "hello")
    ops = asc.as_operations_inita(1)
    asc.as_operations_string_concat(ops, BIN, None, policy, "!")
    modify_and_show(as_, key, "concat(\"!\")", ops)

    # concat(values) - append each list element in order
    put(as_, key, "hello")
    concat = [" ", "big", " world"]  # as_arraylist_new(3, 3) + as_arraylist_append_str()
    ops = asc.as_operations_inita(1)
    asc.as_operations_string_concat_list(ops, BIN, None, policy, concat)
    modify_and_show(as_, key, "concat([\" \", \"big\", \" world\"])", ops)

    # append - Unicode-aware end-append
    put(as_, key, "hello")
    ops = asc.as_operations_inita(1)
    asc.as_operations_string_append(ops, BIN, None, policy, "!")
    modify_and_show(as_, key, "append(\"!\")", ops)

    # prepend - Unicode-aware front-insert
    put(as_, key, "world")
    ops = asc.as_operations_inita(1)
    asc.as_operations_string_prepend(ops, BIN, None, policy, "hello ")
    modify_and_show(as_, key, "prepend(\"hello \")", ops)

    # snip - remove half-open codepoint range
    put(as_, key, "hello beautiful world")
    ops = asc.as_operations_inita(1)
    asc.as_operations_string_snip(ops, BIN, None, policy, 5, 15)
    modify_and_show(as_, key, "snip(5, 15)", ops)

    # replace - first occurrence only
    put(as_, key, "hello world world")
    ops = asc.as_operations_inita(1)
    asc.as_operations_string_replace(ops, BIN, None, policy, "world", "earth")
    modify_and_show(as_, key, "replace(\"world\", \"earth\")", ops)

    # replaceAll - every occurrence
    put(as_, key, "aabaa")
    ops = asc.as_operations_inita(1)
    asc.as_operations_string_replace_all(ops, BIN, None, policy, "a", "x")
    modify_and_show(as_, key, "replaceAll(\"a\", \"x\")", ops)

    # upper
    put(as_, key, "hello world")
    ops = asc.as_operations_inita(1)
    asc.as_operations_string_upper(ops, BIN, None, policy)
    modify_and_show(as_, key, "upper()", ops)

    # lower
    put(as_, key, "HELLO WORLD")
    ops = asc.as_operations_inita(1)
    asc.as_operations_string_lower(ops, BIN, None, policy)
    modify_and_show(as_, key, "lower()", ops)

    # caseFold - locale-independent fold for comparison keys
    put(as_, key, "HELLO World")
    ops = asc.as_operations_inita(1)
    asc.as_operations_string_case_fold(ops, BIN, None, policy)
    modify_and_show(as_, key, "caseFold()", ops)

    # normalizeNFC - Unicode NFC normalization
    put(as_, key, "café")
    ops = asc.as_operations_inita(1)
    asc.as_operations_string_normalize_nfc(ops, BIN, None, policy)
    modify_and_show(as_, key, "normalizeNFC()", ops)

    # trimStart - drop leading whitespace
    put(as_, key, "  hello  ")
    ops = asc.as_operations_inita(1)
    asc.as_operations_string_trim_start(ops, BIN, None, policy)
    modify_and_show(as_, key, "trimStart()", ops)

    # trimEnd - drop trailing whitespace
    put(as_, key, "  hello  ")
    ops = asc.as_operations_inita(1)
    asc.as_operations_string_trim_end(ops, BIN, None, policy)
    modify_and_show(as_, key, "trimEnd()", ops)

    # trim - drop both ends
    put(as_, key, "  hello world  ")
    ops = asc.as_operations_inita(1)
    asc.as_operations_string_trim(ops, BIN, None, policy)
    modify_and_show(as_, key, "trim()", ops)

    # padStart - left-pad up to target codepoint length
    put(as_, key, "hello")
    ops = asc.as_operations_inita(1)
    asc.as_operations_string_pad_start(ops, BIN, None, policy, 10, "*")
    modify_and_show(as_, key, "padStart(10, \"*\")", ops)

    # padEnd - right-pad up to target codepoint length
    put(as_, key, "hello")
    ops = asc.as_operations_inita(1)
    asc.as_operations_string_pad_end(ops, BIN, None, policy, 10, ".")
    modify_and_show(as_, key, "padEnd(10, \".\")", ops)

    # repeat - repeat string n times
    put(as_, key, "ab")
    ops = asc.as_operations_inita(1)
    asc.as_operations_string_repeat(ops, BIN, None, policy, 3)
    modify_and_show(as_, key, "repeat(3)", ops)

    # regexReplace - pass GLOBAL to replace every match (default replaces first only)
    put(as_, key, "abc123def456")
    ops = asc.as_operations_inita(1)
    asc.as_operations_string_regex_replace(ops, BIN, None, policy, "[0-9]+", "NUM",
                                           asc.AS_STRING_REGEX_FLAGS_GLOBAL)
    modify_and_show(as_, key, "regexReplace(\"[0-9]+\", \"NUM\", GLOBAL)", ops)


def run_to_string(as_: Any, args: Any) -> None:
    """toString: any int / float / string / blob bin as its string representation. Unlike
    the other ops, it does not accept a CTX."""
    key = asc.as_key_init_str(args.namespace, args.set, "opstr_tostring")

    remove_test_record(as_, key)  # example_remove_record()

    put_rec = asc.as_record_inita(1)
    asc.as_record_set_int64(put_rec, NUM_BIN, 42)
    asc.aerospike_key_put(as_, None, key, put_rec)
    asc.as_record_destroy(put_rec)

    ops = asc.as_operations_inita(1)
    asc.as_operations_to_string(ops, NUM_BIN)

    rec = operate(as_, key, ops)
    LOG("toString(int 42) = \"%s\"", asc.as_record_get_str(rec, NUM_BIN))
    asc.as_operations_destroy(ops)
    asc.as_record_destroy(rec)


def put(as_: Any, key: Any, value: str) -> None:
    """A fresh record with `value` in BIN (string_expression.py writes its records so too)."""
    remove_test_record(as_, key)  # example_remove_record()

    rec = asc.as_record_inita(1)
    asc.as_record_set_str(rec, BIN, value)
    asc.aerospike_key_put(as_, None, key, rec)  # an error raises: the C exits(-1)
    asc.as_record_destroy(rec)


def operate(as_: Any, key: Any, ops: Any) -> Any:
    return asc.aerospike_key_operate(as_, None, key, ops)


def modify_and_show(as_: Any, key: Any, label: str, ops: Any) -> None:
    asc.aerospike_key_operate(as_, None, key, ops)  # (C: rec out-parameter NULL)
    asc.as_operations_destroy(ops)

    rec = asc.aerospike_key_get(as_, None, key)

    LOG("%s -> \"%s\"", label, asc.as_record_get_str(rec, BIN))
    asc.as_record_destroy(rec)


def bin_entries(rec: Any) -> List[Any]:
    """The record's bins in order (C reads rec->bins.entries: here through as_record_iterator)."""
    it = asc.as_record_iterator_new(rec)
    entries = []
    while asc.as_record_iterator_has_next(it):
        entries.append(asc.as_record_iterator_next(it))
    asc.as_record_iterator_destroy(it)
    return entries


def log_bytes_array(label: str, value: Optional[bytes]) -> None:
    if value is None:
        LOG("%s = null", label)
        return
    LOG("%s = [%s]", label, ", ".join(str(b) for b in value))


def log_bytes_string(label: str, value: Optional[bytes]) -> None:
    if value is None:
        LOG("%s = null", label)
        return
    LOG("%s = \"%s\"", label, "".join(chr(b) for b in value))


def log_list(label: str, values: Optional[List[Any]]) -> None:
    if values is None:
        LOG("%s = null", label)
        return
    LOG("%s = [%s]", label, ", ".join(v if isinstance(v, str) else "<non-string>" for v in values))


if __name__ == "__main__":
    example_main(main)
