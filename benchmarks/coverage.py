"""The speed and memory of `batch-contract coverage`, side by side with `validate-status`.

    python benchmarks/coverage.py              # 200,000 NDJSON lines, 7 rounds
    python benchmarks/coverage.py --quick      # 20,000 lines, 3 rounds

Each command runs as a whole process, round after round (interleaved, so a busy machine slows
all alike); the table gives the median wall time and peak RSS (`os.wait4`) of each, and the
ratios: coverage against validate-status on the same NDJSON file, and the peak memory of coverage
on a file ten times larger (flat memory: about 1.0). The NDJSON is every body of every job of the
reference server at every step, compact, repeated.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

from batch_contract.server.jobs import build_jobs

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _ndjson(path: Path, lines: int) -> Path:
    """An NDJSON file of `lines` reference-server bodies."""
    bodies = [
        orjson.dumps(job.body(step)) + b"\n"
        for job in build_jobs(0).values()
        for step in range(len(job.steps))
    ]
    with path.open("wb") as handle:
        for index in range(lines):
            handle.write(bodies[index % len(bodies)])
    return path


def _run(argv: list[str]) -> tuple[float, int]:
    """Wall seconds and peak RSS in KiB of one run of `argv`."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} failed")
    return wall, usage.ru_maxrss


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20,000 lines, 3 rounds")
    args = parser.parse_args(argv)
    lines, rounds = (20_000, 3) if args.quick else (200_000, 7)
    with tempfile.TemporaryDirectory() as folder:
        small = _ndjson(Path(folder) / "small.ndjson", lines)
        large = _ndjson(Path(folder) / "large.ndjson", lines * 10)
        contenders = {
            "coverage cassettes/": [
                str(BIN / "batch-contract"),
                "coverage",
                str(ROOT / "cassettes"),
            ],
            "validate-status cassettes/": [str(BIN / "validate-status"), str(ROOT / "cassettes")],
            f"coverage {lines:,} lines": [str(BIN / "batch-contract"), "coverage", str(small)],
            f"validate-status {lines:,} lines": [str(BIN / "validate-status"), str(small)],
            f"coverage {lines * 10:,} lines": [str(BIN / "batch-contract"), "coverage", str(large)],
        }
        results: dict[str, list[tuple[float, int]]] = {name: [] for name in contenders}
        for _ in range(rounds):
            for name, command in contenders.items():
                results[name].append(_run(command))
    print(f"| run | median wall (s) | peak RSS (MiB) |  ({rounds} rounds)")
    print("| --- | ---: | ---: |")
    medians = {}
    for name, runs in results.items():
        wall = statistics.median(run[0] for run in runs)
        rss = max(run[1] for run in runs) / 1024
        medians[name] = (wall, rss)
        print(f"| {name} | {wall:.3f} | {rss:.1f} |")
    names = list(medians)
    speed = medians[names[2]][0] / medians[names[3]][0]
    memory = medians[names[4]][1] / medians[names[2]][1]
    print()
    print(f"coverage / validate-status, {lines:,} lines: {speed:.2f}")
    print(f"coverage peak RSS, 10x lines / 1x: {memory:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
