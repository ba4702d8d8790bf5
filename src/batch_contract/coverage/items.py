"""The items of the contract, derived from the schema of a profile, the OpenAPI document and the
rules, never listed by hand (docs/coverage.md):

- `values`: each enum value (`job.status=failed`, `job.job_type=extract`);
- `fields`: each optional or nullable field in each state the profile allows (`=present`,
  `=null`, `=absent`);
- `bounds`: a number with both a minimum and a maximum at each bound and strictly between
  (`progress_percentage=0`, `=100`, `=between`);
- `http`: each response code the OpenAPI document lists for the endpoint (`http=404`);
- `transitions`: each change of status that the life-cycle rules allow, seen between two
  consecutive polls of one job (`transition=running->completed`);
- `rules`: each semantic rule not `off`, seen on a body (or polls) where it applies
  (`rule=terminal-has-completed-at`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

from batch_contract.core.rules import RULES, Level
from batch_contract.core.schemas import PARTS, PROFILES, Profile, load_schema, schema_dir

Area = Literal["values", "fields", "bounds", "http", "transitions", "rules"]
AREAS: tuple[Area, ...] = ("values", "fields", "bounds", "http", "transitions", "rules")
SEEN_ONLY_OUTCOMES = frozenset({"403"})
"""Response codes counted only once seen: a deployment answers 403 only to a key that may not read
the job, which neither the reference server nor a usual staging key can be made to give."""


class Item(NamedTuple):
    """One part of the contract: its stable name, its area, and whether it counts only once seen."""

    name: str
    area: Area
    optional: bool = False


@dataclass(frozen=True)
class _Field:
    """What the schema allows for one property: its path and the items it gives."""

    path: tuple[str, ...]
    enum: tuple[Any, ...] = ()
    states: tuple[str, ...] = ()
    bounds: tuple[float, float] | None = None


def _by_id() -> dict[str, dict[str, Any]]:
    return {load_schema(p, q)["$id"]: load_schema(p, q) for p in PROFILES for q in PARTS}


def _chain(schema: Any, schemas: Mapping[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """A schema and every schema its `$ref`s lead to (file references between the bundled files)."""
    out: list[dict[str, Any]] = []
    while isinstance(schema, dict):
        out.append(schema)
        ref = schema.get("$ref")
        schema = schemas.get(ref) if isinstance(ref, str) else None
    return out


def _types(chain: Sequence[dict[str, Any]]) -> set[str] | None:
    """The JSON types every schema of the chain allows (None when none names a type)."""
    allowed: set[str] | None = None
    for schema in chain:
        if "type" in schema:
            kinds = schema["type"]
            named = {kinds} if isinstance(kinds, str) else set(kinds)
            allowed = named if allowed is None else allowed & named
    return allowed


def _number(value: float) -> str:
    """A bound as an item shows it: `0`, `100`, `0.5`."""
    return str(int(value)) if float(value).is_integer() else str(value)


def _fields(
    chain: Sequence[dict[str, Any]], schemas: Mapping[str, dict[str, Any]], prefix: tuple[str, ...]
) -> list[_Field]:
    """The fields of an object schema (its whole `$ref` chain), in schema order, nested ones
    after the object that holds them."""
    names: dict[str, list[dict[str, Any]]] = {}
    required: set[str] = set()
    for schema in chain:
        required.update(schema.get("required", ()))
        for name, sub in schema.get("properties", {}).items():
            names.setdefault(name, []).extend(_chain(sub, schemas))
    out: list[_Field] = []
    for name, sub in names.items():
        path = (*prefix, name)
        types = _types(sub)
        enums = [schema["enum"] for schema in sub if "enum" in schema]
        enum = tuple(v for v in enums[0] if all(v in other for other in enums)) if enums else ()
        nullable = types is None or "null" in types
        states: tuple[str, ...] = ("present",) if name not in required or nullable else ()
        states += ("null",) if states and nullable else ()
        states += ("absent",) if name not in required else ()
        lows = [s["minimum"] for s in sub if "minimum" in s]
        highs = [s["maximum"] for s in sub if "maximum" in s]
        bounds = (max(lows), min(highs)) if lows and highs else None
        out.append(_Field(path, enum, states, bounds))
        if types is not None and "object" in types:
            out.extend(_fields(sub, schemas, path))
    return out


@functools.cache
def _schema_fields(profile: Profile) -> tuple[_Field, ...]:
    schemas = _by_id()
    return tuple(_fields(_chain(load_schema(profile, "status"), schemas), schemas, ()))


@functools.cache
def _outcomes() -> tuple[str, ...]:
    """The response codes the OpenAPI document lists for the endpoint's GET, in its order."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with (schema_dir() / "openapi.yaml").open("rb") as handle:
        document = yaml.load(handle, Loader=loader)
    (operations,) = document["paths"].values()
    return tuple(str(code) for code in operations["get"]["responses"])


def _statuses(profile: Profile) -> tuple[str, ...]:
    for spec in _schema_fields(profile):
        if spec.path == ("job", "status"):
            return tuple(str(value) for value in spec.enum)
    return ()  # pragma: no cover - the bundled schemas enumerate job.status


@functools.cache
def allowed_transitions(profile: Profile) -> tuple[tuple[str, str], ...]:
    """Each change of status (a to b, a != b) that the life-cycle rules find nothing in."""
    from batch_contract.core.rules import check_sequence

    life: dict[str, Level] = {name: "off" for name in RULES}
    life.update({name: "error" for name, rule in RULES.items() if rule.kind == "sequence"})
    statuses = _statuses(profile)
    return tuple(
        (a, b)
        for a in statuses
        for b in statuses
        if a != b and not check_sequence([{"job": {"status": a}}, {"job": {"status": b}}], life)
    )


def _name(path: tuple[str, ...]) -> str:
    return ".".join(path)


def contract_items(profile: Profile, levels: Mapping[str, Level] | None = None) -> tuple[Item, ...]:
    """Every item of the contract under `profile`, area by area, each area in schema order;
    rules at `off` under `levels` are left out."""
    specs = _schema_fields(profile)
    values = [Item(f"{_name(s.path)}={v}", "values") for s in specs for v in s.enum]
    fields = [Item(f"{_name(s.path)}={state}", "fields") for s in specs for state in s.states]
    bounds = [
        Item(f"{_name(s.path)}={shown}", "bounds")
        for s in specs
        if s.bounds is not None
        for shown in (_number(s.bounds[0]), "between", _number(s.bounds[1]))
    ]
    http = [Item(f"http={code}", "http", code in SEEN_ONLY_OUTCOMES) for code in _outcomes()]
    moves = [Item(f"transition={a}->{b}", "transitions") for a, b in allowed_transitions(profile)]
    rules = [
        Item(f"rule={name}", "rules")
        for name, rule in RULES.items()
        if (levels or {}).get(name, rule.default) != "off"
    ]
    return (*values, *fields, *bounds, *http, *moves, *rules)


class Probe(NamedTuple):
    """How one field of a body is read: where it sits and what it can show."""

    path: tuple[str, ...]
    key: str
    enum: Mapping[Any, str]
    states: Mapping[str, str]
    bounds: tuple[float, float, str, str, str] | None


def probes(profile: Profile, known: set[str]) -> tuple[Probe, ...]:
    """How each field of a body is read, for the fields that give any of the `known` items."""
    out = []
    for spec in _schema_fields(profile):
        name = _name(spec.path)
        enum = {v: f"{name}={v}" for v in spec.enum if f"{name}={v}" in known}
        states = {s: f"{name}={s}" for s in spec.states if f"{name}={s}" in known}
        bounds = None
        if spec.bounds is not None:
            low, high = spec.bounds
            bounds = (
                low,
                high,
                f"{name}={_number(low)}",
                f"{name}=between",
                f"{name}={_number(high)}",
            )
        if enum or states or bounds:
            out.append(Probe(spec.path[:-1], spec.path[-1], enum, states, bounds))
    return tuple(out)


def check_item_names(names: Iterable[str], profile: Profile) -> None:
    """Refuses an item name the contract does not have, suggesting the closest ones."""
    import difflib

    from batch_contract.errors import UsageError

    known = [item.name for item in contract_items(profile)]
    for name in names:
        if name not in known:
            close = difflib.get_close_matches(name, known, n=3)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            raise UsageError(f"unknown coverage item {name!r}{hint}")
