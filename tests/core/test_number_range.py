"""The exact `number-range` violations of the one check (`core/check.py`): what a NaN, an
infinity and a number beyond +-(2^53-1) are reported as, word for word. The faces' tests compare
path, keyword and severity only; these hold the sentence a user reads (mutation testing found
the text, the NaN/infinity branch and the long-integer shortening unheld)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from batch_contract.core.check import ContractCheck, number_violations
from batch_contract.core.results import Violation

VALID = Path(__file__).parents[1] / "examples" / "valid" / "completed.json"
BEYOND = "a number within ±(2^53-1), which every JSON parser reads exactly (I-JSON, RFC 7493)"
FINITE = "a finite number (NaN and infinity are not JSON)"


def body() -> Any:
    """The valid example, parsed."""
    return json.loads(VALID.read_bytes())


def test_nan_and_infinities_are_named_as_not_finite() -> None:
    """NaN, +inf and -inf in a parsed dict: one violation each, at its path, "finite"."""
    value = {"a": math.nan, "b": [math.inf], "c": {"d": -math.inf}}
    assert number_violations(value) == (
        Violation("$.a", "number-range", FINITE, "number NaN"),
        Violation("$.b[0]", "number-range", FINITE, "number Infinity"),
        Violation("$.c.d", "number-range", FINITE, "number -Infinity"),
    )


def test_a_number_beyond_the_safe_range_is_shown_whole_or_shortened() -> None:
    """2^53 is shown whole; an integer of 60 digits by its first 27 and its length; a top-level
    number has the root path."""
    long = 10**59
    assert number_violations({"n": 2**53, "m": [-long]}) == (
        Violation("$.m[0]", "number-range", BEYOND, "number -1000000000000000000... (60 digits)"),
        Violation("$.n", "number-range", BEYOND, "number 9007199254740992"),
    )
    assert number_violations(1e300) == (Violation("$", "number-range", BEYOND, "number 1e+300"),)
    shown = f"number {10**32}"  # 40 characters: not shortened
    assert number_violations(10**32) == (Violation("$", "number-range", BEYOND, shown),)
    assert number_violations(10**33)[0].found == "number 10000000000000000000... (34 digits)"


def test_a_nan_count_is_one_number_range_violation_not_also_a_null() -> None:
    """jsonschema-rs reads NaN as null: its "found null" at that path is dropped, the NaN's own
    violation names it; the schema's other violations stay."""
    value = body()
    value["job"]["total_items"] = math.nan
    value["job"]["status"] = 7
    found = ContractCheck().schema_violations(value)
    assert [(v.path, v.keyword, v.found) for v in found] == [
        ("$.job.status", "enum", "number 7"),
        ("$.job.status", "type", "number 7"),
        ("$.job.total_items", "number-range", "number NaN"),
    ]


def test_the_safe_range_is_inclusive_at_both_ends() -> None:
    """+-(2^53-1) themselves are safe, top level and beside a number that is not; a boolean at
    the top is no number."""
    edge = 2**53 - 1
    assert number_violations(edge) == number_violations(-edge) == number_violations(True) == ()
    assert number_violations(-(2**53)) == (
        Violation("$", "number-range", BEYOND, "number -9007199254740992"),
    )
    value = {"ok": 5, "edges": [edge, -edge], "n": 2**53}
    assert [v.path for v in number_violations(value)] == ["$.n"]


def test_a_body_jsonschema_rs_cannot_read_still_gets_its_number_violations() -> None:
    """An unpaired surrogate in a key makes jsonschema-rs refuse the body (the reference engine
    then lists its schema violations); a number beyond the safe range in the same body is still
    reported, beside the undocumented key the strict profile names."""
    value = body()
    value["job"]["total_items"] = 2**60
    value["job"]["x\udc00"] = 1
    shown = "number 1152921504606846976"
    assert ContractCheck().schema_violations(value) == (
        Violation("$.job.total_items", "number-range", BEYOND, shown),
    )
    strict = ContractCheck("strict").schema_violations(value)
    assert [(v.path, v.keyword) for v in strict] == [
        ("$.job.total_items", "number-range"),
        ('$.job["x\udc00"]', "additionalProperties"),
    ]


def test_a_number_deep_in_a_value_is_named_by_its_whole_path() -> None:
    """A number four and five levels down, beside others, is named by every key and index on
    its way, in path order."""
    value = {"job": {"x": [{"y": {"z": 2**60}}, 1, [3, -(2**54)]]}, "n": 5}
    assert [v.path for v in number_violations(value)] == ["$.job.x[0].y.z", "$.job.x[2][1]"]
