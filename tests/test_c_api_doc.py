"""docs/C_API.md's porting rules: every name the Python side of an example uses exists, so
the examples cannot drift from the package (the rest of the file is generated and checked by
tests/test_c_api_ledger.py)."""
from __future__ import annotations

import re
from pathlib import Path

import aerospike_c

DOC = Path(__file__).resolve().parent.parent / "docs" / "C_API.md"


def porting_examples() -> list:
    text = DOC.read_text()
    rules = text[text.index("## Porting rules"):text.index("## Per header")]
    return re.findall(r"```c\n(.*?)```", rules, re.S)


def test_each_porting_rule_has_an_example() -> None:
    rules = DOC.read_text()
    rules = rules[rules.index("## Porting rules"):rules.index("## Per header")]
    for rule in ("Out-parameters", "Errors", "Ownership"):
        section = rules[rules.index(f"**{rule}"):]
        following = section.find("\n**", 3)
        assert "```c" in section[:following if following > 0 else None], rule  # its example


def test_the_python_side_of_each_example_names_what_the_package_has() -> None:
    names = set()
    for block in porting_examples():
        for line in block.splitlines():
            if "|" in line:
                python = line.split("|", 1)[1].split("#", 1)[0]
                names.update(re.findall(r"\b(?:as_\w+|aerospike_\w+|[A-Z]\w*Error)\b", python))
    assert len(names) >= 6, names  # the parser found the examples
    missing = sorted(n for n in names if not hasattr(aerospike_c, n))
    assert not missing, missing
