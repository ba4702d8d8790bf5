"""The workers of `--jobs` (a `concurrent.futures.ProcessPoolExecutor`): a dead worker ends the
run with one line and exit code 3 instead of a hang, a bug in a worker is raised in the parent,
and neither an interrupt nor a run left early leaves a worker behind."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from batch_contract.cli.main import validate_main
from batch_contract.engine import parallel
from batch_contract.exitcodes import ExitCode

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
    assert err == (
        "validate-status: a --jobs worker ended before its work was done (killed, out of memory?)\n"
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
    line = (Path(__file__).parents[1] / "examples" / "valid" / "completed.json").read_bytes()
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


def failing_work(unit: parallel.Unit) -> object:
    """`parallel.work`, but a bug on a range that does not start its file."""
    if unit.start > 0:
        raise KeyError(f"range at {unit.start}")
    return WORK(unit)


def test_a_bug_in_a_worker_is_raised_in_the_parent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An exception raised in a worker is raised again, type and message, in the parent."""
    monkeypatch.setattr(parallel, "SPLIT_BYTES", 4096)
    monkeypatch.setattr(parallel, "MIN_RANGE_BYTES", 4096)
    monkeypatch.setattr(parallel, "RANGE_BYTES", 4096)
    monkeypatch.setattr(parallel, "work", failing_work)
    path = tmp_path / "lines.ndjson"
    path.write_bytes(b'{"progress_percentage": 1}\n' * 2000)
    with pytest.raises(KeyError, match="range at"):
        validate_main(["--jobs", "2", str(path)])


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_a_run_left_early_leaves_no_worker(tmp_path: Path) -> None:
    """A caller that stops reading the verdicts of a `--jobs` run after the first and closes
    them leaves no worker process behind."""
    from batch_contract.cli.report import text_lines
    from batch_contract.core import rules
    from batch_contract.engine.parallel import Rendering
    from batch_contract.engine.runner import Checker

    path = tmp_path / "lines.ndjson"
    path.write_bytes(b'{"progress_percentage": 1}\n' * 400_000)
    levels = rules.load_levels()
    run = parallel.check_run(
        Checker("documented", "status", levels),
        [str(path)],
        stdin=io.BytesIO(),
        ndjson=False,
        errors=[],
        rendering=Rendering(text_lines),
        settings=("documented", "status", levels),
        jobs=2,
    )
    before = set(children(os.getpid()))
    next(run)
    workers = set(children(os.getpid())) - before
    assert len(workers) == 2
    run.close()
    assert set(children(os.getpid())) & workers == set()
    assert [pid for pid in workers if not gone(pid)] == []
