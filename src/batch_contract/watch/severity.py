"""How much each finding matters to THIS contract, judged with the one check.

For a change a response can show, the judgment builds that response: a clean body of the
endpoint, changed the way the new source now allows (the new enum value, the field left out or
null, a value of the new type or beyond the old bound, a string in the new format), and asks the
contract check of each profile. `error`: the documented profile fails it, so the contract suite
would go red. `warning`: only the strict profile fails it, or the source now promises less than a
semantic rule assumes. `info`: anything else. docs/watch.md gives the reason for each id's
default; `[tool.batch-contract.watch]` overrides them per id.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from batch_contract.core.check import contract_check
from batch_contract.core.config import find_pyproject, read_tool_table
from batch_contract.core.rules import RULES, Level
from batch_contract.errors import UsageError
from batch_contract.watch.compare import IDS, Finding
from batch_contract.watch.shapes import Node

SEVERITIES = ("error", "warning", "info")
LEVELS = (*SEVERITIES, "off")
CLEAN: dict[str, Any] = {
    "job": {
        "id": "bjb-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
        "job_type": "parse",
        "project_id": "proj-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
        "status": "running",
        "total_items": 10,
        "completed_at": None,
        "created_at": "2026-01-15T09:00:00Z",
        "directory_id": "dir-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
        "effective_at": "2026-01-15T09:01:00Z",
        "error_message": None,
        "failed_items": 1,
        "job_record_id": "job_record_id",
        "processed_items": 4,
        "skipped_items": 0,
        "started_at": "2026-01-15T09:00:30Z",
        "updated_at": "2026-01-15T09:01:00Z",
        "workflow_id": "workflow_id",
    },
    "progress_percentage": 50.0,
}
"""A response that honours both profiles and every rule, with every documented field present."""
_SAMPLES: dict[str, Any] = {
    "string": "x",
    "integer": 1,
    "number": 2.5,
    "boolean": True,
    "object": {},
    "array": [],
}
_FORMATS: dict[str | None, str] = {
    "date-time": "2026-01-15T09:00:00Z",
    "date": "2026-01-15",
    "time": "09:00:00Z",
    "uuid": "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee",
    "email": "a@example.com",
    "uri": "https://example.com/",
    None: "not a date, 15 Jan 2026",
}
_READ = frozenset(f"$.{field}" for rule in RULES.values() for field in rule.reads)
"""The paths some semantic rule reads (`$.job.total_items`)."""
_DECISIONS = {
    "$.job.total_items": "counts: integer or number",
    "$.job.processed_items": "null in `processed_items`, `failed_items`, `skipped_items`",
    "$.job.failed_items": "null in `processed_items`, `failed_items`, `skipped_items`",
    "$.job.skipped_items": "null in `processed_items`, `failed_items`, `skipped_items`",
    "$.job.effective_at": "null in `effective_at`",
    "$.progress_percentage": "`progress_percentage` type and range",
    "$.job.job_type": "`job_type` values",
}
_REQUIRED = frozenset(
    f"$.job.{f}" for f in ("id", "job_type", "project_id", "status", "total_items")
)
_TIMESTAMPS = frozenset(
    f"$.job.{f}" for f in ("completed_at", "created_at", "effective_at", "started_at", "updated_at")
)
_NULLABLE = frozenset(
    f"$.job.{f}"
    for f in (
        *("completed_at", "created_at", "directory_id", "error_message"),
        *("job_record_id", "started_at", "updated_at", "workflow_id"),
    )
)


def decision(finding: Finding) -> str | None:
    """The row of docs/contract-decisions.md (its `point`) that the finding touches."""
    path, kind = finding.path, finding.id
    if kind == "response-property-added":
        return "fields nobody documents (`job.priority`, a top-level `request_id`)"
    if kind in ("response-required-property-removed", "response-property-became-optional"):
        if path == "$.progress_percentage":
            return "`progress_percentage` null or absent"
        if path in _REQUIRED:
            return "required job fields"
    if kind == "response-property-became-nullable":
        if path in _NULLABLE:
            return "null in the 8 optional fields the provider makes nullable"
        if path == "$.progress_percentage":
            return "`progress_percentage` null or absent"
        if path in _REQUIRED:
            return "required job fields"
    if kind == "response-property-format-changed" and path in _TIMESTAMPS:
        return "format asserted"
    if kind in ("response-property-min-changed",) and path.startswith("$.job."):
        return "counts below zero"
    if kind == "response-property-type-changed" and path in _TIMESTAMPS:
        return "epoch numbers (`1577470279`)"
    if path == "$" and kind == "response-property-type-changed":
        return "the response is an object"
    return _DECISIONS.get(path) if path.startswith("$") else None


def _parent_and_key(body: Any, path: str) -> tuple[dict[str, Any], str] | None:
    """The object holding the field at a `$.a.b` path of the body, and the field's name."""
    if not path.startswith("$.") or "[" in path:
        return None
    *parents, key = path[2:].split(".")
    node = body
    for name in parents:
        node = node.get(name) if isinstance(node, dict) else None
    return (node, key) if isinstance(node, dict) else None


def _probe(finding: Finding) -> Any:
    """The response the new source allows and the baseline did not, or None when none is made."""
    body = copy.deepcopy(CLEAN)
    found = _parent_and_key(body, finding.path)
    if found is None:
        return None
    parent, key = found
    kind = finding.id
    new_node: Node = finding.extra.get("new_node", {})
    old_node: Node = finding.extra.get("old_node", {})
    if kind == "response-property-enum-value-added":
        parent[key] = finding.new
    elif kind == "response-property-added":
        parent[key] = _sample(new_node)
    elif kind in (
        "response-required-property-removed",
        "response-optional-property-removed",
        "response-property-became-optional",
    ):
        parent.pop(key, None)
    elif kind == "response-property-became-nullable":
        parent[key] = None
    elif kind == "response-property-type-changed":
        value = _widened(old_node, new_node)
        if value is _NONE:
            return None
        parent[key] = value
    elif kind in ("response-property-min-changed", "response-property-max-changed"):
        value = _beyond(finding, old_node)
        if value is _NONE:
            return None
        parent[key] = value
    elif kind == "response-property-format-changed":
        parent[key] = _FORMATS.get(finding.new, "x")
    else:
        return None
    return body


_NONE = object()


def _sample(node: Node) -> Any:
    if node.get("enum"):
        return node["enum"][0]
    if node.get("types"):
        return copy.deepcopy(_SAMPLES.get(node["types"][0], "x"))
    return None if node.get("nullable") else "x"


def _widened(old: Node, new: Node) -> Any:
    """A value of the new node's types that the old did not allow."""
    if "enum" in old and "enum" not in new:
        return "a value outside the old enum"
    allowed = set(old.get("types", ())) | (
        {"integer"} if "number" in old.get("types", ()) else set()
    )
    kinds = new.get("types") or ["string", "number", "object"]
    for kind in kinds:
        if kind not in allowed:
            return copy.deepcopy(_SAMPLES.get(kind, "x"))
    return _NONE


def _beyond(finding: Finding, old: Node) -> Any:
    """A number the new bound admits, whatever the direction it moved: the bound itself (the
    first number past it when exclusive), or just past the old bound when it is dropped. None
    for a length or item-count bound: the contract's profiles bound no length, so no body of
    another length fails them."""
    keyword = finding.extra.get("keyword", "")
    before, after = finding.old, finding.new
    if not keyword.endswith("imum"):
        return _NONE
    integer = old.get("types") == ["integer"]
    step = 1 if integer else 0.5
    lower = finding.id == "response-property-min-changed"
    if after is None:
        return _NONE if before is None else (before - step if lower else before + step)
    value = after
    if keyword.startswith("exclusive"):
        value = after + step if lower else after - step
    if integer and isinstance(value, float) and math.isfinite(value):
        value = math.ceil(value) if lower else math.floor(value)
    return value if _within(value, finding.extra.get("new_node", {})) else _NONE


def _within(value: Any, node: Node) -> bool:
    """Whether a number meets every numeric bound of a node (the new source admits it)."""
    bounds = node.get("bounds", {})
    return not (
        ("minimum" in bounds and value < bounds["minimum"])
        or ("exclusiveMinimum" in bounds and value <= bounds["exclusiveMinimum"])
        or ("maximum" in bounds and value > bounds["maximum"])
        or ("exclusiveMaximum" in bounds and value >= bounds["exclusiveMaximum"])
    )


def _narrows(finding: Finding) -> bool:
    """Whether a bound is added, or moves inward (a minimum rises, a maximum falls)."""
    before, after = finding.old, finding.new
    if after is None:
        return False
    if before is None:
        return True
    rises = finding.id == "response-property-min-changed"
    return bool(after >= before) if rises else bool(after <= before)


def _fails(
    body: Any, profile: str, levels: Mapping[str, Level], at: str | None = None
) -> tuple[bool, bool]:
    """(an error-level violation, a warning) of a body under a profile; with `at`, only the
    violations of that field count (a bound speaks of its field alone: a count at its new bound
    may break a rule relating it to the clean body's other counts, which the bound did not do)."""
    found = list(contract_check(profile, "status", levels).violations(body))  # type: ignore[arg-type]
    if at is not None:
        found = [v for v in found if v.path == at]
    return (
        any(v.severity == "error" for v in found),
        any(v.severity == "warning" for v in found),
    )


def judge(finding: Finding, levels: Mapping[str, Level]) -> str:
    """The default severity of a finding for this contract (the module's docstring)."""
    kind = finding.id
    if kind == "api-removed":
        return "error"
    if kind == "api-deprecated":
        return "warning"
    if kind == "response-status-added":
        return "warning" if str(finding.new).startswith("2") else "info"
    if kind == "response-status-removed":
        return "error" if finding.old == "200" else "warning"
    if kind == "request-parameter-added":
        return "error" if finding.extra.get("required") else "info"
    if kind == "request-parameter-became-required":
        return "error"
    if kind == "request-parameter-became-optional":
        return "info"
    if kind == "request-parameter-removed":
        return "warning"
    if kind == "response-property-enum-value-removed":
        return "warning" if finding.path == "$.job.status" else "info"
    body = _probe(finding)
    if body is not None:
        bound = kind in ("response-property-min-changed", "response-property-max-changed")
        at = finding.path if bound else None
        documented, rule_warning = _fails(body, "documented", levels, at)
        if documented:
            return "error"
        if bound and _narrows(finding):
            return "info"  # it admits nothing the baseline did not
        strict, _ = _fails(body, "strict", levels, at)
        if strict or rule_warning:
            return "warning"
    weakens = kind in (
        "response-required-property-removed",
        "response-optional-property-removed",
        "response-property-became-optional",
        "response-property-became-nullable",
    ) or (kind == "response-property-type-changed" and bool(finding.extra.get("widens")))
    if weakens and finding.path in _READ:
        return "warning"  # the source promises less than a rule assumes
    return "info"


def load_overrides(start: Path | None = None) -> dict[str, str]:
    """The per-id severities of `[tool.batch-contract.watch]` (error, warning, info or off)."""
    pyproject = find_pyproject(start)
    if pyproject is None:
        return {}
    table, label = read_tool_table(pyproject, "watch")
    overrides: dict[str, str] = {}
    for key, value in table.items():
        if key not in IDS:
            raise UsageError(f"{label}: unknown finding id {key!r} (docs/watch.md lists them)")
        if value not in LEVELS:
            raise UsageError(f"{label}: {key} must be one of {', '.join(LEVELS)}, not {value!r}")
        overrides[key] = value
    return overrides


def assess(
    findings: list[Finding], levels: Mapping[str, Level], overrides: Mapping[str, str]
) -> list[Finding]:
    """The findings with their severity and decision; an id set to `off` is left out."""
    kept = []
    for finding in findings:
        level = overrides.get(finding.id) or judge(finding, levels)
        if level == "off":
            continue
        finding.severity = level
        finding.decision = decision(finding)
        kept.append(finding)
    return kept
