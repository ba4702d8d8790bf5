"""The lister written for the schema (`batch_contract.lister`) names exactly the violations that
jsonschema-rs and the reference engine name, is what the full path uses, and leaves to jsonschema-rs
what it is not written for. tests/test_engines.py and tests/test_fast_path.py hold it to both
engines over generated documents and the benchmark corpus; here are the example documents (the test
list is the folder listing) and its own behaviour."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from batch_contract import lister
from batch_contract.schemas import PARTS, PROFILES, Part, Profile, bundled_schema
from batch_contract.validation import ABSENT, REQUIRED, Validator, Violation, json_path

EXAMPLES = Path(__file__).parent / "examples"
INVALID_JOB = {"id": 5, "job_type": "parse", "status": "Running", "total_items": -1}


def example_values() -> list[Any]:
    """(name, value) for every example document that is JSON, malformed ones included."""
    out = []
    for path in sorted(EXAMPLES.glob("*/*.json")):
        try:
            value = orjson.loads(path.read_bytes())
        except orjson.JSONDecodeError:
            continue
        out.append(pytest.param(value, id=f"{path.parent.name}/{path.stem}"))
    return out


@pytest.mark.parametrize("part", PARTS)
@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("value", example_values())
def test_lister_names_what_both_engines_name(profile: Profile, part: Part, value: Any) -> None:
    """On every example, as a whole response and as its job, in both profiles: the lister's
    violations, sorted, are jsonschema-rs's and the reference engine's (none for a valid one)."""
    engine = Validator(profile, part)
    document = value.get("job") if part == "job" and isinstance(value, dict) else value
    listed = lister.build(profile, part)
    assert listed is not None
    found = tuple(sorted(set(listed(document)), key=tuple))
    assert found == engine.reference_violations(document)
    assert found == engine.rs_violations(document)


def test_the_full_path_lists_without_jsonschema_rs(monkeypatch: pytest.MonkeyPatch) -> None:
    """An invalid document's violations come from the lister: jsonschema-rs's `iter_errors` is not
    called, and the answer is the one it would give."""
    engine = Validator("documented", "job")
    expected = engine.rs_violations(INVALID_JOB)
    assert len(expected) == 4

    class NoListing:
        """jsonschema-rs's validator, but listing fails the test."""

        is_valid = engine._rs.is_valid

        def iter_errors(self, document: Any) -> Any:
            raise AssertionError("iter_errors called")

    monkeypatch.setattr(engine, "_rs", NoListing())
    assert engine.violations(INVALID_JOB) == expected


def test_a_lister_that_finds_nothing_leaves_it_to_jsonschema_rs() -> None:
    """Should the lister find nothing in a document jsonschema-rs calls invalid, jsonschema-rs
    lists: an invalid document is never reported without its violations."""
    engine = Validator("documented", "job")
    engine.__dict__["_lister"] = lambda document: []
    violations = engine.violations(INVALID_JOB)
    assert violations == engine.rs_violations(INVALID_JOB)
    assert {v.keyword for v in violations} == {"type", "enum", "minimum", "required"}


def test_a_duplicate_violation_is_named_once() -> None:
    """The strict profile checks a job against the documented schema twice (through its own
    `$ref` and the response's), so the lister finds a violation twice; it is reported once."""
    engine = Validator("strict", "status")
    document = {"job": {**INVALID_JOB, "project_id": "p"}, "progress_percentage": 0}
    listed = lister.build("strict", "status")
    assert listed is not None
    assert len(listed(document)) > len(set(listed(document)))
    assert engine.violations(document) == engine.reference_violations(document)
    assert len(engine.violations(document)) == len(set(engine.violations(document)))


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
    writing, so the schema's documents are listed by jsonschema-rs."""
    with pytest.raises(lister.Unsupported):
        lister.write(schema)


def test_every_profile_and_part_has_a_lister() -> None:
    """The bundled schemas use only what the lister is written for, in both profiles and parts
    (so the lister is in use, and the tests above are not vacuous)."""
    for profile in PROFILES:
        for part in PARTS:
            assert lister.build(profile, part) is not None
            source, _ = lister.write(bundled_schema(profile, part))
            assert "date_time(" in source


def test_a_property_key_is_data_not_code() -> None:
    """Property names reach the written source only as constants, never as text: a name made of
    code is checked like any other."""
    name = '"); import os; os._exit(3) #'
    schema = {"type": "object", "required": [name], "properties": {name: {"type": "string"}}}
    source, constants = lister.write(schema)
    assert "os._exit" not in source
    assert name in constants.values()
    found = lister.compile_lister(schema)({name: 1})
    assert found == [Violation(json_path([name]), "type", "string", "number 1")]
    assert lister.compile_lister(schema)({}) == [
        Violation(json_path([name]), "required", REQUIRED, ABSENT)
    ]
