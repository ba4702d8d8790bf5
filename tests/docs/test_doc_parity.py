"""The schemas and the committed documentation copy (docs/get-batch-job-status.md) say the same.

The "Returns" section of the documentation is parsed: each field line (`- `name: type``), its
`optional` marker, its description, and the enum values listed under it. The schemas must name
exactly those fields at each level, with the same required/optional split, the same enum values and
the same descriptions; the example response must validate. When the documentation changes, the
failure says what to change in schemas/.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from batch_contract.core.check import ContractCheck
from batch_contract.core.jsondoc import parse_document
from batch_contract.core.schemas import PROFILES, Profile, load_schema
from batch_contract.core.validation import validator

DOCS = Path(__file__).parents[2] / "docs"
DOCUMENTATION = DOCS / "get-batch-job-status.md"
FIELD = re.compile(r"^(?P<indent> *)- `(?P<name>\w+): (?P<optional>optional )?(?P<type>[^`]+)`$")
ENUM_VALUE = re.compile(r'^ *- `"(?P<value>[^"]+)"`$')
JSON_TYPES = {"string": {"string"}, "number": {"number", "integer"}, "object": {"object"}}


@dataclass
class DocField:
    """One field as the documentation lists it."""

    name: str
    optional: bool
    type: str
    indent: int
    description: str = ""
    enum: list[str] = field(default_factory=list)


def parse_returns(text: str) -> dict[str, DocField]:
    """The fields of the `### Returns` section, keyed `progress_percentage`, `job.status`, ..."""
    section = text.split("### Returns", 1)[1].split("\n### ", 1)[0]
    fields: dict[str, DocField] = {}
    current: DocField | None = None
    parents: list[DocField] = []
    for line in section.splitlines():
        if match := FIELD.match(line):
            indent = len(match["indent"])
            current = DocField(match["name"], bool(match["optional"]), match["type"], indent)
            parents = [p for p in parents if p.indent < indent]
            if parents:  # the response object itself is the outermost entry and is not a field
                key = ".".join([p.name for p in parents[1:]] + [current.name])
                fields[key] = current
            parents.append(current)
        elif current is not None and (match := ENUM_VALUE.match(line)):
            current.enum.append(match["value"])
        elif current is not None and line.strip() and not current.description:
            current.description = line.strip()
    return fields


def example_response(text: str) -> bytes:
    """The JSON block under `#### Response` of the documentation."""
    after = text.split("#### Response", 1)[1]
    return after.split("```json", 1)[1].split("```", 1)[0].encode()


TEXT = DOCUMENTATION.read_text(encoding="utf-8")
DOC_FIELDS = parse_returns(TEXT)
JOB_DOC = {k.removeprefix("job."): v for k, v in DOC_FIELDS.items() if k.startswith("job.")}
TOP_DOC = {k: v for k, v in DOC_FIELDS.items() if "." not in k}
JOB_SCHEMA = load_schema("documented", "job")
STATUS_SCHEMA = load_schema("documented", "status")


def schema_types(prop: dict[str, Any]) -> set[str]:
    """The non-null JSON types a schema property allows."""
    types = prop.get("type", [])
    return {types} if isinstance(types, str) else set(types) - {"null"}


def test_documentation_parses_into_the_expected_shape() -> None:
    """The parser found the response's two fields and all of the job's (the documentation's own
    summary line `job: object { id, job_type, project_id, 14 more }` gives the count)."""
    assert set(TOP_DOC) == {"job", "progress_percentage"}
    summary = re.search(r"`job: object \{ ([^}]*) \}`", TEXT)
    assert summary is not None, "the documentation no longer summarizes the job object"
    names = [n.strip() for n in summary[1].split(",")]
    more = int(names[-1].split()[0]) if names[-1].endswith("more") else 0
    count = len(names) - (1 if more else 0) + more
    assert len(JOB_DOC) == count == 17


@pytest.mark.parametrize(
    ("level", "documented", "schema"),
    [("job", JOB_DOC, JOB_SCHEMA), ("response", TOP_DOC, STATUS_SCHEMA)],
    ids=["job", "response"],
)
def test_schema_names_exactly_the_documented_fields(
    level: str, documented: dict[str, DocField], schema: dict[str, Any]
) -> None:
    """The schema's properties at each level are the documented fields, no more, no fewer."""
    ours, theirs = set(schema["properties"]), set(documented)
    assert ours == theirs, (
        f"{level}: add to schemas/ the documented fields {sorted(theirs - ours)}; "
        f"remove (or document) {sorted(ours - theirs)}"
    )


@pytest.mark.parametrize(
    ("level", "documented", "schema"),
    [("job", JOB_DOC, JOB_SCHEMA), ("response", TOP_DOC, STATUS_SCHEMA)],
    ids=["job", "response"],
)
def test_required_split_matches(
    level: str, documented: dict[str, DocField], schema: dict[str, Any]
) -> None:
    """A field is required in the schema exactly when the documentation does not mark it
    `optional`."""
    want = sorted(name for name, f in documented.items() if not f.optional)
    assert sorted(schema["required"]) == want, f"{level}: set `required` to {want}"


@pytest.mark.parametrize("name", sorted(JOB_DOC))
def test_optional_fields_may_be_null_in_the_documented_profile(name: str) -> None:
    """Every optional job field accepts null in the documented profile (the documentation does
    not say; docs/contract-decisions.md follows the Python SDK), and required ones do not."""
    allows_null = "null" in JOB_SCHEMA["properties"][name].get("type", [])
    assert allows_null is JOB_DOC[name].optional


@pytest.mark.parametrize("name", sorted(f for f in DOC_FIELDS if DOC_FIELDS[f].enum))
def test_enum_values_match(name: str) -> None:
    """Each documented enum (job_type, status) is the schema's enum, in the same order, and the
    type line (`"parse" or "extract" or ...`) agrees with the listed values."""
    documented = DOC_FIELDS[name]
    prop = JOB_SCHEMA["properties"][name.removeprefix("job.")]
    assert prop.get("enum") == documented.enum, f"set {name} enum to {documented.enum}"
    shown = re.findall(r'"([^"]+)"', documented.type)
    assert shown == documented.enum[: len(shown)]


def test_enums_are_where_the_documentation_lists_values() -> None:
    """Only the fields with documented values carry an enum in the schema."""
    with_enum = {f"job.{n}" for n, p in JOB_SCHEMA["properties"].items() if "enum" in p}
    assert with_enum == {name for name, f in DOC_FIELDS.items() if f.enum}


@pytest.mark.parametrize("name", sorted(DOC_FIELDS))
def test_types_match_the_documented_type(name: str) -> None:
    """The schema's type is the documented one; `number` may be narrowed to `integer` for the
    counts (docs/contract-decisions.md)."""
    documented = DOC_FIELDS[name]
    kind = "string" if documented.enum else documented.type.split()[0]
    props = STATUS_SCHEMA["properties"] if "." not in name else JOB_SCHEMA["properties"]
    prop = props[name.split(".")[-1]]
    if "$ref" in prop:  # the job object, a file of its own
        assert kind == "object"
        return
    assert schema_types(prop) <= JSON_TYPES[kind], f"{name}: documented as {kind}"
    assert schema_types(prop), f"{name}: the schema gives no type"


@pytest.mark.parametrize("name", sorted(DOC_FIELDS))
def test_descriptions_are_the_documentation_s(name: str) -> None:
    """Each schema description is the documentation's text for the field (a field the
    documentation leaves undescribed keeps a description of our own)."""
    documented = DOC_FIELDS[name]
    props = STATUS_SCHEMA["properties"] if "." not in name else JOB_SCHEMA["properties"]
    prop = props[name.split(".")[-1]]
    if documented.description:
        assert prop.get("description") == documented.description, (
            f"set the description of {name} to {documented.description!r}"
        )
    else:
        assert prop.get("description"), f"{name} needs a description of its own"


def test_schema_titles_and_descriptions_come_from_the_documentation() -> None:
    """The job and response objects carry the documentation's descriptions."""
    assert STATUS_SCHEMA["description"] in TEXT
    assert JOB_SCHEMA["description"] in TEXT


@pytest.mark.parametrize("profile", PROFILES)
def test_example_response_validates(profile: Profile) -> None:
    """The documentation's example response honours both profiles, with both engines."""
    document = parse_document(example_response(TEXT))
    engine = validator(profile)
    assert ContractCheck(engine.profile, engine.part).schema_violations(document) == ()
    assert engine.reference_violations(document) == ()


def test_example_file_is_the_documented_example() -> None:
    """docs/example-response.json is exactly the example of the documentation copy."""
    committed = json.loads((DOCS / "example-response.json").read_text(encoding="utf-8"))
    assert committed == json.loads(example_response(TEXT))


def test_example_response_shows_every_documented_field() -> None:
    """The documentation's example holds every documented field, so it exercises them all."""
    document = json.loads(example_response(TEXT))
    assert set(document) == set(TOP_DOC)
    assert set(document["job"]) == set(JOB_DOC)


def test_parser_sees_a_changed_documentation() -> None:
    """The parser is not blind: a field made required, a new field and a new enum value in an
    edited copy of the documentation all show up in what it returns."""
    edited = TEXT.replace("- `effective_at: optional string`", "- `effective_at: string`")
    edited = edited.replace(
        "    - `workflow_id: optional string`",
        "    - `priority: optional number`\n\n      Queue priority\n\n"
        "    - `workflow_id: optional string`",
    )
    edited = edited.replace('      - `"cancelled"`', '      - `"cancelled"`\n\n      - `"paused"`')
    fields = parse_returns(edited)
    assert not fields["job.effective_at"].optional
    assert fields["job.priority"].description == "Queue priority"
    assert fields["job.status"].enum[-1] == "paused"
    assert set(fields) - set(DOC_FIELDS) == {"job.priority"}


DECISIONS = DOCS / "contract-decisions.md"
NODE_ID = re.compile(r"`(?P<node>tests/[\w/]+\.py::\w+(?:\[[^\]]+\])?)`")


def decision_rows() -> list[str]:
    """The rows of the decision table of docs/contract-decisions.md (header and rule lines left
    out; the SDK section below it is checked by tests/sdk/test_sdk_differences.py)."""
    text = DECISIONS.read_text(encoding="utf-8")
    lines = text.split("\n## The official SDK", 1)[0].splitlines()
    rows = [line for line in lines if line.startswith("|") and not line.startswith("|---")]
    return [row for row in rows if not row.startswith("| point |")]


def test_decision_rows_name_existing_tests() -> None:
    """Every row of docs/contract-decisions.md names at least one test in its last column, and
    pytest collects each named test (a renamed test or example file shows up here)."""
    rows = decision_rows()
    assert len(rows) >= 30, "the decision tables lost rows"
    named: set[str] = set()
    for row in rows:
        nodes = {m["node"] for m in NODE_ID.finditer(row.rstrip(" |").rsplit("|", 1)[-1])}
        assert nodes, f"no test named in the last column of: {row[:80]}"
        named |= nodes
    files = sorted({node.split("::")[0] for node in named})
    collected = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *files],
        cwd=DOCS.parent,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert collected.returncode == 0, collected.stdout[-2000:] + collected.stderr[-2000:]
    missing = sorted(named - set(collected.stdout.splitlines()))
    assert not missing, f"docs/contract-decisions.md names tests that do not exist: {missing}"
