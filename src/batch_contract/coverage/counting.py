"""Contract coverage: counts which items of the contract (`coverage_items`) a set of responses
exercised: bodies, HTTP outcomes and the polls of one job. Bodies count for body items only;
HTTP outcomes and polls come from cassettes and suite runs.

Bodies are counted by shape: the items a body shows depend only on the keys and JSON types of
its values, the value of each enumerated field and where each bounded number lies (the rules'
`applies` predicates read the status and JSON types alone). Each shape's items are worked out
once, and each shape is counted, not each of its items: a long NDJSON stream of a few shapes
costs about one dictionary lookup a body.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from batch_contract.core.rules import RULES, Level
from batch_contract.core.schemas import Profile
from batch_contract.coverage.items import (
    AREAS,
    SEEN_ONLY_OUTCOMES,
    Area,
    Item,
    allowed_transitions,
    check_item_names,
    contract_items,
    probes,
)

__all__ = [
    "AREAS",
    "SEEN_ONLY_OUTCOMES",
    "Area",
    "Coverage",
    "CoverageReport",
    "Item",
    "Seen",
    "allowed_transitions",
    "check_item_names",
    "contract_items",
]
_MISSING = object()
MAX_SHAPES = 4096
"""Body shapes remembered at most; a body of any other shape is worked out on its own."""


@dataclass
class Coverage:
    """The items of a contract and how often, and where first, each was seen."""

    profile: Profile
    levels: Mapping[str, Level] | None = None
    items: tuple[Item, ...] = ()
    bodies: int = 0
    responses: int = 0
    _seen: dict[str, int] = field(default_factory=dict, repr=False)
    _first: dict[str, tuple[float, str]] = field(default_factory=dict, repr=False)
    _shapes: dict[Any, list[Any]] = field(default_factory=dict, repr=False)
    """shape -> [its items, bodies since the last settle, tick and place of the first of them]"""
    _tick: int = 0

    def __post_init__(self) -> None:
        self.items = contract_items(self.profile, self.levels)
        known = {item.name for item in self.items}
        self._probes = probes(self.profile, known)
        self._bounded = tuple(p for p in self._probes if p.bounds is not None)
        self._enumerated = tuple(p for p in self._probes if p.enum)
        self._shaped = all(len(probe.path) <= 1 for probe in self._probes)
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

    @property
    def seen(self) -> dict[str, int]:
        """How often each item was seen (items never seen are left out)."""
        self._settle()
        return self._seen

    @property
    def first(self) -> dict[str, str]:
        """Where each item seen was seen first."""
        self._settle()
        return {name: where for name, (_, where) in self._first.items()}

    def add(self, seen: Mapping[str, int], first: Mapping[str, str]) -> None:
        """Adds counts made elsewhere (a pytest-xdist worker's), after every count made here."""
        self._settle()
        for name, times in seen.items():
            self._seen[name] = self._seen.get(name, 0) + times
            self._first.setdefault(name, (float("inf"), first[name]))

    def _mark(self, name: str, where: str) -> None:
        self._tick += 1
        self._seen[name] = self._seen.get(name, 0) + 1
        if name not in self._first:
            self._first[name] = (self._tick, where)

    def _settle(self) -> None:
        """Adds the bodies counted by shape to the items they show."""
        seen, first = self._seen, self._first
        for entry in self._shapes.values():
            names, count, tick, where = entry
            if not count:
                continue
            for name in names:
                seen[name] = seen.get(name, 0) + count
                if name not in first or tick < first[name][0]:
                    first[name] = (tick, where)
            entry[1] = 0

    def _shape(self, document: dict[str, Any]) -> Any:
        """What decides a body's items: keys and JSON types at the top and one level down, the
        status, the value of each enumerated field, and where each bounded number lies."""
        inner = tuple(
            (tuple(value), tuple(map(type, value.values())))
            for value in document.values()
            if type(value) is dict
        )
        job = document.get("job")
        status = job.get("status") if type(job) is dict else None
        values: list[Any] = [status if type(status) is str else None]  # what the rules read
        for probe in self._enumerated:
            parent = document.get(probe.path[0]) if probe.path else document
            value = parent.get(probe.key) if type(parent) is dict else None
            values.append(value if type(value) is str else None)
        for probe in self._bounded:
            parent = document.get(probe.path[0]) if probe.path else document
            value = parent.get(probe.key) if type(parent) is dict else None
            values.append(_where_in(value, probe.bounds))
        return (tuple(document), tuple(map(type, document.values())), inner, tuple(values))

    def body(self, document: Any, where: str) -> None:
        """Counts the body items of one parsed status body."""
        if not isinstance(document, dict):
            return
        self.bodies += 1
        self._tick += 1
        if not self._shaped or type(document) is not dict:
            for name in self.body_items(document):
                self._mark(name, where)
            return
        shape = self._shape(document)
        entry = self._shapes.get(shape)
        if entry is None:
            names = self.body_items(document)
            if len(self._shapes) >= MAX_SHAPES:
                for name in names:
                    self._mark(name, where)
                return
            entry = self._shapes[shape] = [names, 0, self._tick, where]
        if not entry[1]:
            entry[2], entry[3] = self._tick, where
        entry[1] += 1

    def body_items(self, document: dict[str, Any]) -> tuple[str, ...]:
        """The body items one body shows, in probe then rule order."""
        found: list[str] = []
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
                    found.append(probe.enum[value])
                if probe.bounds is not None:
                    place = _where_in(value, probe.bounds)
                    if place is not None:
                        found.append(probe.bounds[2:][place])
            if state in probe.states:
                found.append(probe.states[state])
        job = document.get("job")
        if isinstance(job, dict):
            progress = document.get("progress_percentage")
            found.extend(name for applies, name in self._document_rules if applies(job, progress))
        return tuple(found)

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


def _where_in(value: Any, bounds: Any) -> int | None:
    """0 at the lower bound, 1 strictly between, 2 at the upper one, None otherwise (or not a
    number)."""
    if type(value) is not int and type(value) is not float:
        return None
    low, high = bounds[0], bounds[1]
    if value == low:
        return 0
    if value == high:
        return 2
    return 1 if low < value < high else None


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
