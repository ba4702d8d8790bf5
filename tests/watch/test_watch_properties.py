"""Properties of the watch on generated input: any nullable spelling of any field compares equal
to the baseline, a YAML spec reads like its JSON, and arbitrary bytes as a spec are one line and
exit 2, never a traceback."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from batch_contract.watch.command import main
from batch_contract.watch.sources import BASELINE

SPEC = json.loads((BASELINE / "provider-openapi.json").read_text(encoding="utf-8"))
NULLABLE = [
    name
    for name, schema in SPEC["components"]["schemas"]["BatchJobResponse"]["properties"].items()
    if {"type": "null"} in schema.get("anyOf", [])
]
FORMS = ("anyOf", "anyOf-null-first", "oneOf", "type-list", "nullable-true")
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def spelled(schema: dict[str, Any], form: str) -> dict[str, Any]:
    """A nullable property `anyOf: [X, {type: null}]` spelled another way."""
    rest = {k: v for k, v in schema.items() if k != "anyOf"}
    branch = next(b for b in schema["anyOf"] if b != {"type": "null"})
    if form == "anyOf-null-first":
        return {**rest, "anyOf": [{"type": "null"}, branch]}
    if form == "oneOf":
        return {**rest, "oneOf": [branch, {"type": "null"}]}
    if form == "type-list":
        return {**rest, **branch, "type": [branch["type"], "null"]}
    if form == "nullable-true":
        return {**rest, **branch, "nullable": True}
    return schema


def run(path: Path) -> tuple[int, str, str]:
    """Runs the watch on one spec file."""
    out, err = io.StringIO(), io.StringIO()
    code = main(["--spec", str(path)], out, err)
    return code, out.getvalue(), err.getvalue()


@SETTINGS
@given(forms=st.lists(st.sampled_from(FORMS), min_size=len(NULLABLE), max_size=len(NULLABLE)))
def test_any_nullable_spelling_gives_no_finding(tmp_path_factory: Any, forms: list[str]) -> None:
    """Each nullable field spelled in any of the five forms: no finding, exit 0."""
    spec = json.loads(json.dumps(SPEC))
    properties = spec["components"]["schemas"]["BatchJobResponse"]["properties"]
    for name, form in zip(NULLABLE, forms, strict=True):
        properties[name] = spelled(properties[name], form)
    if "nullable-true" in forms:
        spec["openapi"] = "3.0.3"
    path = tmp_path_factory.mktemp("spec") / "spec.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    code, out, err = run(path)
    assert (code, err) == (0, "")
    assert out.startswith("watch: 0 error(s), 0 warning(s), 0 info")


def test_yaml_with_unquoted_status_codes_and_dates(tmp_path: Path) -> None:
    """YAML reads `200:` as a number and a bare date as a date: the spec still compares as its
    JSON does, and a date enum value prints as text."""
    spec = json.loads(json.dumps(SPEC))
    operation = spec["paths"]["/api/v1/beta/batch-processing/{job_id}"]["get"]
    text = yaml.safe_dump(spec, sort_keys=False).replace("'200':", "200:").replace("'422':", "422:")
    assert "\n        200:" in text
    path = tmp_path / "spec.yaml"
    path.write_text(text, encoding="utf-8")
    assert run(path)[:2] == (0, f"watch: 0 error(s), 0 warning(s), 0 info (spec {path})\n")
    operation["responses"]["200"]["content"]["application/json"]["schema"] = {
        "$ref": "#/components/schemas/BatchJobStatusResponse"
    }
    spec["components"]["schemas"]["BatchJobStatus"]["enum"].append("2026-01-15")
    text = yaml.safe_dump(spec, sort_keys=False).replace("'2026-01-15'", "2026-01-15")
    path.write_text(text, encoding="utf-8")
    code, out, err = run(path)
    assert (code, err) == (1, "")
    assert 'the enum value "2026-01-15" is added' in out


@SETTINGS
@given(content=st.binary(max_size=300))
def test_arbitrary_bytes_are_one_line_and_exit_2(tmp_path_factory: Any, content: bytes) -> None:
    """Whatever the bytes, the watch ends with one line and exit 2 (they are no OpenAPI
    document of this endpoint), never a traceback."""
    path = tmp_path_factory.mktemp("spec") / "spec.json"
    path.write_bytes(content)
    code, out, err = run(path)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1
    assert err.startswith("batch-contract watch: ")
