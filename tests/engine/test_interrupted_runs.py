"""Interrupted runs stay honest: SIGTERM ends `validate-status --jobs 2` as Ctrl-C does (exit
143, no worker left behind, whether it reaches the parent alone or the whole process group), and
`--format json` prints one complete JSON document that records the interruption, whether a
signal or a dying worker stopped the run."""

from __future__ import annotations

import io
import json
import os
import re
import select
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
LINE = (Path(__file__).parents[1] / "examples" / "valid" / "completed.json").read_bytes()
LINE = b" ".join(LINE.split()) + b"\n"
INVALID = Path(__file__).parents[1] / "examples" / "invalid" / "count-total_items-boolean.json"
"""An invalid body: `total_items` is `true`."""

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An NDJSON file of about 48 MB: a --jobs 2 run of it lasts long enough to be stopped."""
    path = tmp_path_factory.mktemp("big") / "big.ndjson"
    path.write_bytes(LINE * (48_000_000 // len(LINE)))
    return path


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (Linux: from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def gone(pid: int) -> bool:
    """Whether process `pid` has ended (gone, or a zombie nobody reaped yet)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] == "Z"


def started(big: Path, *args: str) -> tuple[subprocess.Popen[bytes], list[int]]:
    """`validate-status --jobs 2 <big> ARGS` in its own session, once its 2 workers run."""
    script = Path(sys.executable).parent / "validate-status"
    process = subprocess.Popen(
        [str(script), "--jobs", "2", str(big), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while len(workers := children(process.pid)) < 2:
        assert process.poll() is None, "the run ended before its workers started"
        assert time.monotonic() < deadline, "no workers after 60 s"
        time.sleep(0.01)
    return process, workers


def wait_gone(pids: list[int]) -> list[int]:
    """The pids still running after up to 10 s."""
    deadline = time.monotonic() + 10
    while (left := [pid for pid in pids if not gone(pid)]) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


@pytest.fixture
def reap() -> Iterator[list[int]]:
    """Pids a test started; any still running at the end is killed (a failed test leaves none)."""
    pids: list[int] = []
    yield pids
    for pid in pids:
        if not gone(pid):
            os.kill(pid, signal.SIGKILL)


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_sigterm_to_the_parent_ends_the_run_and_its_workers(
    big: Path, reap: list[int], fmt: str
) -> None:
    """SIGTERM to the parent alone (`kill PID`): one line, exit 143, no worker left (they used
    to stay behind, orphaned and blocked on a pipe); the JSON report parses and says why."""
    process, workers = started(big, "--format", fmt)
    reap.extend([process.pid, *workers])
    os.kill(process.pid, signal.SIGTERM)
    out, err = process.communicate(timeout=60)
    assert (process.returncode, err) == (ExitCode.TERMINATED, b"validate-status: terminated\n")
    assert ExitCode.TERMINATED == 143
    assert wait_gone(workers) == []
    if fmt == "json":
        report = json.loads(out)
        assert report["interrupted"] == "terminated (SIGTERM)"
        assert report["summary"]["documents"] == len(report["results"])


def test_sigterm_to_the_process_group_leaves_no_worker(big: Path, reap: list[int]) -> None:
    """SIGTERM to the whole group (as a service manager sends it): workers and parent end, the
    JSON report parses, and the exit code is 143 or 3 (a worker died first), both documented."""
    process, workers = started(big, "--format", "json")
    reap.extend([process.pid, *workers])
    os.killpg(process.pid, signal.SIGTERM)
    out, err = process.communicate(timeout=60)
    assert process.returncode in (ExitCode.TERMINATED, ExitCode.INCOMPLETE), err
    assert len(err.splitlines()) == 1, err
    assert wait_gone(workers) == []
    assert "interrupted" in json.loads(out)


def test_sigint_json_report_is_complete(big: Path, reap: list[int]) -> None:
    """Ctrl-C (SIGINT to the group) with `--format json`: exit 130 and one complete document
    that records the interrupt (it used to end in the middle of the results list)."""
    process, workers = started(big, "--format", "json")
    reap.extend([process.pid, *workers])
    os.killpg(process.pid, signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert (process.returncode, err) == (ExitCode.INTERRUPTED, b"validate-status: interrupted\n")
    assert json.loads(out)["interrupted"] == "interrupted (SIGINT)"
    assert wait_gone(workers) == []


def dying_work(unit: parallel.Unit) -> object:
    """`parallel.work`, but the process dies on a range that does not start its file."""
    if unit.start > 0:
        os.kill(os.getpid(), signal.SIGKILL)
    return WORK(unit)


def test_a_dead_worker_leaves_a_complete_json_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A worker killed mid-run with `--format json`: exit 3, one line on stderr, and stdout is
    one JSON document whose `interrupted` names the dead worker."""
    monkeypatch.setattr(parallel, "SPLIT_BYTES", 4096)
    monkeypatch.setattr(parallel, "MIN_RANGE_BYTES", 4096)
    monkeypatch.setattr(parallel, "RANGE_BYTES", 4096)
    monkeypatch.setattr(parallel, "work", dying_work)
    path = tmp_path / "lines.ndjson"
    path.write_bytes(b'{"progress_percentage": 1}\n' * 2000)
    stdout = io.StringIO()
    monkeypatch.setattr(sys, "stdout", stdout)
    code = validate_main(["--jobs", "2", "--format", "json", str(path)])
    err = capsys.readouterr().err
    assert code == ExitCode.INCOMPLETE
    assert len(err.splitlines()) == 1
    report = json.loads(stdout.getvalue())
    assert report["interrupted"].startswith("a --jobs worker ended before its work was done")


SENDING = """
import sys
from batch_contract.engine import parallel
from batch_contract.cli.main import validate_script

WORK = parallel.work


def sending(unit):
    counts, lines, spanned, error = WORK(unit)
    return counts, [*lines, "x" * (16 << 20)], spanned, error


parallel.work = sending
sys.argv = ["validate-status", "--jobs", "2", *sys.argv[1:]]
validate_script()
"""
"""A `validate-status` whose workers spend most of their time sending a 16 MB verdict back."""


def test_sigterm_to_the_group_never_hangs_on_a_worker_sending_its_verdicts(
    tmp_path: Path, reap: list[int]
) -> None:
    """SIGTERM to the whole group while workers send large verdicts: the run ends, exit 143,
    every time. A worker that SIGTERM killed halfway through a message used to leave the parent
    waiting forever for the rest of it (zombie workers, SIGTERM ignored, nothing written)."""
    folder = tmp_path / "files"
    folder.mkdir()
    for number in range(400):
        (folder / f"{number:03}.json").write_bytes(LINE)
    for attempt in range(6):
        process = subprocess.Popen(
            [sys.executable, "-c", SENDING, str(folder)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        reap.append(process.pid)
        deadline = time.monotonic() + 30
        while len(workers := children(process.pid)) < 2:
            assert process.poll() is None, "the run ended before its workers started"
            assert time.monotonic() < deadline, "no workers after 30 s"
            time.sleep(0.01)
        reap.extend(workers)
        time.sleep(0.2 + 0.1 * attempt)
        os.killpg(process.pid, signal.SIGTERM)
        try:
            _, err = process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            pytest.fail(f"attempt {attempt + 1}: still running 10 s after SIGTERM to the group")
        assert (process.returncode, err) == (ExitCode.TERMINATED, b"validate-status: terminated\n")
        assert wait_gone(workers) == []


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An NDJSON file of about 24 MB: a valid body, then an invalid one (`total_items: true`),
    over and over; line 2N is the Nth invalid one."""
    invalid = b" ".join(INVALID.read_bytes().split()) + b"\n"
    path = tmp_path_factory.mktemp("mixed") / "mixed.ndjson"
    path.write_bytes((LINE + invalid) * (24_000_000 // (len(LINE) + len(invalid))))
    return path


def behind_a_slow_reader(
    path: Path, jobs: int, fmt: str, signum: int, reap: list[int]
) -> tuple[int, bytes, bytes]:
    """Run `validate-status --jobs JOBS --format FMT PATH` whose reader stops reading once the
    output has begun, so that the run waits on a full pipe; send `signum` to the parent alone,
    then read everything: (exit code, stdout, stderr)."""
    script = Path(sys.executable).parent / "validate-status"
    process = subprocess.Popen(
        [str(script), "--jobs", str(jobs), "--format", fmt, str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    reap.append(process.pid)
    assert process.stdout is not None
    assert select.select([process.stdout], [], [], 60)[0], "no output after 60 s"
    time.sleep(0.5)  # the pipe is full: the run waits in a write
    os.kill(process.pid, signum)
    time.sleep(0.3)
    out, err = process.communicate(timeout=60)
    return process.returncode, out, err


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize(
    ("signum", "code", "reason"),
    [
        pytest.param(signal.SIGTERM, ExitCode.TERMINATED, "terminated (SIGTERM)", id="SIGTERM"),
        pytest.param(signal.SIGINT, ExitCode.INTERRUPTED, "interrupted (SIGINT)", id="SIGINT"),
    ],
)
def test_an_interrupted_json_report_counts_what_it_lists(
    mixed: Path, reap: list[int], jobs: int, signum: int, code: int, reason: str
) -> None:
    """A run stopped while its reader is slow: the JSON report lists every document its summary
    counts, in order from line 1 without a gap (the summary used to count thousands more
    documents than the list held)."""
    returncode, out, err = behind_a_slow_reader(mixed, jobs, "json", signum, reap)
    assert returncode == code, err
    report = json.loads(out)
    results = report["results"]
    assert results, "the run was stopped before any document was listed"
    assert [entry["where"] for entry in results] == [str(n) for n in range(1, len(results) + 1)]
    valid = sum(entry["valid"] is True for entry in results)
    warnings = sum(
        violation["severity"] == "warning" for entry in results for violation in entry["violations"]
    )
    assert report["summary"] == {
        "documents": len(results),
        "valid": valid,
        "invalid": len(results) - valid,
        "warnings": warnings,
        "unreadable": [],
    }
    assert report["interrupted"] == reason


@pytest.mark.parametrize(
    ("fmt", "form"),
    [
        pytest.param(
            "text",
            "{path}:{line}::$.job.total_items: expected integer, found boolean true",
            id="text",
        ),
        pytest.param(
            "github",
            "::error file={path},line={line},title=batch-contract::$.job.total_items: "
            "expected integer, found boolean true",
            id="github",
        ),
    ],
)
def test_an_interrupted_text_run_ends_at_a_whole_line(
    mixed: Path, reap: list[int], fmt: str, form: str
) -> None:
    """SIGTERM while the reader is slow: text and github output hold whole lines only, every
    invalid document's from the first without a gap, and end with a newline, without a summary
    line; stderr says why (it used to stop in the middle of a line)."""
    returncode, out, err = behind_a_slow_reader(mixed, 2, fmt, signal.SIGTERM, reap)
    assert (returncode, err) == (ExitCode.TERMINATED, b"validate-status: terminated\n")
    assert out.endswith(b"\n")
    lines = out.decode().splitlines()
    assert lines, "the run was stopped before any line was written"
    pattern = re.escape(form).replace(re.escape("{path}"), re.escape(str(mixed)))
    pattern = pattern.replace(re.escape("{line}"), r"(\d+)")
    numbers = []
    for line in lines:
        match = re.fullmatch(pattern, line)
        assert match is not None, line
        numbers.append(int(match.group(1)))
    assert numbers == list(range(2, 2 * len(lines) + 1, 2))


def test_a_worker_whose_parent_was_killed_still_ends_on_sigterm(big: Path, reap: list[int]) -> None:
    """The workers leave SIGTERM to their parent while it lives; once it has been killed outright
    (SIGKILL), a SIGTERM still ends them, so none is left behind for good."""
    process, workers = started(big)
    reap.extend([process.pid, *workers])
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    for stream in (process.stdout, process.stderr):  # the workers still hold the other ends
        assert stream is not None
        stream.close()
    deadline = time.monotonic() + 10
    while any(not gone(pid) and children(process.pid) for pid in workers):  # not yet re-parented
        assert time.monotonic() < deadline, "the workers still belong to the killed parent"
        time.sleep(0.01)
    for pid in workers:
        if not gone(pid):
            os.kill(pid, signal.SIGTERM)
    assert wait_gone(workers) == []


ORPHAN_START = """
import os, sys, time
from batch_contract.engine import parallel
from batch_contract.engine.runner import Rendering

read, write = os.pipe()
parent = os.getpid()
if os.fork():  # the parent: gone before its worker starts up
    os._exit(0)
os.close(write)
while os.read(read, 1):  # the worker: wait until the parent has ended (EOF)
    pass
while os.getppid() == parent:
    time.sleep(0.001)
parallel._start(parent, None, ("documented", "status", {}), Rendering(lambda result: []))
print(os.getpid(), flush=True)
time.sleep(60)
"""


def test_a_worker_that_starts_up_after_its_parent_was_killed_still_ends_on_sigterm(
    reap: list[int],
) -> None:
    """A worker whose start-up runs only once its parent is gone (killed before the pool's
    initializer ran) still ends on SIGTERM: it knows its parent from the pool, not from
    `getppid()` at start-up, which by then names whoever adopted it (it used to stay behind)."""
    with subprocess.Popen([sys.executable, "-c", ORPHAN_START], stdout=subprocess.PIPE) as process:
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], 60)
        assert ready, "the worker never started up"
        worker = int(process.stdout.readline())  # the worker keeps the pipe open: one line only
        reap.append(worker)
        process.stdout.close()
    os.kill(worker, signal.SIGTERM)
    assert wait_gone([worker]) == []
