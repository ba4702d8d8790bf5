"""Contract drift between two sets of cassettes: the shape of the responses of each endpoint and
status code (fields, types, nullability, enum values, status codes), compared, and each difference
classified as breaking or additive for clients. The responses of NEW are also checked against the
schema and the semantic rules. Results only: `drift_report` turns them into text."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from batch_contract.core.cassette_files import (
    NO_INTERACTIONS,
    BodyTooLarge,
    MalformedInteraction,
    decode_body,
    read_cassette,
)
from batch_contract.core.check import contract_check
from batch_contract.core.documents import cannot_read, folder_files
from batch_contract.core.jsondoc import json_type, parse_document
from batch_contract.core.rules import Level, check_sequence
from batch_contract.core.schemas import Profile
from batch_contract.errors import DocumentError, InputError, UsageError

Impact = Literal["breaking", "additive", "warning"]
STATUS_PATH = re.compile(r"^(?:/[^?#]*)?/api/v1/beta/batch-processing/[^/?#]+/?$")
"""The path of a status request, under a base URL with or without a path prefix."""
STATUS_ENDPOINT = "/api/v1/beta/batch-processing/{job_id}"
ENUM_PATHS = frozenset({"$.job.status", "$.job.job_type"})
NOT_JSON = "not JSON"
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Recorded:
    """One recorded response: where it is, what was asked, its status code and parsed body."""

    where: str
    cassette: str
    endpoint: str
    status: int
    body: Any
    is_json: bool


@dataclass(frozen=True)
class Finding:
    """One difference (or, for NEW, one violation) with its impact on clients and location."""

    kind: str
    impact: Impact
    endpoint: str
    status: int
    path: str
    where: str
    detail: str


@dataclass(frozen=True)
class Drift:
    """Every finding between OLD and NEW, sorted, with what was compared."""

    old: str
    new: str
    old_responses: int
    new_responses: int
    findings: tuple[Finding, ...]
    old_problems: tuple[str, ...] = ()
    """One line for each cassette or entry of OLD that could not be read (the rest were
    compared)."""
    new_problems: tuple[str, ...] = ()
    """The same for NEW."""

    @property
    def problems(self) -> tuple[str, ...]:
        """Every cassette or entry that could not be read, OLD's first."""
        return self.old_problems + self.new_problems

    def count(self, impact: Impact) -> int:
        """How many findings have this impact."""
        return sum(1 for finding in self.findings if finding.impact == impact)

    @property
    def breaking(self) -> bool:
        """Whether at least one finding breaks clients."""
        return self.count("breaking") > 0


def _endpoint(method: str, uri: str) -> str:
    path = re.sub(r"^[a-z][a-z0-9+.-]*://[^/?#]*", "", uri, flags=re.IGNORECASE)
    path = path.split("?", 1)[0].split("#", 1)[0]
    return f"{method.upper()} {STATUS_ENDPOINT if STATUS_PATH.match(path) else path}"


def _body(response: Mapping[str, Any]) -> tuple[Any, bool]:
    """The JSON value of a recorded body, decoded and parsed as validate-status reads it, and
    whether it is one (a body nested too deep or too large once decompressed is not);
    `MalformedInteraction` for a response vcrpy would not write."""
    try:
        return parse_document(decode_body(dict(response))), True
    except (DocumentError, BodyTooLarge):
        return None, False


def _cassette(path: Path, name: str) -> Iterable[Recorded]:
    """The responses of one cassette file, read as validate-status reads it (`read_cassette`);
    `InputError` (one line) for one that validate-status refuses, in validate-status's words, for
    a YAML file that is no cassette, and for a response whose code is not a number or whose body
    cannot be decoded as recorded (drift compares every response, not only the endpoint's
    successes)."""
    try:
        read = read_cassette(path, json_attempts=True)
    except OSError as error:
        raise InputError(f"{path}: not a readable vcrpy cassette ({error.strerror})") from None
    if read is None:
        if path.suffix.lower() == ".json":
            return []  # a JSON file that is no cassette, nor meant as one: not ours to compare
        raise InputError(f"{path}: {NO_INTERACTIONS}")
    if read.problems:
        raise InputError(read.lines(str(path))[0])
    found = []
    for item in read.interactions:
        try:
            if item.status is None:
                raise MalformedInteraction("status code: not a number")
            body, is_json = _body(item.response)
        except MalformedInteraction as error:
            raise InputError(
                f"{path}:{item.where}: unreadable cassette interaction: {error}"
            ) from None
        found.append(
            Recorded(
                f"{name}:{item.where}",
                name,
                _endpoint(item.method, item.uri),
                item.status,
                body,
                is_json,
            )
        )
    return found


CASSETTE_SUFFIXES = frozenset({".yaml", ".yml", ".json"})
"""The cassette files of a folder, as validate-status finds them: YAML, and JSON of a cassette's
shape."""


def load_cassettes(folder: Path, problems: list[str]) -> list[Recorded]:
    """Every recorded response under a folder (`*.yaml`, `*.yml` and JSON cassettes,
    recursively, in path order), found as validate-status finds them. Each cassette it refuses
    and each entry or subfolder that cannot be read is one line in `problems`, and the rest are
    still read."""
    if not folder.is_dir():
        raise UsageError(f"{folder}: no such folder of cassettes")
    unlisted: list[OSError] = []
    files = sorted(  # in path order: where a shape was first seen is the same in every run
        path
        for path in folder_files(folder, unlisted)
        if path.suffix.lower() in CASSETTE_SUFFIXES and not path.name.startswith(".")
    )
    if not files and not unlisted:
        raise UsageError(f"{folder}: no cassettes (*.yaml, *.yml, *.json) in this folder")
    found: list[Recorded] = []
    for path in files:
        try:
            found += _cassette(path, path.relative_to(folder).as_posix())
        except InputError as error:
            problems.append(str(error))
    problems += [cannot_read(str(error.filename or folder), error) for error in unlisted]
    return found


def _child(path: str, key: str) -> str:
    return f"{path}.{key}" if _IDENTIFIER.match(key) else f"{path}[{key!r}]"


@dataclass
class Shape:
    """What the responses of one endpoint and status code looked like."""

    first: str
    types: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))
    """JSON path -> type -> first location seen."""
    objects: dict[str, list[tuple[frozenset[str], str]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    """JSON path -> (field names, location) of each object seen there."""
    fields: dict[str, tuple[str, str]] = field(default_factory=dict)
    """JSON path of a field -> (path of its object, its name)."""
    values: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))
    """Enum path -> value -> first location seen."""

    def add(self, value: Any, path: str, where: str) -> None:
        """Walks one JSON value into the shape (without recursion: any nesting is walked)."""
        stack = [(value, path)]
        while stack:
            value, path = stack.pop()
            self.types[path].setdefault(json_type(value), where)
            if path in ENUM_PATHS and isinstance(value, str):
                self.values[path].setdefault(value, where)
            if isinstance(value, dict):
                self.objects[path].append((frozenset(str(key) for key in value), where))
                children = []
                for key, item in value.items():
                    child = _child(path, str(key))
                    self.fields[child] = (path, str(key))
                    children.append((item, child))
                stack.extend(reversed(children))  # in document order
            elif isinstance(value, list):
                stack.extend((item, f"{path}[*]") for item in reversed(value))

    def missing_at(self, path: str) -> str | None:
        """The first location where the object holding this field came without it."""
        if path not in self.fields:
            return None
        parent, name = self.fields[path]
        return next((where for keys, where in self.objects[parent] if name not in keys), None)


def shapes(responses: Iterable[Recorded]) -> dict[tuple[str, int], Shape]:
    """The shape of the responses of each (endpoint, status code)."""
    found: dict[tuple[str, int], Shape] = {}
    for item in responses:
        shape = found.setdefault((item.endpoint, item.status), Shape(item.where))
        if item.is_json:
            shape.add(item.body, "$", item.where)
        else:
            shape.types["$"].setdefault(NOT_JSON, item.where)
    return found


def _widened(old: Iterable[str], new: Iterable[str]) -> list[str]:
    """Non-null types of NEW that OLD never had (an integer is a number)."""
    had = set(old) | ({"integer"} if "number" in old else set())
    return sorted(t for t in new if t != "null" and t not in had)


def _compare_paths(key: tuple[str, int], old: Shape, new: Shape) -> Iterable[Finding]:
    endpoint, status = key

    def finding(kind: str, impact: Impact, path: str, where: str, detail: str) -> Finding:
        return Finding(kind, impact, endpoint, status, path, where, detail)

    for path in sorted(set(old.types) | set(new.types)):
        parent = (new.fields.get(path) or old.fields.get(path) or ("", ""))[0]
        if path not in old.types:
            if parent in old.types:  # report the outermost new field only
                where = next(iter(new.types[path].values()))
                yield finding("field-added", "additive", path, where, "field not seen in OLD")
            continue
        if path not in new.types:
            if parent in new.types or not parent:
                required = old.missing_at(path) is None
                where = next(iter(old.types[path].values()))
                yield finding(
                    "field-removed",
                    "breaking" if required else "additive",
                    path,
                    where,
                    f"{'required' if required else 'optional'} field of OLD not seen in NEW",
                )
            continue
        missing = new.missing_at(path)
        if old.missing_at(path) is None and missing is not None:
            yield finding(
                "field-removed",
                "breaking",
                path,
                missing,
                "field present in every OLD response is missing here",
            )
        for kind in _widened(old.types[path], new.types[path]):
            was = ", ".join(sorted(t for t in old.types[path] if t != "null")) or "null"
            where = new.types[path][kind]
            yield finding("type-changed", "breaking", path, where, f"{kind}, was {was}")
        if "null" in new.types[path] and "null" not in old.types[path]:
            where = new.types[path]["null"]
            yield finding("became-nullable", "breaking", path, where, "null, never null in OLD")
        if "null" in old.types[path] and "null" not in new.types[path]:
            where = next(iter(new.types[path].values()))
            yield finding("no-longer-null", "additive", path, where, "never null, null in OLD")
        for value in sorted(set(new.values.get(path, {})) - set(old.values.get(path, {}))):
            where = new.values[path][value]
            yield finding("enum-value-added", "breaking", path, where, f"{value!r} first seen")
        for value in sorted(set(old.values.get(path, {})) - set(new.values.get(path, {}))):
            where = old.values[path][value]
            yield finding("enum-value-gone", "additive", path, where, f"{value!r} no longer seen")


def compare(old: Iterable[Recorded], new: Iterable[Recorded]) -> list[Finding]:
    """Every shape difference from OLD to NEW, by endpoint and status code."""
    before, after = shapes(old), shapes(new)
    out: list[Finding] = []
    for key in sorted(set(before) | set(after)):
        endpoint, status = key
        if key not in before:
            where = after[key].first
            out.append(Finding("status-added", "breaking", endpoint, status, "$", where, "new"))
        elif key not in after:
            where = before[key].first
            out.append(Finding("status-removed", "additive", endpoint, status, "$", where, "gone"))
        else:
            out.extend(_compare_paths(key, before[key], after[key]))
    return out


def check_new(
    responses: Iterable[Recorded], profile: Profile, levels: Mapping[str, Level]
) -> list[Finding]:
    """Schema and rule findings of NEW's 200 status responses (error level breaks clients)."""
    check = contract_check(profile, "status", levels)
    out: list[Finding] = []
    polls: dict[str, list[Recorded]] = defaultdict(list)
    for item in responses:
        if item.status != 200 or item.endpoint != f"GET {STATUS_ENDPOINT}":
            continue
        key = item.endpoint, item.status
        if not item.is_json:
            out.append(Finding("schema", "breaking", *key, "$", item.where, "body is not JSON"))
            continue
        polls[item.cassette].append(item)
        for v in check.violations(item.body):
            kind = v.keyword if v.keyword.startswith("rule:") else "schema"
            impact: Impact = "breaking" if v.severity == "error" else "warning"
            detail = v.message if kind != "schema" else f"{v.message} [{v.keyword}]"
            out.append(Finding(kind, impact, *key, v.path, item.where, detail))
    for items in polls.values():
        docs = [item.body for item in items if isinstance(item.body, dict)]
        if len(docs) == len(items) > 1:
            for v in check_sequence(docs, levels):
                index = int(v.path[2 : v.path.index("]")])
                impact = "breaking" if v.severity == "error" else "warning"
                path = "$" + v.path[v.path.index("]") + 1 :]
                detail = f"poll {index}: {v.message}"
                key = items[index].endpoint, items[index].status
                out.append(Finding(v.keyword, impact, *key, path, items[index].where, detail))
    return out


def fold(changes: list[Finding], checked: list[Finding]) -> list[Finding]:
    """One change counts once: a schema finding of NEW at the very place where a breaking change
    of a field was seen (same endpoint, status code, JSON path and response) joins that change's
    finding, its reason appended, instead of being a second breaking finding."""
    place: dict[tuple[str, int, str, str], int] = {}
    for number, change in enumerate(changes):
        if change.impact == "breaking" and change.path != "$":  # "$": the body as a whole
            place.setdefault((change.endpoint, change.status, change.path, change.where), number)
    out, rest = list(changes), []
    for item in checked:
        index = place.get((item.endpoint, item.status, item.path, item.where))
        if item.kind != "schema" or index is None:
            rest.append(item)
            continue
        out[index] = replace(out[index], detail=f"{out[index].detail}; {item.detail}")
    return out + rest


_IMPACT_ORDER = {"breaking": 0, "warning": 1, "additive": 2}


def drift(
    old: Path,
    new: Path,
    profile: Profile = "documented",
    levels: Mapping[str, Level] | None = None,
    *,
    old_label: str | None = None,
) -> Drift:
    """The drift from the cassettes under `old` to those under `new`."""
    from batch_contract.core.rules import default_levels

    unread: tuple[list[str], list[str]] = ([], [])
    before, after = load_cassettes(old, unread[0]), load_cassettes(new, unread[1])
    found = fold(compare(before, after), check_new(after, profile, levels or default_levels()))
    found.sort(key=lambda f: (_IMPACT_ORDER[f.impact], f.endpoint, f.status, f.path, f.kind))
    label = old_label or str(old)
    counts = len(before), len(after)
    return Drift(label, str(new), *counts, tuple(found), tuple(unread[0]), tuple(unread[1]))
