"""How the fast lane reads a profile that tightens another (`fastlane._meet`: a `$ref` beside
other keywords is both schemas at once), on small schemas written here with the merged schema
expected, beyond what the bundled profiles happen to use. A schema the lane cannot merge raises
`Unsupported` (no lane; the full path checks every line)."""

from __future__ import annotations

from typing import Any

import pytest

from batch_contract.engine.fastlane import Unsupported, _meet

STRING = {"type": "string"}
OPEN = {"type": "object", "properties": {"a": STRING, "b": {"type": "integer"}}}
CLOSED = {"type": "object", "properties": {"a": STRING}, "additionalProperties": False}


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        pytest.param(True, STRING, STRING, id="true-then-schema"),
        pytest.param(STRING, True, STRING, id="schema-then-true"),
        pytest.param(
            {"$ref": "s.json"}, True, {"type": "string", "minLength": 1}, id="ref-resolved"
        ),
        pytest.param(
            OPEN,
            {"type": "object"},
            {"type": "object", "properties": {"a": STRING, "b": {"type": "integer"}}},
            id="properties-on-the-first-side",
        ),
        pytest.param(
            {"type": "object"},
            OPEN,
            {"type": "object", "properties": {"a": STRING, "b": {"type": "integer"}}},
            id="properties-on-the-second-side",
        ),
        pytest.param(
            OPEN,
            CLOSED,
            {
                "type": "object",
                "properties": {"a": {"type": ["string"]}},
                "additionalProperties": False,
            },
            id="second-closed-drops-what-it-does-not-name",
        ),
        pytest.param(
            CLOSED,
            OPEN,
            {
                "type": "object",
                "properties": {"a": {"type": ["string"]}},
                "additionalProperties": False,
            },
            id="first-closed-drops-what-it-does-not-name",
        ),
        pytest.param(
            True, {"$ref": "s.json"}, {"type": "string", "minLength": 1}, id="true-then-ref"
        ),
        pytest.param(
            OPEN,
            {
                "type": "object",
                "properties": {"a": STRING, "c": STRING},
                "additionalProperties": False,
            },
            {
                "type": "object",
                "properties": {"a": {"type": ["string"]}, "c": STRING},
                "additionalProperties": False,
            },
            id="a-forbidden-property-before-an-allowed-one",
        ),
        pytest.param(
            {"type": "integer"},
            {"title": "t", "minimum": 3},
            {"type": "integer", "minimum": 3},
            id="leaves-annotation-first",
        ),
        pytest.param(
            {**OPEN, "required": ["a"]},
            {"type": "object", "properties": {"b": {"minimum": 0}}, "required": ["b", "a"]},
            {
                "type": "object",
                "properties": {"a": STRING, "b": {"type": "integer", "minimum": 0}},
                "required": ["a", "b"],
            },
            id="required-of-both-once",
        ),
        pytest.param(
            {"type": ["integer", "null"], "minimum": 0, "maximum": 10, "title": "t"},
            {"type": "number", "minimum": 2, "maximum": 20, "description": "d"},
            {"type": ["integer"], "minimum": 2, "maximum": 10},
            id="leaves-integer-and-number-tighter-bounds-no-annotations",
        ),
        pytest.param(
            {"type": ["string", "null"]},
            {"type": "string", "format": "date-time", "enum": ["x"]},
            {"type": ["string"], "format": "date-time", "enum": ["x"]},
            id="leaves-keywords-of-either",
        ),
        pytest.param(
            {"type": "string", "enum": ["x", "y"], "format": "date-time"},
            {"enum": ["x", "y"], "format": "date-time"},
            {"type": "string", "enum": ["x", "y"], "format": "date-time"},
            id="leaves-same-enum-and-format",
        ),
    ],
)
def test_two_schemas_meet_as_both_at_once(first: Any, second: Any, expected: Any) -> None:
    """The merged schema accepts what both accept: the other side of `true`, every property
    either names unless a closed side forbids it, the required of both, the types both allow,
    the tighter bounds, either's format and enum, and no annotation."""
    defs = {"s.json": {"type": "string", "minLength": 1}}
    assert _meet(first, second, defs) == expected


@pytest.mark.parametrize(
    ("first", "second", "reason"),
    [
        pytest.param(
            {"type": "object", "properties": {}},
            STRING,
            "an object schema without type object",
            id="object-and-string",
        ),
        pytest.param(
            STRING,
            {"type": "object", "properties": {}},
            "an object schema without type object",
            id="string-and-object",
        ),
        pytest.param(
            {"properties": {}},
            {"type": "object"},
            "an object schema without type object",
            id="object-without-type",
        ),
        pytest.param(
            CLOSED,
            {"type": "object", "properties": {"c": STRING}, "required": ["c"]},
            "a required property the schema forbids",
            id="required-property-the-other-forbids",
        ),
        pytest.param(
            {"type": "string"}, {"type": "integer"}, "no type both allow", id="no-type-in-common"
        ),
        pytest.param({"enum": ["x"]}, {"enum": ["y"]}, "two enums", id="two-enums"),
        pytest.param({"format": "date-time"}, {"format": "date"}, "two formats", id="two-formats"),
        pytest.param(False, STRING, "boolean subschema False", id="boolean-subschema"),
    ],
)
def test_schemas_the_lane_cannot_merge_give_no_lane(first: Any, second: Any, reason: str) -> None:
    """Two schemas with nothing in common, or keywords the lane does not merge, raise
    `Unsupported` saying why: no lane, so the full path decides every line."""
    with pytest.raises(Unsupported, match=f"^{reason}$"):
        _meet(first, second, {})
