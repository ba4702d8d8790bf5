"""`--jobs N` gives byte-identical output, exit code and stderr to `--jobs 1`.

The split thresholds are lowered so that small files are cut into many byte ranges (the parent
plans the ranges, so the workers need not see the lowered values).
"""

from __future__ import annotations

import io
import itertools
import os
import random
from pathlib import Path

import pytest

from batch_contract.cli.main import parse_validate_args, run_validate
from batch_contract.core import rules
from batch_contract.core.reading import chop
from batch_contract.engine import parallel
from batch_contract.engine.parallel import line_ranges
from batch_contract.engine.runner import Checker

VALID = (
    b'{"job":{"id":"bjb-1","job_type":"parse","project_id":"proj-1","status":"running",'
    b'"total_items":10,"processed_items":4,"created_at":"2024-01-01T00:00:00Z",'
    b'"updated_at":"2024-01-01T00:10:00Z","started_at":"2024-01-01T00:05:00Z"},'
    b'"progress_percentage":40}'
)
ODD_LINES = (
    VALID.replace(b'"running"', b'"queued"'),  # schema violation
    VALID.replace(b'"processed_items":4', b'"processed_items":40'),  # rule error
    VALID.replace(b'"progress_percentage":40', b'"progress_percentage":90'),  # rule warning
    VALID[:50],  # truncated
    b"",  # blank
    b"   ",  # blank
    VALID + b"\r",  # CRLF
    VALID.replace(b'{"id":', b'{"id":"x","id":', 1),  # duplicate key
    b'{"job": {"id": "spaced"}, "progress_percentage": 1}',  # not compact
    b"\xef\xbb\xbf" + VALID,  # byte order mark
)


def mixed_lines(count: int, seed: int = 7) -> bytes:
    """`count` NDJSON lines, mostly valid, with every kind of odd line mixed in."""
    rng = random.Random(seed)
    lines = [rng.choice(ODD_LINES) if rng.random() < 0.2 else VALID for _ in range(count)]
    return b"\n".join(lines)  # no final newline


@pytest.fixture(autouse=True)
def small_ranges(monkeypatch: pytest.MonkeyPatch) -> None:
    """Split any NDJSON file over 4 KB into ranges of about 4 KB."""
    monkeypatch.setattr(parallel, "SPLIT_BYTES", 4096)
    monkeypatch.setattr(parallel, "MIN_RANGE_BYTES", 4096)
    monkeypatch.setattr(parallel, "RANGE_BYTES", 4096)


def run(args: list[str]) -> tuple[int, str, str]:
    """Run validate-status in-process: exit code, stdout, stderr."""
    stdout, stderr = io.StringIO(), io.StringIO()
    code = run_validate(parse_validate_args(args), stdin=io.BytesIO(), stdout=stdout, stderr=stderr)
    return code, stdout.getvalue(), stderr.getvalue()


@pytest.mark.parametrize("method", ["fork", "spawn"])
@pytest.mark.parametrize("fmt", ["text", "json", "github"])
def test_ndjson_file_same_output(
    tmp_path: Path, fmt: str, method: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A mixed NDJSON file split across workers reports exactly as one process does, whether
    the workers are forked (starting with the parent's checker) or, where processes do not
    fork, spawned (building their own)."""
    monkeypatch.setattr(parallel, "START_METHODS", (method,))
    path = tmp_path / "mixed.ndjson"
    path.write_bytes(mixed_lines(400))
    one = run(["--format", fmt, str(path)])
    two = run(["--format", fmt, "--jobs", "2", str(path)])
    assert len(list(parallel.plan([str(path)], ndjson=False, jobs=2))) > 10
    assert two == one
    assert one[0] == 1
    assert "400 documents" not in one[1]


def test_warnings_as_errors_and_max_errors_same_output(tmp_path: Path) -> None:
    """Options that change verdicts and output length give the same output with --jobs 3."""
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(mixed_lines(300, seed=3) + b"\n")
    args = ["--warnings-as-errors", "--max-errors", "7", str(path)]
    assert run(["--jobs", "3", *args]) == run(args)


def test_folder_and_missing_path_same_output(tmp_path: Path) -> None:
    """A folder of files (spread one per unit) and a missing path report as one process does."""
    folder = tmp_path / "folder"
    (folder / "sub").mkdir(parents=True)
    rng = random.Random(11)
    for index in range(30):
        body = rng.choice((VALID, *ODD_LINES[:4]))
        (folder / f"doc-{index:02d}.json").write_bytes(body)
    (folder / "sub" / "lines.ndjson").write_bytes(mixed_lines(50))
    (folder / "notes.txt").write_text("ignored")
    args = [str(folder), str(tmp_path / "missing.json"), "--format", "json"]
    one = run(args)
    assert one[0] == 2
    assert "missing.json: cannot read" in one[2]
    assert run(["--jobs", "2", *args]) == one


def test_line_ranges_cover_file_on_line_boundaries(tmp_path: Path) -> None:
    """Byte ranges cover the whole file, in order, each ending just after a newline."""
    path = tmp_path / "lines.ndjson"
    data = mixed_lines(500) + b"\n" + b"x" * 20_000  # a long last line without newline
    path.write_bytes(data)
    ranges = line_ranges(path, 50, minimum=1000)
    assert ranges[0][0] == 0
    assert ranges[-1][1] == len(data)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(ranges))
    assert all(data[end - 1 : end] == b"\n" for _, end in ranges[:-1])


def test_line_ranges_taper_at_the_end_for_workers(tmp_path: Path) -> None:
    """For N workers no range holds more than a 2N-th of what is left after its start (down to
    the floor of `minimum`, plus the rest of a line): the last ranges are small, so the workers
    finish together; the ranges still cover the file on line boundaries."""
    path = tmp_path / "lines.ndjson"
    data = mixed_lines(3000) + b"\n"
    path.write_bytes(data)
    size, longest = len(data), max(map(len, data.split(b"\n"))) + 1
    step = max(1000, -(-size // 20))
    equal = line_ranges(path, 20, minimum=1000)
    tapered = line_ranges(path, 20, minimum=1000, workers=2)
    assert tapered[0][0] == 0
    assert tapered[-1][1] == size
    assert all(a[1] == b[0] for a, b in itertools.pairwise(tapered))
    assert all(data[end - 1 : end] == b"\n" for _, end in tapered)
    for start, end in tapered:
        assert end - start <= max(1000, min(step, (size - start) // 4)) + longest
    assert max(end - start for start, end in equal[:-1]) >= step
    assert max(end - start for start, end in tapered[-4:]) <= 1000 + longest
    assert len(tapered) > len(equal)


def test_ranges_are_numbered_as_one_file(tmp_path: Path) -> None:
    """Counting the newlines before each range and numbering its lines from there gives every
    line the number it has in the whole file, blank and over-long lines included."""
    path = tmp_path / "lines.ndjson"
    data = mixed_lines(500) + b"\n\n" + b"x" * 20_000
    path.write_bytes(data)
    numbered: dict[int, bytes] = {}
    before = 0
    for start, end in line_ranges(path, 30, minimum=1000):
        for item in parallel.range_items(path, "f", start, end, before + 1):
            if isinstance(item, parallel.LineBlock):
                numbered.update(enumerate(map(chop, item.lines), item.first))
            else:
                numbered[int(item.where or 0)] = item.raw
        before += parallel.count_lines(path, start, end)
    assert numbered == dict(enumerate(data.split(b"\n"), 1))
    assert before == data.count(b"\n")


def test_the_parent_teaches_the_lane_the_key_order_before_forking(tmp_path: Path) -> None:
    """`_teach` checks the start of a file's first range, so that the lane the workers inherit
    already passes a line in the file's key order, which a new lane sends the full way."""
    path = tmp_path / "lines.ndjson"
    path.write_bytes((VALID + b"\n") * 2000)
    checker = Checker("documented", "status", rules.load_levels())
    assert not checker.prepare_lines().clean(VALID + b"\n")
    parallel._teach(checker, list(parallel.plan([str(path)], ndjson=False, jobs=2)))
    assert checker.prepare_lines().clean(VALID + b"\n")


def test_no_more_workers_than_units(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`--jobs 64` over a folder of three files, on a machine of 64 processors, starts three
    workers, not 64, and reports as one process does."""
    folder = tmp_path / "three"
    folder.mkdir()
    for index, body in enumerate((VALID, ODD_LINES[0], VALID)):
        (folder / f"doc-{index}.json").write_bytes(body)
    started: list[int] = []
    real = parallel.worker_count

    def counting(jobs: int, units: int) -> int:
        """`worker_count`, noting its answer."""
        started.append(real(jobs, units))
        return started[-1]

    monkeypatch.setattr(parallel, "worker_count", counting)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(64)), raising=False)
    assert run(["--jobs", "64", str(folder)]) == run([str(folder)])
    assert started == [3]


def test_runs_follow_one_another_in_one_process(tmp_path: Path) -> None:
    """A `--jobs` run leaves nothing behind that changes the next: three runs in a row, each
    with workers, report as one process does."""
    path = tmp_path / "mixed.ndjson"
    path.write_bytes(mixed_lines(300, seed=5))
    one = run([str(path)])
    assert [run(["--jobs", "2", str(path)]) for _ in range(3)] == [one] * 3
