"""What the report page shows, as plain data, from the responses of a run.

The responses come from the inputs validate-status, coverage and drift read (cassettes, JSON and
NDJSON files, folders: `read_inputs`) or from a contract-suite run (`Exchange`s made by the
pytest plugin). Every verdict is the one check's (`ContractCheck`, `check_sequence`); coverage is
the coverage face's own count, fed the same responses in the same way as `batch-contract
coverage`, so the page and `coverage --format json` agree by construction of one count.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from batch_contract.core.cassette_files import read_cassette
from batch_contract.core.check import contract_check
from batch_contract.core.documents import CASSETTE_SUFFIXES, cannot_read, file_items, folder_files
from batch_contract.core.jsondoc import parse_document
from batch_contract.core.reading import Document
from batch_contract.core.results import Violation
from batch_contract.core.rules import Level, check_sequence
from batch_contract.core.schemas import Profile
from batch_contract.coverage.counting import Coverage, CoverageReport, allowed_transitions
from batch_contract.errors import DocumentError

_POLL = re.compile(r"^\$\[(\d+)\]")


@dataclass(frozen=True)
class Exchange:
    """One response of the endpoint: where it was seen, the job it is about (None for a bare
    body), its HTTP status code (None for a bare body), and its body (or why it has none)."""

    where: str
    job: str | None
    code: int | None
    raw: bytes | None
    problem: str | None = None


@dataclass
class Group:
    """The violations of one JSON path and rule (or schema keyword): how many, the first one, where
    it was first seen and the body it was seen in."""

    path: str
    keyword: str
    severity: str
    expected: str
    found: str
    first: str
    body: str
    count: int = 0
    anchor: str = ""


@dataclass
class Poll:
    """One 200 response of a job polled more than once."""

    where: str
    status: str | None
    progress: float | None
    counts: dict[str, float]


@dataclass
class ReportData:
    """Everything the page shows."""

    profile: Profile
    coverage: CoverageReport
    statuses: tuple[str, ...]
    allowed: tuple[tuple[str, str], ...]
    moves: dict[tuple[str, str], int]
    """Every change of status between consecutive polls of a job, legal or not, with its count."""
    move_groups: dict[tuple[str, str], str]
    """An observed transition that breaks a rule -> the anchor of its violation group."""
    groups: list[Group]
    jobs: dict[str, list[Poll]]
    documents: int
    responses: int
    errors: int
    warnings: int
    invalid: int
    notes: list[str] = field(default_factory=list)
    unread: list[str] = field(default_factory=list)
    """One line for each cassette or interaction that could not be read: the page fails."""


COUNTS = ("total_items", "processed_items", "failed_items", "skipped_items")


def read_inputs(
    paths: Sequence[str], errors: list[str], notes: list[str], unread: list[str]
) -> Iterator[Exchange]:
    """The responses and bodies of every input, in the order `batch-contract coverage` reads
    them (NDJSON streamed); a path, folder entry or subfolder that cannot be read goes to
    `errors`, each problem validate-status reports of a cassette (a file it cannot load, an
    interaction not as vcrpy writes it) to `unread`, a file that is no cassette to `notes`."""
    for name in paths:
        path = Path(name)
        explicit = not path.is_dir()
        if explicit and not path.exists():
            errors.append(cannot_read(name, FileNotFoundError(2, "No such file or directory")))
            continue
        unlisted: list[OSError] = []
        for file in folder_files(path, unlisted) if not explicit else [path]:
            source = name if explicit else str(file)
            try:
                if file.suffix.lower() in CASSETTE_SUFFIXES:
                    yield from _cassette_file(file, source, explicit, notes, unread)
                    continue
                for item in file_items(file, source, ndjson=False, explicit=explicit):
                    if isinstance(item, Document):
                        yield Exchange(item.location, None, None, item.raw, item.problem)
            except OSError as error:
                errors.append(cannot_read(source, error))
        errors.extend(cannot_read(str(error.filename or name), error) for error in unlisted)


def _cassette_file(
    path: Path, source: str, explicit: bool, notes: list[str], unread: list[str]
) -> list[Exchange]:
    """Each GET of the endpoint a cassette recorded, read as validate-status reads it; each
    problem it reports of the file or an interaction goes to `unread`."""
    read = read_cassette(path)
    if read is None:
        if explicit:
            notes.append(f"{source}: skipped: not a vcrpy cassette (no 'interactions' list)")
        return []
    unread.extend(read.lines(source))
    found = []
    for item in read.interactions:
        if not item.is_status_get or item.status is None:
            continue
        raw = read.bodies.get(item.where)
        problem = read.too_large.get(item.where)
        where = f"{source}:{item.where}"
        found.append(Exchange(where, f"{source}#{item.job_id}", item.status, raw, problem))
    return found


def _number(value: Any) -> float | None:
    return float(value) if type(value) in (int, float) else None


def _poll(where: str, body: Any) -> Poll:
    job = body.get("job") if isinstance(body, dict) else None
    job = job if isinstance(job, dict) else {}
    status = job.get("status")
    counts = {name: n for name in COUNTS if (n := _number(job.get(name))) is not None}
    progress = _number(body.get("progress_percentage")) if isinstance(body, dict) else None
    return Poll(where, status if isinstance(status, str) else None, progress, counts)


class _Collector:
    """Groups violations by JSON path and rule, keeping the first source and body of each."""

    def __init__(self) -> None:
        self.groups: dict[tuple[str, str], Group] = {}

    def add(self, violation: Violation, where: str, body: Callable[[], str]) -> Group:
        path = _POLL.sub("$[poll]", violation.path)
        key = (path, violation.keyword)
        group = self.groups.get(key)
        if group is None:
            group = self.groups[key] = Group(
                path,
                violation.keyword,
                violation.severity,
                violation.expected,
                violation.found,
                where,
                _clipped(body()),
                anchor=f"violation-{len(self.groups) + 1}",
            )
        group.count += 1
        return group


MAX_SHOWN = 20_000
"""Characters of an offending body the page shows at most."""


def _clipped(text: str) -> str:
    if len(text) <= MAX_SHOWN:
        return text
    return text[:MAX_SHOWN] + f"\n... ({len(text) - MAX_SHOWN} more characters not shown)"


def _shown(body: Any, raw: bytes | None) -> Callable[[], str]:
    """The body as the page shows it, made only when a group needs it."""
    if body is not None:
        return lambda: json.dumps(body, indent=2, ensure_ascii=False)
    return lambda: (raw or b"").decode("utf-8", "replace")


def gather(
    exchanges: Iterable[Exchange],
    profile: Profile,
    levels: Mapping[str, Level],
    notes: Sequence[str] = (),
    unread: Sequence[str] = (),
) -> ReportData:
    """The page's data from the responses of a run."""
    check = contract_check(profile, "status", levels)
    coverage = Coverage(profile, levels)
    collector = _Collector()
    polls: dict[str, tuple[list[Any], list[str]]] = {}
    documents = invalid = 0
    for exchange in exchanges:
        if exchange.code is not None:
            coverage.http(exchange.code, exchange.where)
        if exchange.code not in (None, 200):
            continue
        if exchange.raw is None and exchange.problem is None:
            continue
        documents += 1
        try:
            if exchange.problem is not None:
                raise DocumentError(exchange.problem)
            body = parse_document(exchange.raw or b"")
        except DocumentError as error:
            invalid += 1
            broken = Violation("$", "json", "one well-formed JSON document", str(error))
            collector.add(broken, exchange.where, _shown(None, exchange.raw))
            continue
        coverage.body(body, exchange.where)
        found = check.violations(body)
        invalid += any(v.severity == "error" for v in found)
        for violation in found:
            collector.add(violation, exchange.where, _shown(body, None))
        if exchange.job is not None:
            docs, wheres = polls.setdefault(exchange.job, ([], []))
            docs.append(body)
            wheres.append(exchange.where)
    moves: dict[tuple[str, str], int] = {}
    move_groups: dict[tuple[str, str], str] = {}
    jobs: dict[str, list[Poll]] = {}
    allowed = allowed_transitions(profile)
    for job, (docs, wheres) in polls.items():
        coverage.polls(docs, wheres)
        if len(docs) < 2:
            continue
        jobs[job] = [_poll(where, doc) for doc, where in zip(docs, wheres, strict=True)]
        steps = _steps(jobs[job])
        for a, b in steps.values():
            moves[(a, b)] = moves.get((a, b), 0) + 1
        shown = _shown(docs, None)
        for violation in check_sequence(docs, levels):
            match = _POLL.match(violation.path)
            index = int(match.group(1)) if match else len(docs) - 1
            group = collector.add(violation, wheres[index], shown)
            move = steps.get(index)
            if move is not None and move not in allowed:
                move_groups.setdefault(move, group.anchor)
    report = coverage.report()
    statuses = tuple(
        row.item.name.split("=", 1)[1]
        for row in report.items
        if row.item.name.startswith("job.status=")
    )
    groups = list(collector.groups.values())
    return ReportData(
        profile,
        report,
        statuses,
        allowed,
        moves,
        move_groups,
        groups,
        jobs,
        documents,
        coverage.responses,
        sum(g.count for g in groups if g.severity == "error"),
        sum(g.count for g in groups if g.severity == "warning"),
        invalid,
        list(notes),
        list(unread),
    )


def _steps(polls: Sequence[Poll]) -> dict[int, tuple[str, str]]:
    """Each change of status between polls (skipping a poll without a status, as coverage does),
    by the index of the poll it arrives at."""
    steps: dict[int, tuple[str, str]] = {}
    previous: str | None = None
    for index, poll in enumerate(polls):
        if poll.status is None:
            continue
        if previous is not None and previous != poll.status:
            steps[index] = (previous, poll.status)
        previous = poll.status
    return steps
