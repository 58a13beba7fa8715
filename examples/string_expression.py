"""Port of the C client's basic_examples/string_expression: the server 8.2 string
expressions (as_exp_string_*, as_exp_to_string), each evaluated by an expression read
operation (as_operations_exp_read) into a result bin - the reads, the modify-style
expressions (they return the new text and leave the bin as it is), and toString.

Needs a server 8.2 or later: without --hosts the embedded cluster it starts reports 8.2.0.0.
"""
from __future__ import annotations

from typing import Any, List, Optional

import aerospike_c as asc
from _common import LOG, example_cluster, example_main, parse_args, remove_test_record
from string_operations import SERVER_BUILD, log_bytes_array, log_bytes_string, log_list, put

BIN = "text"
VAR = "result"
NUM_BIN = "n"


def main(argv: Optional[List[str]] = None) -> int:
    # Parse command line arguments.
    args = parse_args("string expression example", argv)

    # Connect to the aerospike database cluster.
    with example_cluster(args, server_build=SERVER_BUILD) as as_:
        run_read_exps(as_, args)
        run_modify_exps(as_, args)
        run_to_string(as_, args)

        # Cleanup and disconnect from the database cluster (on leaving the block).

    LOG("string expression example successfully completed")
    return 0


def evaluate(as_: Any, key: Any, entries: Any) -> Any:
    """The C's EVAL(...) macro: as_exp_build, eval_exp, as_exp_destroy."""
    exp = asc.as_exp_build(entries)
    rec = eval_exp(as_, key, exp)
    asc.as_exp_destroy(exp)
    return rec


def run_read_exps(as_: Any, args: Any) -> None:
    """Read-only string expressions."""
    key = asc.as_key_init_str(args.namespace, args.set, "stringexp_read")

    # strlen - codepoint count
    put(as_, key, "hello world")
    rec = evaluate(as_, key, asc.as_exp_string_strlen(asc.as_exp_bin_str(BIN)))
    LOG("strlen(\"hello world\") = %d", asc.as_record_get_int64(rec, VAR, 0))
    asc.as_record_destroy(rec)

    # substr(start) - codepoint slice to end of string
    rec = evaluate(as_, key, asc.as_exp_string_substr(6, asc.as_exp_bin_str(BIN)))
    LOG("substr(6) = \"%s\"", asc.as_record_get_str(rec, VAR))
    asc.as_record_destroy(rec)

    # substr(start, end) - half-open codepoint range
    rec = evaluate(as_, key, asc.as_exp_string_substr_range(0, 5, asc.as_exp_bin_str(BIN)))
    LOG("substr(0, 5) = \"%s\"", asc.as_record_get_str(rec, VAR))
    asc.as_record_destroy(rec)

    # charAt - single-codepoint slice
    rec = evaluate(as_, key, asc.as_exp_string_char_at(6, asc.as_exp_bin_str(BIN)))
    LOG("charAt(6) = \"%s\"", asc.as_record_get_str(rec, VAR))
    asc.as_record_destroy(rec)

    # find(needle) - index of first match, -1 if absent
    rec = evaluate(as_, key, asc.as_exp_string_find("world", asc.as_exp_bin_str(BIN)))
    LOG("find(\"world\") = %d", asc.as_record_get_int64(rec, VAR, 0))
    asc.as_record_destroy(rec)

    # find(needle, occurrence) - index of nth match
    put(as_, key, "ababab")
    rec = evaluate(as_, key, asc.as_exp_string_find_occurrence("ab", 2, asc.as_exp_bin_str(BIN)))
    LOG("find(\"ab\", occurrence=2) on \"ababab\" = %d", asc.as_record_get_int64(rec, VAR, 0))
    asc.as_record_destroy(rec)

    # contains
    put(as_, key, "hello world")
    rec = evaluate(as_, key, asc.as_exp_string_contains("hello", asc.as_exp_bin_str(BIN)))
    LOG("contains(\"hello\") = %s", "true" if asc.as_record_get_bool(rec, VAR) else "false")
    asc.as_record_destroy(rec)

    # startsWith
    rec = evaluate(as_, key, asc.as_exp_string_starts_with("hello", asc.as_exp_bin_str(BIN)))
    LOG("startsWith(\"hello\") = %s", "true" if asc.as_record_get_bool(rec, VAR) else "false")
    asc.as_record_destroy(rec)

    # endsWith
    rec = evaluate(as_, key, asc.as_exp_string_ends_with("world", asc.as_exp_bin_str(BIN)))
    LOG("endsWith(\"world\") = %s", "true" if asc.as_record_get_bool(rec, VAR) else "false")
    asc.as_record_destroy(rec)

    # toInteger - parse string as int64
    put(as_, key, "12345")
    rec = evaluate(as_, key, asc.as_exp_string_to_integer(asc.as_exp_bin_str(BIN)))
    LOG("toInteger(\"12345\") = %d", asc.as_record_get_int64(rec, VAR, 0))
    asc.as_record_destroy(rec)

    # toDouble - parse string as float64
    put(as_, key, "3.14")
    rec = evaluate(as_, key, asc.as_exp_string_to_double(asc.as_exp_bin_str(BIN)))
    LOG("toDouble(\"3.14\") = %f", asc.as_record_get_double(rec, VAR, 0.0))
    asc.as_record_destroy(rec)

    # byteLength - UTF-8 byte count (differs from strlen for non-ASCII)
    put(as_, key, "héllo")
    rec = evaluate(as_, key, asc.as_exp_string_byte_length(asc.as_exp_bin_str(BIN)))
    LOG("byteLength(\"héllo\") = %d (5 codepoints, 6 UTF-8 bytes)",
        asc.as_record_get_int64(rec, VAR, 0))
    asc.as_record_destroy(rec)

    # isNumeric - accepts integer or float
    put(as_, key, "12345")
    rec = evaluate(as_, key, asc.as_exp_string_is_numeric(asc.as_exp_bin_str(BIN)))
    LOG("isNumeric(\"12345\") = %s", "true" if asc.as_record_get_bool(rec, VAR) else "false")
    asc.as_record_destroy(rec)

    # isNumeric(numericType) - restrict by AS_STRING_NUMERIC_INT
    put(as_, key, "3.14")
    rec = evaluate(as_, key, asc.as_exp_string_is_numeric_type(asc.AS_STRING_NUMERIC_INT,
                                                               asc.as_exp_bin_str(BIN)))
    LOG("isNumeric(\"3.14\", INT) = %s", "true" if asc.as_record_get_bool(rec, VAR) else "false")
    asc.as_record_destroy(rec)

    # isUpper
    put(as_, key, "HELLO")
    rec = evaluate(as_, key, asc.as_exp_string_is_upper(asc.as_exp_bin_str(BIN)))
    LOG("isUpper(\"HELLO\") = %s", "true" if asc.as_record_get_bool(rec, VAR) else "false")
    asc.as_record_destroy(rec)

    # isLower
    put(as_, key, "hello")
    rec = evaluate(as_, key, asc.as_exp_string_is_lower(asc.as_exp_bin_str(BIN)))
    LOG("isLower(\"hello\") = %s", "true" if asc.as_record_get_bool(rec, VAR) else "false")
    asc.as_record_destroy(rec)

    # toBlob - UTF-8 bytes as blob
    rec = evaluate(as_, key, asc.as_exp_string_to_blob(asc.as_exp_bin_str(BIN)))
    log_bytes_array("toBlob(\"hello\")", asc.as_record_get_bytes(rec, VAR))
    asc.as_record_destroy(rec)

    # split - one element per codepoint
    put(as_, key, "abc")
    rec = evaluate(as_, key, asc.as_exp_string_split(asc.as_exp_bin_str(BIN)))
    log_list("split()", asc.as_record_get_list(rec, VAR))
    asc.as_record_destroy(rec)

    # split(separator)
    put(as_, key, "one,two,three")
    rec = evaluate(as_, key, asc.as_exp_string_split_separator(",", asc.as_exp_bin_str(BIN)))
    log_list("split(\",\")", asc.as_record_get_list(rec, VAR))
    asc.as_record_destroy(rec)

    # b64Decode - decode base64 text to blob
    put(as_, key, "aGVsbG8=")
    rec = evaluate(as_, key, asc.as_exp_string_b64_decode(asc.as_exp_bin_str(BIN)))
    log_bytes_string("b64Decode(\"aGVsbG8=\")", asc.as_record_get_bytes(rec, VAR))
    asc.as_record_destroy(rec)

    # regexCompare - ICU regex pattern match
    put(as_, key, "Hello123World")
    rec = evaluate(as_, key, asc.as_exp_string_regex_compare("[0-9]+", asc.as_exp_bin_str(BIN)))
    LOG("regexCompare(\"[0-9]+\") = %s", "true" if asc.as_record_get_bool(rec, VAR) else "false")
    asc.as_record_destroy(rec)

    # regexCompare(flags) - case-insensitive match
    put(as_, key, "HELLO")
    rec = evaluate(as_, key, asc.as_exp_string_regex_compare_flags(
        "hello", asc.AS_STRING_REGEX_FLAGS_CASE_INSENSITIVE, asc.as_exp_bin_str(BIN)))
    LOG("regexCompare(\"hello\", CASE_INSENSITIVE) = %s",
        "true" if asc.as_record_get_bool(rec, VAR) else "false")
    asc.as_record_destroy(rec)


def run_modify_exps(as_: Any, args: Any) -> None:
    """Modify-style expressions: each returns the transformed string value. The underlying
    bin is not mutated."""
    key = asc.as_key_init_str(args.namespace, args.set, "stringexp_modify")

    policy = asc.as_string_policy_init()

    # insert - splice value at codepoint index
    put(as_, key, "hello world")
    rec = evaluate(as_, key, asc.as_exp_string_insert(policy, 5, " beautiful",
                                                      asc.as_exp_bin_str(BIN)))
    LOG("insert(5, \" beautiful\") -> \"%s\"", asc.as_record_get_str(rec, VAR))
    asc.as_record_destroy(rec)

    # overwrite - replace codepoints starting at index
    rec = evaluate(as_, key, asc.as_exp_string_overwrite(policy, 6, "earth",
                                                         asc.as_exp_bin_str(BIN)))
    LOG("overwrite(6, \"earth\") -> \"%s\"", asc.as_record_get_str(rec, VAR))
    asc.as_record_destroy(rec)

    # concat - append a list of strings in order
    put(as_, key, "hello")
    concat = [" ", "big", " world"]  # as_arraylist_inita(3) + as_arraylist_append_str()
    rec = evaluate(as_, key, asc.as_exp_string_concat_list(policy, asc.as_exp_val(concat),
                                                           asc.as_exp_bin_str(BIN)))
    LOG("concat([\" \", \"big\", \" world\"]) -> \"%s\"", asc.as_record_get_str(rec, VAR))
    asc.as_record_destroy(rec)

    # append - Unicode-aware end-append
    rec = evaluate(as_, key, asc.as_exp_string_append(policy, "!", asc.as_exp_bin_str(BIN)))
    LOG("append(\"!\") -> \"%s\"", asc.as_record_get_str(rec, VAR))
    asc.as_record_destroy(rec)

    # prepend - Unicode-aware front-insert
    put(as_, key, "world")
    rec = evaluate(as_, key, asc.as_exp_string_prepend(policy, "hello ", asc.as_exp_bin_str(BIN)))
    LOG("prepend(\"hello \") -> \"%s\"", asc.as_record_get_str(rec, VAR))
    asc.as_record_destroy(rec)

    # snip - remove half-open codepoint range
    put(as_, key, "hello beautiful world")
    rec = evaluate(as_, key, asc.as_exp_string_snip(policy, 5, 15, asc.as_exp_bin_str(BIN)))
    LOG("snip(5, 15) -> \"%s\"", asc.as_record_get_str(rec, VAR))
    asc.as_record_destroy(rec)

    # replace - first occurrence only
    put(as_, key, "hello world world")
    rec = evaluate(as_, key, asc.as_exp_string_replace(policy, "world", "earth",
                                                       asc.as_exp_bin_str(BIN)))
    LOG("replace(\"world\", \"earth\") -> \"%s\"", asc.as_record_get_str(rec, VAR))
    asc.as_record_destroy(rec)

    # replaceAll - every occurrence
    put(as_, key, "aabaa")
    rec = evaluate(as_, key, asc.as_exp_string_replace_all(policy, "a", "x",
                                                           asc.as_exp_bin_str(BIN)))
    LOG("replaceAll(\"a\", \"x\") -> \"%s\"", asc.as_record_get_str(rec, VAR))
    asc.as_record_destroy(rec)

    # upper
    put(as_, key, "hello world")
    rec = evaluate(as_, key, asc.as_exp_string_upper(policy, asc.as_exp_bin_str(BIN)))
    LOG("upper() -> \"%s\"", asc.as_record_get_str(rec, VAR))
    asc.as_record_destroy(rec)

    # lower
    put(as_, key, "HELLO WORLD")
    rec = evaluate(as_, key, asc.as_exp_string_lower(policy, asc.as_exp_bin_str(BIN)))
    LOG("lower() -> \"%s\"", asc.as_record_get_str(rec, VAR))
    asc.as_record_destroy(rec)

    # caseFold - locale-independent fold for comparison keys
    put(as_, key, "HELLO World")
    rec = evaluate(as_, key, asc.as_exp_string_case_fold(policy, asc.as_exp_bin_str(BIN)))
    LOG("caseFold() -> \"%s\"", asc.as_record_get_str(rec, VAR))
    asc.as_record_destroy(rec)

    # normalizeNFC - Unicode NFC normalization
    put(as_, key, "café")
    rec = evaluate(as_, key, asc.as_exp_string_normalize_nfc(policy, asc.as_exp_bin_str(BIN)))
    LOG("normalizeNFC() -> \"%s\"", asc.as_record_get_str(rec, VAR))
    asc.as_record_destroy(rec)

    # trimStart - drop leading whitespace
    put(as_, key, "  hello  ")
    rec = evaluate(as_, key, asc.as_exp_string_trim_start(policy, asc.as_exp_bin_str(BIN)))
    LOG("trimStart() -> \"%s\"", asc.as_record_get_str(rec, VAR))
    asc.as_record_destroy(rec)

    # trimEnd - drop trailing whitespace
    rec = evaluate(as_, key, asc.as_exp_string_trim_end(policy, asc.as_exp_bin_str(BIN)))
    LOG("trimEnd() -> \"%s\"", asc.as_record_get_str(rec, VAR))
    asc.as_record_destroy(rec)

    # trim - drop both ends
    put(as_, key, "  hello world  ")
    rec = evaluate(as_, key, asc.as_exp_string_trim(policy, asc.as_exp_bin_str(BIN)))
    LOG("trim() -> \"%s\"", asc.as_record_get_str(rec, VAR))
    asc.as_record_destroy(rec)

    # padStart - left-pad up to target codepoint length
    put(as_, key, "hello")
    rec = evaluate(as_, key, asc.as_exp_string_pad_start(policy, 10, "*", asc.as_exp_bin_str(BIN)))
    LOG("padStart(10, \"*\") -> \"%s\"", asc.as_record_get_str(rec, VAR))
    asc.as_record_destroy(rec)

    # padEnd - right-pad up to target codepoint length
    rec = evaluate(as_, key, asc.as_exp_string_pad_end(policy, 10, ".", asc.as_exp_bin_str(BIN)))
    LOG("padEnd(10, \".\") -> \"%s\"", asc.as_record_get_str(rec, VAR))
    asc.as_record_destroy(rec)

    # repeat - repeat string n times
    put(as_, key, "ab")
    rec = evaluate(as_, key, asc.as_exp_string_repeat(policy, 3, asc.as_exp_bin_str(BIN)))
    LOG("repeat(3) -> \"%s\"", asc.as_record_get_str(rec, VAR))
    asc.as_record_destroy(rec)

    # regexReplace - pass GLOBAL to replace every match (default replaces first only)
    put(as_, key, "abc123def456")
    rec = evaluate(as_, key, asc.as_exp_string_regex_replace(
        policy, "[0-9]+", "NUM", asc.AS_STRING_REGEX_FLAGS_GLOBAL, asc.as_exp_bin_str(BIN)))
    LOG("regexReplace(\"[0-9]+\", \"NUM\", GLOBAL) -> \"%s\"", asc.as_record_get_str(rec, VAR))
    asc.as_record_destroy(rec)


def run_to_string(as_: Any, args: Any) -> None:
    """toString: stringify any int / float / string / blob source; shown on an integer bin."""
    key = asc.as_key_init_str(args.namespace, args.set, "stringexp_tostring")

    remove_test_record(as_, key)  # example_remove_record()

    put_rec = asc.as_record_inita(1)
    asc.as_record_set_int64(put_rec, NUM_BIN, 42)
    asc.aerospike_key_put(as_, None, key, put_rec)  # an error raises: the C exits(-1)
    asc.as_record_destroy(put_rec)

    exp = asc.as_exp_build(asc.as_exp_to_string(asc.as_exp_bin_int(NUM_BIN)))
    rec = eval_exp(as_, key, exp)
    asc.as_exp_destroy(exp)

    LOG("toString(intBin(\"n\") = 42) -> \"%s\"", asc.as_record_get_str(rec, VAR))
    asc.as_record_destroy(rec)


def eval_exp(as_: Any, key: Any, exp: Any) -> Any:
    ops = asc.as_operations_inita(1)
    asc.as_operations_exp_read(ops, VAR, exp, asc.AS_EXP_READ_DEFAULT)

    rec = asc.aerospike_key_operate(as_, None, key, ops)  # an error raises: the C exits(-1)

    asc.as_operations_destroy(ops)
    return rec


if __name__ == "__main__":
    example_main(main)
