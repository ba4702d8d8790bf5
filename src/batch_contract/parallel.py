"""Spreads one run over worker processes (`--jobs N`), with the same output as one process.

The inputs are cut into units: byte ranges of a large NDJSON file (each ending just after a
newline), or single files (a folder gives one unit per file). A worker checks its unit, counts the
verdicts and renders them for the run's reporter, and the parent writes them in input order
(`Rendered`), so the parent, which shares the cores with the workers, does next to nothing per
document. Line numbers: for the text report a worker numbers a range's lines from 1 and sends
each line's text after its location, and the parent, which learns how many lines each range held
as the ranges come back in order, writes the locations; for the other reports, whose lines carry
the number inside, the parent counts the lines before each range as it hands the range out. At
most a few units are in flight at a time, so memory stays flat. Standard input is read by the
parent itself.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import os
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from io import BytesIO
from pathlib import Path
from typing import Any, BinaryIO, cast

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
from batch_contract.output import printable
from batch_contract.report import renderer, text_tails
from batch_contract.runner import Checker, Item, Passed, Rendered, Tally
from batch_contract.workers import MAX_AHEAD, Workers

RANGE_BYTES = 2 << 20
"""About how many bytes of NDJSON one unit holds, at most (a file gives at least 16 per job, so
that no worker is left with a long last unit while the others wait)."""
SPLIT_BYTES = 2 << 20
"""NDJSON files larger than this are split into byte ranges; smaller ones are one unit."""
MIN_RANGE_BYTES = 1 << 20
"""The smallest byte range worth a unit, before the tail of the file."""
TAIL_RANGE_BYTES = 1 << 18
"""The smallest unit of the tapered tail of a file (`line_ranges`)."""
_READ = 1 << 20
_PEEK = 1 << 12
"""How much is read at a time, looking for the newline that ends a range (a body of this endpoint
is under 2 KB: one read finds it, where 64 KB reads took 0.5 ms of the planning of a 116 MB file
and 4 KB reads 0.2 ms)."""
_checker: Checker | None = None
_render: Any = None
_strict = False
_lists_valid = False
_relative = False
_units: Sequence[Unit | str] = []
FORKS = hasattr(os, "fork")
"""Whether workers are forked (`Workers`), which start with the parent's checker; else they are
spawned by a `multiprocessing.Pool` and build their own."""


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
    first: int = 1
    """The number of the range's first line in the file."""


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


def range_items(
    path: Path, source: str, start: int, end: int, first: int = 1
) -> Iterator[LineBlock | Document]:
    """The NDJSON lines of bytes [start, end) of a file, the first numbered `first`."""
    with path.open("rb") as handle:
        yield from iter_line_blocks(_Range(handle, start, end), source, first)  # type: ignore[arg-type]


def count_lines(path: Path, start: int, end: int) -> int:
    """How many newlines bytes [start, end) of a file hold."""
    lines = 0
    with path.open("rb") as handle:
        handle.seek(start)
        left = end - start
        while left > 0 and (chunk := handle.read(min(left, _READ))):
            lines += chunk.count(b"\n")
            left -= len(chunk)
    return lines


def line_ranges(
    path: Path, parts: int, minimum: int = 4 * _READ, workers: int = 0
) -> list[tuple[int, int]]:
    """Split a file into about `parts` byte ranges of at least `minimum` bytes, each ending just
    after a newline (or at the end of the file). For `workers` processes the tail tapers (guided
    scheduling): no range holds more than a (2 x workers)th of what is left, down to
    `TAIL_RANGE_BYTES`, so that the workers run out of work at about the same time instead of one
    finishing a whole range while the others wait."""
    size = path.stat().st_size
    step = max(minimum, -(-size // max(parts, 1)))
    smallest = min(minimum, TAIL_RANGE_BYTES)
    ranges: list[tuple[int, int]] = []
    start = 0
    with path.open("rb") as handle:
        while start < size:
            want = step
            if workers > 0:
                want = max(smallest, min(step, (size - start) // (2 * workers)))
            end = min(start + want, size)
            if end < size:
                handle.seek(end - 1)
                while (chunk := handle.read(_PEEK)) and (cut := chunk.find(b"\n")) < 0:
                    end += len(chunk)
                end = min(size, end + cut if chunk else size)
            ranges.append((start, end))
            start = end
    return ranges


def plan(
    paths: Sequence[str], ndjson: bool, jobs: int, errors: list[str] | None = None
) -> Iterator[Unit | str]:
    """The units of the inputs in order; a str is a name to read in the parent (stdin) or that
    does not exist (the parent reports it as `iter_items` would). A subfolder that cannot be
    listed is appended to `errors`."""
    for group, name in enumerate(paths or [STDIN]):
        path = Path(name)
        if name == STDIN or not path.exists():
            yield name
        elif path.is_dir():
            problems: list[OSError] = []
            for file in folder_files(path, problems):
                yield Unit(group, name, str(file), str(file), ndjson, explicit=False)
            if errors is not None:
                errors.extend(cannot_read(str(p.filename or name), p) for p in problems)
        elif is_ndjson(path, ndjson) and path.stat().st_size > SPLIT_BYTES:
            parts = max(jobs * 16, path.stat().st_size // RANGE_BYTES)
            for start, end in line_ranges(path, parts, MIN_RANGE_BYTES, workers=jobs):
                yield Unit(group, name, name, name, ndjson, start=start, end=end)
        else:
            yield Unit(group, name, name, name, ndjson)


def worker_count(
    jobs: int,
    units: int,
    *,
    processors: int | None = None,
    descriptors: int | None = None,
    open_now: int | None = None,
) -> int:
    """How many workers `--jobs N` gets: at most the processors this process may run on, the
    units of work (a worker without one would only be forked and reaped), and what the limit on
    open files leaves room for (each worker holds a pipe end, and another while it starts); at
    least 1, which means no worker at all."""
    if processors is None:
        affinity = getattr(os, "sched_getaffinity", None)
        processors = len(affinity(0)) if affinity is not None else (os.cpu_count() or 1)
    if descriptors is None:
        try:
            import resource
        except ImportError:  # no such limit here
            descriptors = 1 << 20
        else:
            descriptors = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
            if descriptors == resource.RLIM_INFINITY:
                descriptors = 1 << 20
    if open_now is None:
        try:
            open_now = len(os.listdir("/proc/self/fd"))
        except OSError:
            open_now = 64
    room = (descriptors - open_now - 16) // 2
    return max(1, min(jobs, units, processors, room))


def _init(
    profile: str, part: str, levels: Mapping[str, str], fmt: str, warnings_as_errors: bool
) -> None:
    """Worker start-up: build the checker once (a forked worker has the parent's already) and the
    renderer of the run's output format."""
    global _checker, _render, _strict, _lists_valid, _relative
    if _checker is None:
        _checker = Checker(profile, part, levels)  # type: ignore[arg-type]
    _render = renderer(fmt, warnings_as_errors)
    _strict = warnings_as_errors
    _lists_valid = fmt == "json"  # the JSON report lists valid documents too
    _relative = relative_numbers(fmt)


def relative_numbers(fmt: str) -> bool:
    """Whether workers number a range's lines from 1 and leave the locations to the parent: for
    the text report, whose lines start with the location and hold the number nowhere else."""
    return fmt == "text"


Numbered = list[tuple[int, list[str]]]
"""A range's text lines as a worker sends them: (line number in the range, texts after the
location) for each document with something to report."""


def work(unit: Unit) -> tuple[tuple[int, int, int, int], list[str] | Numbered, int, str | None]:
    """Check one unit: its counts; its rendered lines (`Numbered` for a range under the text
    report); how many lines it spans; and a read error if any."""
    assert _checker is not None
    tally = Tally()
    lines: list[str] = []
    numbered: Numbered = []
    render, strict = _render, _strict
    relative = _relative and unit.start >= 0
    spanned = 0
    try:
        if unit.start >= 0:
            first = 1 if relative else unit.first
            source: Iterator[Document | LineBlock] = range_items(
                Path(unit.path), unit.source, unit.start, unit.end, first
            )
        else:
            source = file_items(Path(unit.path), unit.source, unit.ndjson, unit.explicit, True)
        for part in source:
            if isinstance(part, LineBlock):
                spanned = part.first + len(part.lines) - 1
            elif part.where is not None and part.where.isdigit():
                spanned = int(part.where)
            for item in _checker.check_items([part]):
                tally.add(item, strict)
                if isinstance(item, Passed):
                    if _lists_valid:
                        for result in item.results():
                            lines.extend(render(result))
                elif relative:
                    numbered.append((int(item.document.where or 0), text_tails(item)))
                else:
                    lines.extend(render(item))
    except OSError as error:
        failure = cannot_read(unit.source, error)  # a folder's file by its own path
        return tally.counts, numbered if relative else lines, spanned, failure
    return tally.counts, numbered if relative else lines, spanned, None


def _teach(checker: Checker, units: Sequence[Unit | str], sample: int = 1 << 14) -> None:
    """Check the first lines of the first NDJSON range, so that the fast lane has learned the
    stream's key order before the workers are forked (each would otherwise learn it anew)."""
    for unit in units:
        if isinstance(unit, Unit) and unit.start >= 0:
            with contextlib.suppress(OSError), Path(unit.path).open("rb") as handle:
                handle.seek(unit.start)
                lines = BytesIO(handle.read(min(sample, unit.end - unit.start))).readlines()[:-1]
                checker.check_block(LineBlock(unit.source, 1, lines))
            return


def check_parallel(
    checker: Checker,
    paths: Sequence[str],
    *,
    stdin: BinaryIO,
    ndjson: bool,
    errors: list[str],
    jobs: int,
    settings: tuple[str, str, Mapping[str, str], str, bool],
) -> Iterator[Item | Rendered]:
    """Verdicts for the inputs, in input order, computed by `jobs` worker processes.

    `settings` (profile, part, levels, output format, warnings as errors) builds the workers'
    checker and renderer; `checker` serves what the parent reads itself. Unreadable inputs are
    appended to `errors`, as `iter_items` does."""
    listed: list[str] = []
    units = list(plan(paths, ndjson, jobs, listed))
    count = sum(isinstance(unit, Unit) for unit in units)
    jobs = worker_count(jobs, count)
    if jobs <= 1:
        items = iter_items(paths, stdin=stdin, ndjson=ndjson, errors=errors)
        yield from checker.check_items(items)
        return
    errors.extend(listed)
    relative = relative_numbers(settings[3])
    if not FORKS:
        import multiprocessing

        with multiprocessing.Pool(jobs, initializer=_init, initargs=settings) as pool:
            tasks = _PoolTasks(pool, units)
            yield from _merge(tasks, units, checker, stdin, ndjson, errors, jobs, relative)
        return
    global _checker, _units
    # the workers start with the parent's checker, its fast lane built and taught
    checker.prepare_lines()
    _teach(checker, units)
    _checker, _units = checker, units
    _init(*settings)
    # What exists now lives as long as the run: out of the collector's sight, a forked worker's
    # collections neither walk it nor copy the pages it sits on.
    gc.freeze()
    try:
        with Workers(_work_number, jobs) as workers:
            yield from _merge(workers, units, checker, stdin, ndjson, errors, jobs, relative)
    finally:
        _checker, _units = None, []
        gc.unfreeze()


def _work_number(number: int, first: int) -> Any:
    """`work` on unit `number` of the run (a forked worker's task), its first line numbered
    `first` when that is not 0."""
    unit = cast(Unit, _units[number])
    return work(dataclasses.replace(unit, first=first) if first else unit)


class _PoolTasks:
    """The task interface of `Workers` over a `multiprocessing.Pool`, where processes do not
    fork: each task travels to the worker whole."""

    def __init__(self, pool: Any, units: Sequence[Unit | str]) -> None:
        self._pool = pool
        self._units = units
        self._futures: dict[int, Any] = {}

    def submit(self, number: int, first: int = 0) -> None:
        """Send unit `number` (its first line numbered `first` when that is not 0)."""
        unit = cast(Unit, self._units[number])
        unit = dataclasses.replace(unit, first=first) if first else unit
        self._futures[number] = self._pool.apply_async(work, (unit,))

    def result(self, number: int) -> Any:
        """The result of unit `number`, waiting for it."""
        return self._futures.pop(number).get()

    def finish(self) -> None:
        """No more units (the pool is closed when the run leaves it)."""


def _merge(
    tasks: Workers | _PoolTasks,
    units: list[Unit | str],
    checker: Checker,
    stdin: BinaryIO,
    ndjson: bool,
    errors: list[str],
    jobs: int,
    relative: bool,
) -> Iterator[Item | Rendered]:
    """Submit units a few at a time and yield their verdicts in order. With `relative` line
    numbers, the parent writes each range's locations from the line counts of the ranges before
    it; else it counts the lines before each range as it hands the range out."""
    pending: deque[int] = deque()
    queue = deque(range(len(units)))
    failed: set[int] = set()
    lines_before: dict[str, int] = {}
    ahead = min(2 * jobs, MAX_AHEAD)
    while queue or pending:
        while queue and isinstance(units[queue[0]], Unit) and len(pending) < ahead:
            number = queue.popleft()
            unit = cast(Unit, units[number])
            first = 0
            if unit.start >= 0 and not relative:
                before = lines_before.get(unit.name, 0)
                first = before + 1
                with contextlib.suppress(OSError):  # the worker reports it
                    lines_before[unit.name] = before + count_lines(
                        Path(unit.path), unit.start, unit.end
                    )
            tasks.submit(number, first)
            pending.append(number)
        if not queue:
            tasks.finish()
        if pending:
            number = pending.popleft()
            unit = cast(Unit, units[number])
            counts, lines, spanned, error = tasks.result(number)
            if unit.group in failed:
                continue
            texts: list[str]
            if relative and unit.start >= 0:
                base = lines_before.get(unit.name, 0)
                lines_before[unit.name] = base + spanned
                source = printable(unit.source)
                texts = [
                    f"{source}:{line + base}{tail}"
                    for line, tails in cast(Numbered, lines)
                    for tail in tails
                ]
            else:
                texts = cast(list[str], lines)
            yield Rendered(counts, texts)
            if error is not None:
                errors.append(error)
                if unit.start >= 0:  # the file's later ranges are not reported
                    failed.add(unit.group)
            continue
        name = units[queue.popleft()]
        assert isinstance(name, str)
        yield from checker.check_items(
            iter_items([name], stdin=stdin, ndjson=ndjson, errors=errors)
        )
