"""The lister written from the schema (`batch_contract.engine.codegen`) names exactly the
violations that jsonschema-rs and the reference engine name, is what the block path and the light
path use, and leaves to jsonschema-rs what it is not written for. tests/engine/test_fast_path.py
holds it to both engines over the benchmark corpus; here are the example documents (the test list
is the folder listing) and its own behaviour."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from batch_contract.core.check import ContractCheck
from batch_contract.core.datetimes import is_rfc3339_datetime
from batch_contract.core.reading import LineBlock
from batch_contract.core.results import Result, Violation
from batch_contract.core.schemas import PARTS, PROFILES, Part, Profile, bundled_schema
from batch_contract.core.validation import (
    ABSENT,
    REQUIRED,
    Validator,
    json_path,
    sort_violations,
)
from batch_contract.engine import codegen
from batch_contract.engine.runner import Checker

EXAMPLES = Path(__file__).parents[1] / "examples"
INVALID_JOB = {"id": 5, "job_type": "parse", "status": "Running", "total_items": -1}


def example_values() -> list[Any]:
    """Every example document that is JSON, malformed-file examples included, by folder/name."""
    out = []
    for path in sorted(EXAMPLES.glob("*/*.json")):
        try:
            value = orjson.loads(path.read_bytes())
        except orjson.JSONDecodeError:
            continue
        out.append(pytest.param(value, id=f"{path.parent.name}/{path.stem}"))
    return out


@pytest.mark.parametrize(
    "date_time", [codegen.engine_date_time(), is_rfc3339_datetime], ids=["rs", "stdlib"]
)
@pytest.mark.parametrize("part", PARTS)
@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("value", example_values())
def test_lister_names_what_both_engines_name(
    profile: Profile, part: Part, value: Any, date_time: Any
) -> None:
    """On every example, as a whole response and as its job, in both profiles, with either
    date-time decision: the lister's violations, sorted, are jsonschema-rs's and the reference
    engine's (none for a valid one; for a value nested deeper than jsonschema-rs lists, those
    of its shallow copy, tests/core/test_deep_values.py)."""
    engine = Validator(profile, part)
    document = value.get("job") if part == "job" and isinstance(value, dict) else value
    listed = codegen.lister(profile, part, date_time)
    assert listed is not None
    found = sort_violations(listed(document))
    assert found == engine.reference_violations(document)
    assert found == engine.violations_of_invalid(document)


def test_the_block_path_lists_without_jsonschema_rs(monkeypatch: pytest.MonkeyPatch) -> None:
    """An invalid line's violations come from the lister: jsonschema-rs's `iter_errors` is not
    called, and the answer is the one it would give."""
    line = orjson.dumps({"job": INVALID_JOB, "progress_percentage": 5}) + b"\n"
    expected = ContractCheck().violations(orjson.loads(line))
    assert {v.keyword for v in expected} >= {"type", "enum", "minimum", "required"}
    checker = Checker()
    checker.prepare_lines()
    engine = checker._check.schema

    def no_listing(document: Any) -> Any:
        raise AssertionError("jsonschema-rs listed")

    monkeypatch.setattr(engine, "rs_violations", no_listing)
    [result] = checker.check_block(LineBlock("t", 1, [line]))
    assert isinstance(result, Result)
    assert result.violations == expected


def test_a_lister_that_finds_nothing_leaves_it_to_jsonschema_rs() -> None:
    """Should the lister find nothing in a body jsonschema-rs calls invalid, jsonschema-rs lists:
    an invalid body is never reported without its violations."""
    check = ContractCheck("documented", "job", lister=lambda document: [])
    violations = check.violations(INVALID_JOB)
    assert violations == check.schema.rs_violations(INVALID_JOB)
    assert {v.keyword for v in violations} == {"type", "enum", "minimum", "required"}


def test_a_schema_referred_to_twice_at_one_path_is_written_once() -> None:
    """A `$ref` reached twice at the same path (as the strict profile reaches the documented job
    through its own `$ref` and the response's) is written once: its violation is listed once,
    and a second reference at another path is still written."""
    schema = {
        "$ref": "outer",
        "properties": {"x": {"$ref": "count"}, "y": {"$ref": "count"}},
        "$defs": {
            "outer": {"type": "object", "properties": {"x": {"$ref": "count"}}},
            "count": {"type": "integer", "minimum": 0},
        },
    }
    source, _ = codegen.lister_source(schema)
    assert source.count("< c") == 2  # the minimum, at x and at y
    listed = codegen.compile_lister(schema, is_rfc3339_datetime)
    expected = "a number >= 0"
    assert listed({"x": -1, "y": -2}) == [
        Violation("$.x", "minimum", expected, "number -1"),
        Violation("$.y", "minimum", expected, "number -2"),
    ]


def test_the_strict_profile_names_each_violation_once_as_the_engine_does() -> None:
    """The strict profile checks a job against the documented schema twice (through its own
    `$ref` and the response's); each violation is listed once, as the reference engine names
    them."""
    document = {"job": {**INVALID_JOB, "project_id": "p"}, "progress_percentage": 0}
    listed = codegen.lister("strict", "status", codegen.engine_date_time())
    assert listed is not None
    assert len(listed(document)) == len(set(listed(document))) > 1
    check = ContractCheck("strict", "status", lister=listed)
    found = check.schema_violations(document)
    assert found == Validator("strict", "status").reference_violations(document)
    assert sorted(listed(document)) == sorted(found)


@pytest.mark.parametrize(
    "schema",
    [
        pytest.param({"type": "object", "properties": {"a": {"pattern": "x"}}}, id="pattern"),
        pytest.param({"type": "object", "additionalProperties": {"type": "string"}}, id="extra"),
        pytest.param({"enum": [1, 2]}, id="enum-of-numbers"),
        pytest.param({"type": "string", "format": "uri"}, id="other-format"),
        pytest.param({"$ref": "elsewhere.json"}, id="unknown-ref"),
        pytest.param({"type": "tuple"}, id="unknown-type"),
        pytest.param({"properties": {"a": False}}, id="false-subschema"),
        pytest.param({"minimum": "0"}, id="minimum-not-a-number"),
    ],
)
def test_what_the_lister_is_not_written_for_stops_it(schema: dict[str, Any]) -> None:
    """A keyword, type, format, reference or subschema the lister is not written for stops the
    writing, so the schema's documents take the full path (no light path, jsonschema-rs lists)."""
    with pytest.raises(codegen.Unsupported):
        codegen.lister_source(schema)


def test_every_profile_and_part_has_a_lister() -> None:
    """The bundled schemas use only what the lister is written for, in both profiles and parts
    (so the lister is in use, and the tests above are not vacuous)."""
    for profile in PROFILES:
        for part in PARTS:
            assert codegen.lister(profile, part, is_rfc3339_datetime) is not None
            source, _ = codegen.lister_source(bundled_schema(profile, part))
            assert "date_time(" in source


def test_a_property_key_is_data_not_code() -> None:
    """Property names reach the written source only as constants, never as text: a name made of
    code is checked like any other."""
    name = '"); import os; os._exit(3) #'
    schema = {"type": "object", "required": [name], "properties": {name: {"type": "string"}}}
    source, constants = codegen.lister_source(schema)
    assert "os._exit" not in source
    assert name in constants.values()
    listed = codegen.compile_lister(schema, is_rfc3339_datetime)
    assert listed({name: 1}) == [Violation(json_path([name]), "type", "string", "number 1")]
    assert listed({}) == [Violation(json_path([name]), "required", REQUIRED, ABSENT)]


def test_a_date_time_without_offset_is_named_as_the_engine_names_it() -> None:
    """A date-time with no UTC offset is listed with the same hint jsonschema-rs's listing gets."""
    job = {"id": "j", "job_type": "parse", "project_id": "p", "status": "pending"}
    job |= {"total_items": 1, "created_at": "2024-06-01T10:00:00"}
    listed = codegen.lister("documented", "job", codegen.engine_date_time())
    assert listed is not None
    [violation] = listed(job)
    assert violation == Validator("documented", "job").rs_violations(job)[0]
    assert "offset" in violation.found
