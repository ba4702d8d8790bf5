"""Values nested deeper than the schema engines read: jsonschema-rs lists no violation of a value
256 levels deep or more (its `iter_errors` raises), and pure-Python jsonschema none past Python's
recursion limit. The one check lists them as it lists a shallow value, on every profile and part.
The example files (tests/examples/invalid/nested-*, tests/examples/strict-invalid/nested-*) take
every face through this; here are the values only a dict can hold (the parser stops at 512)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from batch_contract.assertions import BatchStatusMismatch, assert_batch_status
from batch_contract.core.check import ContractCheck
from batch_contract.core.validation import SCHEMA_DEPTH, within_depth

SCHEMAS = Path(__file__).parents[2] / "schemas"
JOB = {"id": "bjb-1", "job_type": "parse", "project_id": "proj-1", "status": "running"}
JOB |= {"total_items": 2}


STATUS_FOUND = ["$.job.status enum: array", "$.job.status type: array"]


def nested(levels: int, kind: str) -> Any:
    """An array (`kind` "array") or object nested `levels` deep."""
    value: Any = [] if kind == "array" else {}
    for _ in range(levels - 1):
        value = [value] if kind == "array" else {"a": value}
    return value


def found(check: ContractCheck, value: Any) -> list[str]:
    """`path keyword: found` of each violation."""
    return [f"{v.path} {v.keyword}: {v.found}" for v in check.violations(value)]


@pytest.mark.parametrize("levels", [255, 256, 511, 5_000, 100_000])
@pytest.mark.parametrize("kind", ["array", "object"])
def test_a_deep_value_where_a_string_belongs_is_named_by_its_type(levels: int, kind: str) -> None:
    """A status nested up to 100,000 levels gets the two violations a shallow one gets, in
    both profiles, as a body and as a bare job."""
    expected = [f"$.job.status enum: {kind}", f"$.job.status type: {kind}"]
    body = {"job": {**JOB, "status": nested(levels, kind)}, "progress_percentage": 0}
    for profile in ("documented", "strict"):
        assert found(ContractCheck(profile, "status"), body) == expected
        bare = [text.replace("$.job.", "$.") for text in expected]
        assert found(ContractCheck(profile, "job"), body["job"]) == bare


@pytest.mark.parametrize("levels", [300, 100_000])
def test_a_deep_undocumented_field_is_named_by_the_strict_profile(levels: int) -> None:
    """An undocumented field nested deep is one `additionalProperties` violation in the strict
    profile, and nothing in the documented one."""
    body = {"job": JOB, "progress_percentage": 0, "trace": nested(levels, "array")}
    assert found(ContractCheck("strict", "status"), body) == ["$.trace additionalProperties: array"]
    assert found(ContractCheck("documented", "status"), body) == []


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("job_type", ['$.job.job_type enum: string "\ud800"', *STATUS_FOUND]),
        ("workflow_id", STATUS_FOUND),
    ],
    ids=["surrogate-met-first", "deep-value-met-first"],
)
def test_a_deep_value_beside_an_unpaired_surrogate_is_listed(
    field: str, expected: list[str]
) -> None:
    """An unpaired surrogate sends the listing to pure-Python jsonschema, which cannot walk
    10,000 levels either: every violation is still named, whichever of the two jsonschema-rs
    meets first (a surrogate in job_type breaks its enum, before the status is listed)."""
    job = {**JOB, field: "\ud800", "status": nested(10_000, "array")}
    body = {"job": job, "progress_percentage": 0}
    assert found(ContractCheck("documented", "status"), body) == expected


def test_assert_batch_status_fails_a_deep_value_with_its_violations() -> None:
    """assert_batch_status raises its AssertionError, not ValueError or RecursionError."""
    body = {"job": {**JOB, "status": nested(1_000, "object")}, "progress_percentage": 0}
    with pytest.raises(BatchStatusMismatch) as raised:
        assert_batch_status(body)
    assert [v.path for v in raised.value.violations] == ["$.job.status", "$.job.status"]


def test_what_lies_deeper_than_kept_is_emptied_keeping_its_type() -> None:
    """`within_depth` keeps `depth` levels and empties the containers below, arrays as arrays
    and objects as objects; scalars and shallow values are kept as they are."""
    value = {"a": [1, {"b": [[2]], "c": "x"}], "d": None}
    assert within_depth(value, 2) == {"a": [1, {}], "d": None}
    assert within_depth(value, 3) == {"a": [1, {"b": [], "c": "x"}], "d": None}
    assert within_depth(value, 9) == value
    assert within_depth(nested(200, "array"), 1) == [[]]
    assert within_depth(7, 0) == 7


def _depth(schema: Any, files: dict[str, Any]) -> int:
    """How many levels below a value the schema's keywords read, following `$ref` to the
    schema files (written here from the files, not from the package)."""
    if not isinstance(schema, dict):
        return 0
    deepest = 0
    if "$ref" in schema:
        deepest = _depth(files[schema["$ref"]], files)
    for sub in schema.get("properties", {}).values():
        deepest = max(deepest, 1 + _depth(sub, files))
    if isinstance(schema.get("additionalProperties"), dict):
        deepest = max(deepest, 1 + _depth(schema["additionalProperties"], files))
    if "items" in schema:
        deepest = max(deepest, 1 + _depth(schema["items"], files))
    return deepest


def test_the_schemas_read_far_less_deep_than_the_listing_keeps() -> None:
    """The listing empties what lies deeper than `SCHEMA_DEPTH` levels: the schema files read
    at most 2 levels (a job's field), so an emptied value is only ever named by its type."""
    files = {path.name: json.loads(path.read_bytes()) for path in SCHEMAS.glob("*.schema.json")}
    assert len(files) == 4
    depths = [_depth(schema, files) for schema in files.values()]
    assert max(depths) == 2
    assert max(depths) + 1 < SCHEMA_DEPTH
