"""What changed between the baseline's facts and a source's: the findings, with ids named after
oasdiff's checks where they mean the same change (docs/watch.md has the table)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from batch_contract.watch.operations import Facts, Operation, successor, summary
from batch_contract.watch.shapes import BOUNDS, Node

IDS = (
    "api-removed",
    "api-deprecated",
    "response-property-added",
    "response-required-property-removed",
    "response-optional-property-removed",
    "response-property-became-optional",
    "response-property-became-nullable",
    "response-property-enum-value-added",
    "response-property-enum-value-removed",
    "response-property-type-changed",
    "response-property-min-changed",
    "response-property-max-changed",
    "response-property-format-changed",
    "response-status-added",
    "response-status-removed",
    "request-parameter-added",
    "request-parameter-became-required",
    "request-parameter-became-optional",
    "request-parameter-removed",
)
"""Every finding id, in the order docs/watch.md lists them."""
_MIN = ("minimum", "exclusiveMinimum", "minLength", "minItems")


@dataclass
class Finding:
    """One change of one source against the baseline, as plain data."""

    id: str
    source: str
    path: str
    old: Any
    new: Any
    message: str
    severity: str = "info"
    decision: str | None = None
    seen: int | None = None
    successor: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    """What the severity judgment needs (the old and new nodes); never printed."""

    def as_dict(self) -> dict[str, Any]:
        """The finding as JSON data (`successor` only when there is one)."""
        data: dict[str, Any] = {
            "id": self.id,
            "severity": self.severity,
            "source": self.source,
            "path": self.path,
            "old": self.old,
            "new": self.new,
            "message": self.message,
            "decision": self.decision,
            "seen": self.seen,
        }
        if self.successor is not None:
            data["successor"] = self.successor
        return data


def _show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def compare(old: Facts, new: Facts) -> list[Finding]:
    """The findings of one source: its facts against the baseline's."""
    if old.operation is None:
        return []
    source = new.source
    gone = old.operation
    if new.operation is None:
        finding = Finding(
            "api-removed",
            source,
            gone.name,
            gone.name,
            None,
            f"the operation is gone from the {source}",
        )
        found = successor(gone, new.others)
        if found is not None:
            finding.successor = summary(found, new.response_of(found))
            finding.new = found.name
            finding.message += f"; successor: {found.name}, another contract (not checked)"
        return [finding]
    now = new.operation
    findings: list[Finding] = []
    where = gone.name
    if now.deprecated or now.sunset:
        state = "deprecated" + (f", sunset {now.sunset}" if now.sunset else "")
        findings.append(
            Finding("api-deprecated", source, where, None, state, f"{where} is {state}")
        )
    findings += _statuses(source, where, gone, now)
    findings += _parameters(source, where, gone, now)
    if gone.response is not None and now.response is not None:
        findings += compare_nodes(source, "$", gone.response, now.response)
    return findings


def _statuses(source: str, where: str, old: Operation, new: Operation) -> list[Finding]:
    if old.statuses is None or new.statuses is None:
        return []
    found = [
        Finding("response-status-added", source, where, None, code, f"status {code} is added")
        for code in new.statuses
        if code not in old.statuses
    ]
    found += [
        Finding("response-status-removed", source, where, code, None, f"status {code} is gone")
        for code in old.statuses
        if code not in new.statuses
    ]
    return found


def _parameters(source: str, where: str, old: Operation, new: Operation) -> list[Finding]:
    """Parameters compared as OpenAPI identifies them, by name and location: one that moves
    between query and path is the old one gone and a new one added."""
    before = {(str(p.get("in", "query")), name): p for name, p in old.parameters.items()}
    after = {(str(p.get("in", "query")), name): p for name, p in new.parameters.items()}
    found = []
    for (place, name), now in after.items():
        was = before.get((place, name))
        if was is None:
            kind = "required" if now.get("required") else "optional"
            finding = Finding(
                "request-parameter-added",
                source,
                where,
                None,
                name,
                f"a {kind} {place} parameter {name} is added",
            )
            finding.extra["required"] = bool(now.get("required"))
            found.append(finding)
        elif now.get("required") and not was.get("required"):
            found.append(
                Finding(
                    "request-parameter-became-required",
                    source,
                    where,
                    "optional",
                    "required",
                    f"the optional {place} parameter {name} becomes required",
                )
            )
        elif was.get("required") and not now.get("required"):
            found.append(
                Finding(
                    "request-parameter-became-optional",
                    source,
                    where,
                    "required",
                    "optional",
                    f"the required {place} parameter {name} becomes optional",
                )
            )
    for place, name in before:
        if (place, name) not in after:
            found.append(
                Finding(
                    "request-parameter-removed",
                    source,
                    where,
                    name,
                    None,
                    f"the {place} parameter {name} is gone",
                )
            )
    return found


def _finding(
    kind: str, source: str, path: str, old: Any, new: Any, message: str, **extra: Any
) -> Finding:
    return Finding(kind, source, path, old, new, message, extra=extra)


def _widens_type(old: list[str], new: list[str]) -> bool:
    """Whether the new types allow a value the old did not (an integer is a number)."""
    if not old:
        return False
    if not new:
        return True
    allowed = set(old) | ({"integer"} if "number" in old else set())
    return not set(new) <= allowed


def compare_nodes(source: str, path: str, old: Node, new: Node) -> list[Finding]:
    """The changes of one response schema node and everything below it."""
    found: list[Finding] = []
    nodes = {"old_node": old, "new_node": new}
    if old["types"] != new["types"]:
        verb = "widens" if _widens_type(old["types"], new["types"]) else "changes"
        found.append(
            _finding(
                "response-property-type-changed",
                source,
                path,
                old["types"] or "any",
                new["types"] or "any",
                f"the type {verb} from {_types(old)} to {_types(new)}",
                widens=verb == "widens",
                **nodes,
            )
        )
    if new["nullable"] and not old["nullable"]:
        found.append(
            _finding(
                "response-property-became-nullable",
                source,
                path,
                False,
                True,
                "may now be null",
                **nodes,
            )
        )
    found += _enum(source, path, old, new)
    if old.get("format") != new.get("format"):
        before, after = old.get("format"), new.get("format")
        text = (
            f"the format {_show(before)} is dropped"
            if after is None
            else (f"the format changes from {_show(before)} to {_show(after)}")
        )
        found.append(
            _finding("response-property-format-changed", source, path, before, after, text, **nodes)
        )
    old_bounds, new_bounds = old.get("bounds", {}), new.get("bounds", {})
    for key in BOUNDS:
        if old_bounds.get(key) != new_bounds.get(key):
            kind = "min" if key in _MIN else "max"
            before, after = old_bounds.get(key), new_bounds.get(key)
            found.append(
                _finding(
                    f"response-property-{kind}-changed",
                    source,
                    path,
                    before,
                    after,
                    f"{key} moves from {_show(before)} to {_show(after)}",
                    keyword=key,
                    **nodes,
                )
            )
    found += _properties(source, path, old, new)
    if "items" in old and "items" in new:
        found += compare_nodes(source, f"{path}[*]", old["items"], new["items"])
    return found


def _types(node: Node) -> str:
    return " or ".join(node["types"]) or "any"


def _enum(source: str, path: str, old: Node, new: Node) -> list[Finding]:
    if "enum" not in old:
        return []
    if "enum" not in new:
        return [
            _finding(
                "response-property-type-changed",
                source,
                path,
                old["enum"],
                new["types"] or "any",
                f"the enum is dropped: any {_types(new)} is allowed",
                widens=True,
                old_node=old,
                new_node=new,
            )
        ]
    before = {_show(v) for v in old["enum"]}
    after = {_show(v) for v in new["enum"]}
    found = [
        _finding(
            "response-property-enum-value-added",
            source,
            path,
            None,
            value,
            f"the enum value {_show(value)} is added",
        )
        for value in new["enum"]
        if _show(value) not in before
    ]
    found += [
        _finding(
            "response-property-enum-value-removed",
            source,
            path,
            value,
            None,
            f"the enum value {_show(value)} is gone",
        )
        for value in old["enum"]
        if _show(value) not in after
    ]
    return found


def _properties(source: str, path: str, old: Node, new: Node) -> list[Finding]:
    old_props, new_props = old.get("properties", {}), new.get("properties", {})
    old_required, new_required = set(old.get("required", ())), set(new.get("required", ()))
    found: list[Finding] = []
    for name, node in new_props.items():
        if name not in old_props:
            found.append(
                _finding(
                    "response-property-added",
                    source,
                    f"{path}.{name}",
                    None,
                    _types(node),
                    "a new property" + (" (required)" if name in new_required else ""),
                    new_node=node,
                )
            )
    for name, node in old_props.items():
        child = f"{path}.{name}"
        if name not in new_props:
            required = name in old_required
            kind = "required" if required else "optional"
            found.append(
                _finding(
                    f"response-{kind}-property-removed",
                    source,
                    child,
                    _types(node),
                    None,
                    f"the {kind} property is gone",
                    old_node=node,
                )
            )
            continue
        if name in old_required and name not in new_required:
            found.append(
                _finding(
                    "response-property-became-optional",
                    source,
                    child,
                    "required",
                    "optional",
                    "may now be left out",
                    old_node=node,
                )
            )
        found += compare_nodes(source, child, node, new_props[name])
    return found
