"""Spreads one run over worker processes (`--jobs N`), with the same output as one process.

The inputs are cut into units: byte ranges of a large NDJSON file (each ending just after a
newline), or single files (a folder gives one unit per file). Workers check units; the parent takes
their verdicts back in input order, moves line numbers from range-relative to file-absolute, and
hands them on exactly as `Checker.check_items` would. At most a few units are in flight at a time,
so memory stays flat. Standard input is read by the parent itself.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from batch_contract.documents import (
    STDIN,
    Document,
    LineBlock,
    cannot_read,
    file_items,
    folder_files,
    is_ndjson,
    iter_items,
    iter_line_blocks,
)
from batch_contract.runner import Checker, Item, Passed, Result
from batch_contract.validation import Violation

RANGE_BYTES = 8 << 20
"""About how many bytes of NDJSON one unit holds, at most (a file gives at least 4 per job)."""
SPLIT_BYTES = 2 << 20
"""NDJSON files larger than this are split into byte ranges; smaller ones are one unit."""
MIN_RANGE_BYTES = 1 << 20
"""The smallest byte range worth a unit."""
_READ = 1 << 20
_checker: Checker | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class Unit:
    """A piece of work: a whole file, or bytes [start, end) of an NDJSON file (`start` >= 0)."""

    group: int
    name: str
    path: str
    source: str
    ndjson: bool = False
    explicit: bool = True
    start: int = -1
    end: int = -1


class _Range:
    """A binary reader over the bytes [start, end) of an open file."""

    def __init__(self, handle: BinaryIO, start: int, end: int) -> None:
        handle.seek(start)
        self._handle = handle
        self._left = end - start

    def read(self, size: int = -1) -> bytes:
        """Up to `size` bytes, never past the end of the range."""
        if self._left <= 0:
            return b""
        data = self._handle.read(self._left if size < 0 else min(size, self._left))
        self._left -= len(data)
        return data


def range_items(path: Path, source: str, start: int, end: int) -> Iterator[LineBlock | Document]:
    """The NDJSON lines of bytes [start, end) of a file (line numbers counted from the range)."""
    with path.open("rb") as handle:
        yield from iter_line_blocks(_Range(handle, start, end), source)  # type: ignore[arg-type]


def line_ranges(path: Path, parts: int, minimum: int = 4 * _READ) -> list[tuple[int, int]]:
    """Split a file into about `parts` byte ranges of at least `minimum` bytes, each ending just
    after a newline (or at the end of the file)."""
    size = path.stat().st_size
    step = max(minimum, -(-size // max(parts, 1)))
    ranges: list[tuple[int, int]] = []
    start = 0
    with path.open("rb") as handle:
        while start < size:
            end = min(start + step, size)
            if end < size:
                handle.seek(end - 1)
                while (chunk := handle.read(_READ)) and (cut := chunk.find(b"\n")) < 0:
                    end += len(chunk)
                end = min(size, end + cut if chunk else size)
            ranges.append((start, end))
            start = end
    return ranges


def plan(paths: Sequence[str], ndjson: bool, jobs: int) -> Iterator[Unit | str]:
    """The units of the inputs in order; a str is a name to read in the parent (stdin) or that
    does not exist (the parent reports it as `iter_items` would)."""
    for group, name in enumerate(paths or [STDIN]):
        path = Path(name)
        if name == STDIN or not path.exists():
            yield name
        elif path.is_dir():
            for file in folder_files(path):
                yield Unit(group, name, str(file), str(file), ndjson, explicit=False)
        elif is_ndjson(path, ndjson) and path.stat().st_size > SPLIT_BYTES:
            parts = max(jobs * 4, path.stat().st_size // RANGE_BYTES)
            for start, end in line_ranges(path, parts, minimum=MIN_RANGE_BYTES):
                yield Unit(group, name, name, name, ndjson, start=start, end=end)
        else:
            yield Unit(group, name, name, name, ndjson)


def _init(profile: str, part: str, levels: Mapping[str, str]) -> None:
    """Worker start-up: build the checker once."""
    global _checker
    _checker = Checker(profile, part, levels)  # type: ignore[arg-type]


Packed = tuple[Any, ...]
"""An item as a worker sends it: `(source, numbers)` for a `Passed` run, or `(source, where,
document problem, problem, violations as tuples)` for a `Result`. Plain tuples pickle several
times faster than the dataclasses, and the raw bytes of documents stay behind."""


def _pack(item: Item) -> Packed:
    """The plain-tuple form of an item."""
    if isinstance(item, Passed):
        return (item.source, item.numbers)
    document = item.document
    violations = tuple(
        (v.path, v.keyword, v.expected, v.found, v.severity) for v in item.violations
    )
    return (document.source, document.where, document.problem, item.problem, violations)


def _unpack(packed: Packed, base: int) -> Item:
    """The item of a packed one, with line numbers moved by `base` (a byte range's first line)."""
    if len(packed) == 2:
        source, numbers = packed
        return Passed(source, [number + base for number in numbers] if base else numbers)
    source, where, document_problem, problem, violations = packed
    if base:
        where = str(int(where or 0) + base)
    found = tuple(Violation(*violation) for violation in violations)
    return Result(Document(source, where, b"", document_problem), found, problem)


def work(unit: Unit) -> tuple[list[Packed], int, str | None]:
    """Check one unit: its items, how many lines it spans (ranges), and a read error if any."""
    assert _checker is not None
    items: list[Packed] = []
    lines = 0
    try:
        if unit.start >= 0:
            source: Iterator[Document | LineBlock] = range_items(
                Path(unit.path), unit.source, unit.start, unit.end
            )
        else:
            source = file_items(Path(unit.path), unit.source, unit.ndjson, unit.explicit, True)
        for part in source:
            if isinstance(part, LineBlock):
                lines = part.first + len(part.lines) - 1
            elif part.where is not None and part.where.isdigit():
                lines = int(part.where)
            items.extend(_pack(item) for item in _checker.check_items([part]))
    except OSError as error:
        return items, lines, cannot_read(unit.name, error)
    return items, lines, None


def check_parallel(
    checker: Checker,
    paths: Sequence[str],
    *,
    stdin: BinaryIO,
    ndjson: bool,
    errors: list[str],
    jobs: int,
    settings: tuple[str, str, Mapping[str, str]],
) -> Iterator[Item]:
    """Verdicts for the inputs, in input order, computed by `jobs` worker processes.

    `settings` (profile, part, levels) builds the workers' checker; `checker` serves what the
    parent reads itself. Unreadable inputs are appended to `errors`, as `iter_items` does."""
    units = list(plan(paths, ndjson, jobs))
    if sum(isinstance(unit, Unit) for unit in units) <= 1:
        items = iter_items(paths, stdin=stdin, ndjson=ndjson, errors=errors)
        yield from checker.check_items(items)
        return
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    with context.Pool(jobs, initializer=_init, initargs=settings) as pool:
        yield from _merge(pool, units, checker, stdin, ndjson, errors, jobs)


def _merge(
    pool: Any,
    units: list[Unit | str],
    checker: Checker,
    stdin: BinaryIO,
    ndjson: bool,
    errors: list[str],
    jobs: int,
) -> Iterator[Item]:
    """Submit units a few at a time and yield their items in order."""
    pending: deque[tuple[Unit, Any]] = deque()
    queue = deque(units)
    failed: set[int] = set()
    base: dict[str, int] = {}
    while queue or pending:
        while queue and isinstance(queue[0], Unit) and len(pending) < 2 * jobs:
            unit = queue.popleft()
            assert isinstance(unit, Unit)
            pending.append((unit, pool.apply_async(work, (unit,))))
        if pending:
            unit, future = pending.popleft()
            items, lines, error = future.get()
            if unit.group in failed:
                continue
            offset = base.get(unit.name, 0) if unit.start >= 0 else 0
            for packed in items:
                yield _unpack(packed, offset)
            base[unit.name] = offset + lines
            if error is not None:
                errors.append(error)
                failed.add(unit.group)
            continue
        name = queue.popleft()
        assert isinstance(name, str)
        yield from checker.check_items(
            iter_items([name], stdin=stdin, ndjson=ndjson, errors=errors)
        )
