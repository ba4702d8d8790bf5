"""Contract coverage: which parts of the contract a set of responses exercised.

The contract's items are derived from the schema of a profile, the OpenAPI document and the rules,
never listed by hand:

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

A `Coverage` counts what it is shown: bodies, HTTP outcomes and the polls of one job. Bodies
count for body items only; HTTP outcomes and polls come from cassettes and suite runs.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

from batch_contract.rules import RULES, Level
from batch_contract.schemas import PARTS, PROFILES, Profile, load_schema, schema_dir

Area = Literal["values", "fields", "bounds", "http", "transitions", "rules"]
AREAS: tuple[Area, ...] = ("values", "fields", "bounds", "http", "transitions", "rules")
SEEN_ONLY_OUTCOMES = frozenset({"403"})
"""Response codes counted only once seen: a deployment answers 403 only to a key that may not read
the job, which neither the reference server nor a usual staging key can be made to give."""
_MISSING = object()


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
    from batch_contract.rules import check_sequence

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


class _Probe(NamedTuple):
    """How one field of a body is read: where it sits and what it can show."""

    path: tuple[str, ...]
    key: str
    enum: Mapping[Any, str]
    states: Mapping[str, str]
    bounds: tuple[float, float, str, str, str] | None


def _probes(profile: Profile, known: set[str]) -> tuple[_Probe, ...]:
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
            out.append(_Probe(spec.path[:-1], spec.path[-1], enum, states, bounds))
    return tuple(out)


@dataclass
class Coverage:
    """The items of a contract and how often, and where first, each was seen."""

    profile: Profile
    levels: Mapping[str, Level] | None = None
    items: tuple[Item, ...] = ()
    seen: dict[str, int] = field(default_factory=dict)
    first: dict[str, str] = field(default_factory=dict)
    bodies: int = 0
    responses: int = 0

    def __post_init__(self) -> None:
        self.items = contract_items(self.profile, self.levels)
        known = {item.name for item in self.items}
        self._probes = _probes(self.profile, known)
        self._document_rules = tuple(
            (rule.applies, f"rule={name}")
            for name, rule in RULES.items()
            if rule.kind == "document" and f"rule={name}" in known
        )
        self._sequence_rules = tuple(
            (rule.applies, f"rule={name}")
            for name, rule in RULES.items()
            if rule.kind == "sequence" and f"rule={name}" in known
        )
        self._http = frozenset(item.name for item in self.items if item.area == "http")
        self._moves = {
            (a, b): f"transition={a}->{b}"
            for a, b in allowed_transitions(self.profile)
            if f"transition={a}->{b}" in known
        }

    def _mark(self, name: str, where: str) -> None:
        count = self.seen.get(name, 0)
        if not count:
            self.first[name] = where
        self.seen[name] = count + 1

    def body(self, document: Any, where: str) -> None:
        """Counts the body items of one parsed status body."""
        if not isinstance(document, dict):
            return
        self.bodies += 1
        mark = self._mark
        for probe in self._probes:
            parent: Any = document
            for key in probe.path:
                parent = parent.get(key) if isinstance(parent, dict) else None
            if not isinstance(parent, dict):
                continue
            value = parent.get(probe.key, _MISSING)
            if value is _MISSING:
                state = "absent"
            elif value is None:
                state = "null"
            else:
                state = "present"
                if probe.enum and type(value) is str and value in probe.enum:
                    mark(probe.enum[value], where)
                if probe.bounds is not None and type(value) in (int, float):
                    low, high, at_low, between, at_high = probe.bounds
                    if value == low:
                        mark(at_low, where)
                    elif value == high:
                        mark(at_high, where)
                    elif low < value < high:
                        mark(between, where)
            if state in probe.states:
                mark(probe.states[state], where)
        job = document.get("job")
        if isinstance(job, dict):
            progress = document.get("progress_percentage")
            for applies, name in self._document_rules:
                if applies(job, progress):
                    mark(name, where)

    def http(self, code: int, where: str) -> None:
        """Counts one response of the endpoint by its status code."""
        self.responses += 1
        name = f"http={code}"
        if name in self._http:
            self._mark(name, where)

    def polls(self, documents: Sequence[Any], wheres: Sequence[str]) -> None:
        """Counts the transitions and sequence rules of the successive polls of one job."""
        if len(documents) < 2:
            return
        previous: Any = None
        for document, where in zip(documents, wheres, strict=True):
            job = document.get("job") if isinstance(document, dict) else None
            status = job.get("status") if isinstance(job, dict) else None
            if type(status) is not str:
                continue
            if previous is not None and (previous, status) in self._moves:
                self._mark(self._moves[(previous, status)], where)
            previous = status
        for applies, name in self._sequence_rules:
            if applies(documents):
                self._mark(name, wheres[-1])

    def report(self) -> CoverageReport:
        """The counts so far, as plain data."""
        return CoverageReport.of(self)


class Seen(NamedTuple):
    """One item with how often, and where first, it was seen."""

    item: Item
    seen: int
    first: str | None


@dataclass(frozen=True)
class CoverageReport:
    """What a coverage run found: every item, and the totals an optional unseen item is not in."""

    profile: Profile
    items: tuple[Seen, ...]
    bodies: int
    responses: int

    @classmethod
    def of(cls, coverage: Coverage) -> CoverageReport:
        """The report of a coverage count."""
        rows = tuple(
            Seen(item, coverage.seen.get(item.name, 0), coverage.first.get(item.name))
            for item in coverage.items
        )
        return cls(coverage.profile, rows, coverage.bodies, coverage.responses)

    @property
    def counted(self) -> tuple[Seen, ...]:
        """The items in the total: all but the optional ones never seen."""
        return tuple(row for row in self.items if row.seen or not row.item.optional)

    @property
    def total(self) -> int:
        """How many items count."""
        return len(self.counted)

    @property
    def covered(self) -> int:
        """How many counted items were seen."""
        return sum(1 for row in self.items if row.seen)

    @property
    def percent(self) -> float:
        """The share of counted items seen, in percent (100 for a contract of no items)."""
        return 100.0 * self.covered / self.total if self.total else 100.0

    @property
    def missing(self) -> tuple[str, ...]:
        """The counted items never seen, in item order."""
        return tuple(row.item.name for row in self.counted if not row.seen)

    def unmet(
        self, require: Iterable[str], fail_under: float | None, option: str = "--fail-under"
    ) -> list[str]:
        """Why the report fails `--require` and `--fail-under` (named `option`), one line each
        (empty: it passes)."""
        seen = {row.item.name for row in self.items if row.seen}
        lines = [f"required item {name} was never seen" for name in require if name not in seen]
        if fail_under is not None and self.percent < fail_under:
            lines.append(f"coverage {self.percent:.1f}% is below {option} {fail_under:g}%")
        return lines


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
