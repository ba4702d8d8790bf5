"""Checks a run's inputs and hands on its verdicts, already counted and rendered (`Rendered`),
in one process or spread over worker processes (`--jobs N`), with the same output either way.

With workers, the inputs are cut into units: byte ranges of a large NDJSON file (each ending just
after a newline), or single files (a folder gives one unit per file). A worker checks its unit,
counts the verdicts and renders them with the caller's `Rendering`, and the parent hands them on
in input order, so the parent, which shares the cores with the workers, does next to nothing per
document. Line numbers: when the caller can render a line without its location (`tails`), a
worker numbers a range's lines from 1 and sends each line's text after its location, and the
parent, which learns how many lines each range held as the ranges come back in order, writes the
locations; otherwise the parent counts the lines before each range as it hands the range out. At
most a few units are in flight at a time, so memory stays flat. Standard input is read by the
parent itself.

The workers are a `concurrent.futures.ProcessPoolExecutor` that lives as long as one run; nothing
in the calling process is changed for them, so runs may follow or nest in one process.
"""

from __future__ import annotations

import contextlib
import os
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, NamedTuple, cast

from batch_contract.core.documents import (
    EMPTY_LOG,
    STDIN,
    cannot_read,
    file_items,
    folder_files,
    is_ndjson,
    iter_items,
)
from batch_contract.core.output import printable
from batch_contract.core.reading import Document, LineBlock, iter_line_blocks
from batch_contract.core.results import Tally
from batch_contract.engine.runner import Checker, Passed, Rendered, Rendering, rendered
from batch_contract.errors import WorkerDied
from batch_contract.interrupts import held

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

RANGE_BYTES = 8 << 20
"""About how many bytes of NDJSON one unit holds, at most (a file gives at least 8 per job, and
the tail of a file tapers, so that no worker is left with a long last unit while the others
wait). Each unit costs a worker fresh memory for its blocks and lines, which the allocator hands
back between units, so fewer, larger units spend less time in page faults
(docs/performance.md)."""
SPLIT_BYTES = 2 << 20
"""NDJSON files larger than this are split into byte ranges; smaller ones are one unit."""
MIN_RANGE_BYTES = 1 << 20
"""The smallest byte range worth a unit, before the tail of the file."""
TAIL_RANGE_BYTES = 1 << 18
"""The smallest unit of the tapered tail of a file (`line_ranges`)."""
_READ = 1 << 20
_PEEK = 1 << 12
"""How much is read at a time, looking for the newline that ends a range (a body of this endpoint
is under 2 KB: one small read finds it)."""


class Unit(NamedTuple):
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
    last: bool = False
    """Whether the range is the file's last."""


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
            parts = max(jobs * 8, path.stat().st_size // RANGE_BYTES)
            ranges = line_ranges(path, parts, MIN_RANGE_BYTES, workers=jobs)
            for index, (start, end) in enumerate(ranges, 1):
                last = index == len(ranges)
                yield Unit(group, name, name, name, ndjson, start=start, end=end, last=last)
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


Numbered = list[tuple[int, list[str]]]
"""A range's lines as a worker sends them under `Rendering.tails`: (line number in the range,
texts after the location) for each document with something to report."""


START_METHODS = ("fork",)
"""How workers are started, by preference: forked where the platform can (they start with the
parent's checker, already built and taught), else the platform's default (they build their own)."""
_worker: tuple[Checker, Rendering] | None = None
"""A worker process's checker and rendering, set once when the pool starts it (`_start`); never
set in the calling process."""


def _start(
    parent: int,
    checker: Checker | None,
    settings: tuple[str, str, Mapping[str, str]],
    rendering: Rendering,
) -> None:
    """A worker's start-up, in the worker: Ctrl-C and SIGTERM are left to the parent, which ends
    the run and then the workers (whatever handler a forked worker inherited). A worker that
    SIGTERM ended at once could die halfway through sending its verdicts, and the pool would then
    wait forever for the rest of the message (a SIGTERM to the whole process group). A worker
    whose parent has gone (killed outright) still ends on SIGTERM: `parent` is the calling
    process's pid, passed in rather than read here, since the parent may be gone before this runs.
    The checker is the parent's when the worker was forked (already built and taught), else
    built."""
    import signal

    global _worker

    def orphaned(signum: int, frame: object) -> None:
        if os.getppid() != parent:  # nobody is left to end this worker
            os._exit(128 + signum)

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, orphaned)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    if checker is None:
        profile, part, levels = settings
        checker = Checker(profile, part, dict(levels))  # type: ignore[arg-type]
    _worker = (checker, rendering)


def work(unit: Unit) -> tuple[tuple[int, int, int, int], list[str] | Numbered, int, str | None]:
    """In a worker, check one unit: its counts; its rendered lines (`Numbered` for a range under
    `Rendering.tails`); how many lines it spans; and a read error if any."""
    assert _worker is not None, "work runs in a worker started by `_start`"
    checker, rendering = _worker
    tally = Tally()
    lines: list[str] = []
    numbered: Numbered = []
    render, strict, lists_valid = (
        rendering.render,
        rendering.warnings_as_errors,
        rendering.lists_valid,
    )
    tails = rendering.tails if unit.start >= 0 else None
    spanned = 0
    try:
        if unit.start >= 0:
            first = 1 if tails is not None else unit.first
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
            for item in checker.check_items([part]):
                if isinstance(item, Passed):
                    tally.add_valid(len(item.numbers))
                    if lists_valid:
                        for result in item.results():
                            lines.extend(render(result))
                    continue
                tally.add(item, strict)
                if tails is not None:
                    numbered.append((int(item.document.where or 0), tails(item)))
                else:
                    lines.extend(render(item))
    except OSError as error:
        failure = cannot_read(unit.source, error)  # a folder's file by its own path
        return tally.counts, numbered if tails is not None else lines, spanned, failure
    return tally.counts, numbered if tails is not None else lines, spanned, None


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


def check_run(
    checker: Checker,
    paths: Sequence[str],
    *,
    stdin: BinaryIO,
    ndjson: bool,
    errors: list[str],
    rendering: Rendering,
    settings: tuple[str, str, Mapping[str, str]],
    jobs: int = 1,
) -> Iterator[Rendered]:
    """The verdicts on the inputs, counted and rendered, in input order: from this process, or
    from up to `jobs` worker processes (`worker_count`).

    `settings` (profile, part, levels: those of `checker`) builds the checker of a worker that
    does not start as a fork of this process; `checker` serves what the parent reads itself.
    Unreadable inputs are appended to `errors`, as `iter_items` does."""
    units: list[Unit | str] = []
    listed: list[str] = []
    if jobs > 1:
        units = list(plan(paths, ndjson, jobs, listed))
        jobs = worker_count(jobs, sum(isinstance(unit, Unit) for unit in units))
    if jobs <= 1:
        items = iter_items(paths, stdin=stdin, ndjson=ndjson, errors=errors)
        yield from rendered(checker, items, rendering)
        return
    # imported here: a run of one process does without them
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    errors.extend(listed)
    available = multiprocessing.get_all_start_methods()
    method = next((name for name in START_METHODS if name in available), None)
    inherited: Checker | None = None
    if method == "fork":  # the workers start with this checker, its fast lane built and taught
        checker.prepare_lines()
        _teach(checker, units)
        inherited = checker
    pool = ProcessPoolExecutor(
        jobs,
        mp_context=multiprocessing.get_context(method),
        initializer=_start,
        initargs=(os.getpid(), inherited, settings, rendering),
    )
    try:
        yield from _merge(pool, units, checker, stdin, ndjson, errors, jobs, rendering)
    except BrokenProcessPool:
        raise WorkerDied(
            "a --jobs worker ended before its work was done (killed, out of memory?)"
        ) from None
    finally:
        # Units not started are dropped; those running (a few MB each) finish, then every
        # worker ends.
        pool.shutdown(wait=True, cancel_futures=True)


def _merge(
    pool: ProcessPoolExecutor,
    units: list[Unit | str],
    checker: Checker,
    stdin: BinaryIO,
    ndjson: bool,
    errors: list[str],
    jobs: int,
    rendering: Rendering,
) -> Iterator[Rendered]:
    """Submit units a few at a time and yield their verdicts in order. Under `Rendering.tails`,
    the parent writes each range's locations from the line counts of the ranges before it; else
    it counts the lines before each range as it hands the range out."""
    relative = rendering.tails is not None
    pending: deque[tuple[Unit, Future[Any]]] = deque()
    queue = deque(units)
    failed: set[int] = set()
    lines_before: dict[str, int] = {}
    found: dict[str, int] = {}  # documents in the ranges of a file so far
    ahead = 2 * jobs
    while queue or pending:
        while queue and isinstance(queue[0], Unit) and len(pending) < ahead:
            unit = queue.popleft()
            assert isinstance(unit, Unit)
            if unit.start >= 0 and not relative:
                before = lines_before.get(unit.name, 0)
                with contextlib.suppress(OSError):  # the worker reports it
                    lines_before[unit.name] = before + count_lines(
                        Path(unit.path), unit.start, unit.end
                    )
                unit = unit._replace(first=before + 1)
            with held():  # a submission may start a worker, which inherits the held signals and
                # so is not stopped before it has set them as a worker does (`_start`)
                pending.append((unit, pool.submit(work, unit)))
        if pending:
            unit, future = pending.popleft()
            counts, lines, spanned, error = future.result()
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
            elif unit.start >= 0:  # a log of blank lines alone is named, as in one process
                found[unit.path] = found.get(unit.path, 0) + counts[0]
                if unit.last and not found[unit.path]:
                    empty = Document(unit.source, problem=EMPTY_LOG)
                    yield from rendered(checker, iter([empty]), rendering)
            continue
        name = queue.popleft()
        assert isinstance(name, str)
        items = iter_items([name], stdin=stdin, ndjson=ndjson, errors=errors)
        yield from rendered(checker, items, rendering)
