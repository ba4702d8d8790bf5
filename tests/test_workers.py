"""Forked workers (`workers.Workers`): results by task number, a dead worker named instead of a
hang, a task's exception raised in the parent, and no worker left behind."""

from __future__ import annotations

import os
import platform
import re
import resource
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from fractions import Fraction
from pathlib import Path
from typing import NamedTuple

import pytest

from batch_contract import parallel
from batch_contract.cli import validate_main
from batch_contract.errors import WorkerDied
from batch_contract.exitcodes import ExitCode
from batch_contract.workers import MAX_AHEAD, Workers

WORK = parallel.work


class Hung(Exception):
    """A test waited longer than any of these should."""


@pytest.fixture(autouse=True)
def deadline() -> Iterator[None]:
    """Fail a test that is still waiting after 60 s, as one whose workers hang would be."""

    def expire(signum: int, frame: object) -> None:
        raise Hung("still waiting after 60 s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(60)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def square_and_pid(number: int, argument: int) -> tuple[int, int]:
    """A task: its number squared plus its argument, and which process computed it. Task 0
    takes 0.3 s, so that the other worker takes tasks meanwhile even on a loaded machine."""
    time.sleep(0.3 if number == 0 else 0.001)
    return number * number + argument, os.getpid()


class Point(NamedTuple):
    """A result that is more than plain data."""

    x: int
    y: Fraction


def plain_or_not(number: int, argument: int) -> object:
    """A task whose result is plain data (a dict of lists) for even numbers, else a `Point`."""
    if number % 2:
        return Point(number, Fraction(1, number))
    return {"number": [number, -1.5, "é", b"\x00", None, True], "set": {number}}


def dies_on_three(number: int, argument: int) -> int:
    """A task that kills its own process when it is task 3."""
    if number == 3:
        os.kill(os.getpid(), signal.SIGKILL)
    return number


def fails_on_two(number: int, argument: int) -> int:
    """A task that raises when it is task 2."""
    if number == 2:
        raise KeyError(f"task {number}")
    return number


class Unpicklable(Exception):
    """An exception that cannot travel between processes: it holds a lock."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.lock = threading.Lock()


def fails_unpicklably(number: int, argument: int) -> int:
    """A task that raises an exception pickle refuses."""
    raise Unpicklable(f"task {number} holds a lock")


def faults_of_4_mb(number: int, argument: int) -> int:
    """A task that fills and frees 4 MB; how many page faults that took its process."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    blocks = [b"x" * (1 << 20) for _ in range(4)]
    del blocks
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before


def dying_work(unit: parallel.Unit) -> object:
    """`parallel.work`, but the process dies on a range that does not start its file."""
    if unit.start > 0:
        os.kill(os.getpid(), signal.SIGKILL)
    return WORK(unit)


def gone(pid: int) -> bool:
    """Whether process `pid` has ended: it no longer exists, or it is a zombie that its new
    parent (init, once the run's process has exited) has not reaped yet."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] == "Z"


def test_results_come_back_by_task_number_from_every_worker() -> None:
    """Forty tasks, taken back in reverse order, each give their own result, computed in both
    workers, which end once the tasks are closed."""
    with Workers(square_and_pid, 2) as workers:
        for number in range(40):
            workers.submit(number, 7)
        workers.finish()
        results = {number: workers.result(number) for number in reversed(range(40))}
    assert {number: value for number, (value, _) in results.items()} == {
        number: number * number + 7 for number in range(40)
    }
    pids = {pid for _, pid in results.values()}
    assert len(pids) == 2
    assert all(gone(pid) for pid in pids)


def take_all(function: Callable[[int, int], object], tasks: int) -> list[object]:
    """Submit `tasks` tasks to two workers and take every result back in order."""
    with Workers(function, 2) as workers:
        for number in range(tasks):
            workers.submit(number)
        return [workers.result(number) for number in range(tasks)]


def test_a_killed_worker_is_named_not_waited_for() -> None:
    """A worker killed during a task ends the wait for that task with `WorkerDied` naming the
    signal (the other worker is killed and reaped on the way out)."""
    with pytest.raises(WorkerDied, match=r"process \d+\) was killed by SIGKILL"):
        take_all(dies_on_three, 6)


def test_a_task_exception_is_raised_in_the_parent() -> None:
    """An exception a task raises in a worker is raised again, type and message, where the
    parent takes that task's result."""
    with Workers(fails_on_two, 2) as workers:
        for number in range(4):
            workers.submit(number)
        assert workers.result(0) == 0
        with pytest.raises(KeyError, match="task 2"):
            workers.result(2)


def test_an_exception_that_does_not_pickle_arrives_as_its_traceback() -> None:
    """An exception pickle refuses reaches the parent as a RuntimeError holding the worker's
    traceback, its type and message included."""
    with Workers(fails_unpicklably, 1) as workers:
        workers.submit(5)
        with pytest.raises(RuntimeError, match=r"(?s)Traceback.*Unpicklable: task 5 holds a lock"):
            workers.result(5)


def test_no_more_than_max_ahead_tasks_are_out_at_a_time() -> None:
    """`MAX_AHEAD` tasks may be out at once (they fit in any pipe, so handing them out never
    waits); one more is refused until a result is taken back."""
    with Workers(square_and_pid, 1) as workers:
        for number in range(MAX_AHEAD):
            workers.submit(number)
        with pytest.raises(ValueError, match=f"more than {MAX_AHEAD} tasks"):
            workers.submit(MAX_AHEAD)
        assert workers.result(0)[0] == 0
        workers.submit(MAX_AHEAD)
        workers.finish()
        assert workers.result(MAX_AHEAD)[0] == MAX_AHEAD * MAX_AHEAD
        assert workers.result(MAX_AHEAD - 1)[0] == (MAX_AHEAD - 1) ** 2


def stop_after_first(pids: list[int]) -> None:
    """Submit twenty slow tasks, note the process of the first, and leave on an error."""
    with Workers(square_and_pid, 2) as workers:
        for number in range(20):
            workers.submit(number)
        pids.append(workers.result(0)[1])
        raise RuntimeError("stop")


def test_leaving_early_kills_and_reaps_the_workers() -> None:
    """Leaving the block on an error, with tasks still running, leaves no worker process."""
    pids: list[int] = []
    with pytest.raises(RuntimeError, match="stop"):
        stop_after_first(pids)
    assert len(pids) == 1
    assert gone(pids[0])


def test_validate_status_names_a_dead_worker_with_exit_code_3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`validate-status --jobs 2` whose worker is killed on its second byte range stops with
    one line naming it and exit code 3, where it used to wait forever."""
    monkeypatch.setattr(parallel, "SPLIT_BYTES", 4096)
    monkeypatch.setattr(parallel, "MIN_RANGE_BYTES", 4096)
    monkeypatch.setattr(parallel, "RANGE_BYTES", 4096)
    monkeypatch.setattr(parallel, "work", dying_work)
    path = tmp_path / "lines.ndjson"
    path.write_bytes(b'{"progress_percentage": 1}\n' * 2000)
    code = validate_main(["--jobs", "2", str(path)])
    err = capsys.readouterr().err
    assert code == ExitCode.INCOMPLETE == 3
    assert re.fullmatch(
        r"validate-status: a --jobs worker \(process \d+\) was killed by SIGKILL "
        r"\(out of memory\?\)\n",
        err,
    )


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (Linux: from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:  # it ended meanwhile
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_an_interrupt_ends_a_jobs_run_and_its_workers(tmp_path: Path) -> None:
    """Ctrl-C (SIGINT to the process group) during `validate-status --jobs 2` ends it with
    "interrupted" and exit code 130, and leaves no worker behind (the workers ignore SIGINT; the
    parent ends them)."""
    line = (Path(__file__).parent / "examples" / "valid" / "completed.json").read_bytes()
    line = b" ".join(line.split()) + b"\n"
    path = tmp_path / "big.ndjson"
    path.write_bytes(line * (48_000_000 // len(line)))
    script = Path(sys.executable).parent / "validate-status"
    process = subprocess.Popen(
        [str(script), "--jobs", "2", str(path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    while len(workers := children(process.pid)) < 2:
        assert process.poll() is None, "the run ended before its workers started"
        time.sleep(0.01)
    os.killpg(process.pid, signal.SIGINT)
    assert process.communicate(timeout=30) == (None, b"validate-status: interrupted\n")
    assert process.returncode == 130
    time.sleep(0.1)
    assert [pid for pid in workers if not gone(pid)] == []


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_a_worker_reuses_the_memory_it_freed() -> None:
    """A worker keeps what it frees for its next task: of eight tasks that each fill and free
    4 MB (1,024 pages), only the first faults its pages in; glibc's default, which unmaps the
    blocks at each free, faults about 1,000 pages at every task."""
    with Workers(faults_of_4_mb, 1) as workers:
        for number in range(8):
            workers.submit(number)
        faults = [workers.result(number) for number in range(8)]
    assert faults[0] > 500
    assert max(faults[1:]) < 100, faults


def test_results_arrive_as_they_were_made() -> None:
    """Plain data (which travels marshalled) and objects that are more than that (pickled) come
    back equal and of the same types."""
    results = take_all(plain_or_not, 6)
    assert results[0] == {"number": [0, -1.5, "é", b"\x00", None, True], "set": {0}}
    assert results[3] == Point(3, Fraction(1, 3))
    assert type(results[3]) is Point
    assert [type(result) for result in results] == [dict, Point] * 3
