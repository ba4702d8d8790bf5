"""`python benchmarks/run.py --against REV`: this checkout and an earlier commit, side by side.

Each side is built the same way into a virtual environment of its own under a temporary folder:
REV from `git archive`, this checkout as it is on disk, each installed with `pip install` (no
editable install, bytecode compiled). The logs are generated into that folder (`producer.py`)
and deleted with it. Every row is then timed as a whole `validate-status` process (its CPU time,
user plus system: the wall time of a shared machine also counts other processes' turns), after one
untimed warm-up round, round after round, the two sides interleaved (and taking turns going
first), with orjson's parse of each log timed in the same rounds; the table gives medians and the
change.

Rows: the realistic producer log (its rate as a share of orjson's parse rate on the same file),
the same with `--profile strict`, the hostile log, the realistic log's valid lines alone and its
broken lines alone, one valid file, one invalid file, and one file with a rule warning
(docs/example-response.json). From the two "alone" rows comes the cost of a broken line in valid
lines, each row's start-up taken off first: the time of a run over ten broken lines, which loads
and builds everything an NDJSON run does (the schema engine, the parsers, the fast lane, the
lister), so that what is left is the cost per line. (A one-valid-file run loads none of it: taken
as the start-up, it would charge those fixed costs to the lines, 1.5 us a line of the 20,000
broken ones and next to nothing of the 180,000 valid ones.)
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import producer

ROOT = Path(__file__).resolve().parents[1]
CEILING = """
import sys, orjson
loads, error = orjson.loads, orjson.JSONDecodeError
with open(sys.argv[1], "rb") as f:
    for line in f:
        try:
            loads(line)
        except error:
            pass
"""
HEAVY = (
    "orjson",
    "msgspec",
    "jsonschema_rs",
    "jsonschema",
    "concurrent.futures",
    "batch_contract.engine.parallel",
    "batch_contract.cli.progress",
)
"""Modules a one-file run of a clean file does not need."""


@dataclass
class Side:
    """One build: its name and its virtual environment's executables."""

    name: str
    venv: Path

    @property
    def python(self) -> str:
        return str(self.venv / "bin" / "python")

    @property
    def validate(self) -> str:
        return str(self.venv / "bin" / "validate-status")


@dataclass
class Row:
    """One input, with its wall times per side over the rounds."""

    label: str
    args: list[str]
    lines: int = 0
    share: bool = False
    """Reported as a share of orjson's parse rate on `ceiling_file` (else as seconds)."""
    ceiling_file: str = ""
    times: dict[str, list[float]] = field(default_factory=dict)


def _run(argv: Sequence[str]) -> float:
    """The CPU time (user + system) of one process running `argv`: on a shared machine, the
    wall time also counts the time other processes held the cores, which varies from run to run
    and falls on whichever side happened to run then; the CPU time is the work the process did."""
    child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(child.pid, 0)
    child.returncode = 0  # reaped here: keep Popen from waiting for it again
    return usage.ru_utime + usage.ru_stime


def build(name: str, rev: str | None, work: Path) -> Side:
    """A virtual environment with `rev` (None: this checkout) installed by pip."""
    source = work / f"src-{name}"
    if rev is None:
        source = ROOT
    else:
        source.mkdir()
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", rev], check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(source)], input=archive, check=True)
    venv = work / f"venv-{name}"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    # a non-editable install of its own copy: the same method for both sides
    copy = work / f"copy-{name}"
    shutil.copytree(source, copy, ignore=shutil.ignore_patterns(".venv", "mutants", ".git"))
    subprocess.run([*pip, str(copy)], check=True)
    subprocess.run([str(venv / "bin" / "python"), "-m", "compileall", "-q", str(venv)], check=False)
    return Side(name, venv)


def corpora(work: Path, documents: int) -> tuple[dict[str, Path], dict[str, int]]:
    """The generated logs, and the line counts of the valid and the broken lines alone."""

    def write(name: str, lines: Sequence[bytes]) -> Path:
        path = work / name
        path.write_bytes(b"".join(line + b"\n" for line in lines))
        return path

    valid, broken = producer.realistic_parts(documents)
    files = {
        "realistic": write("realistic.ndjson", list(producer.realistic_lines(documents))),
        "hostile": write("hostile.ndjson", list(producer.hostile_lines(documents))),
        "valid": write("valid.ndjson", valid),
        "broken": write("broken.ndjson", broken),
        "start": write("start.ndjson", broken[:10]),
    }
    return files, {"valid": len(valid), "broken": len(broken)}


def rows(files: dict[str, Path], counts: dict[str, int]) -> list[Row]:
    """Every row of the table."""
    realistic, hostile = str(files["realistic"]), str(files["hostile"])
    examples = ROOT / "tests" / "examples"
    return [
        Row("realistic log: share of orjson's rate", [realistic], share=True,
            ceiling_file=realistic),
        Row("realistic log --profile strict: share", [realistic, "--profile", "strict"],
            share=True, ceiling_file=realistic),
        Row("hostile log: share of orjson's rate", [hostile], share=True, ceiling_file=hostile),
        Row("valid lines alone (s)", [str(files["valid"])], counts["valid"]),
        Row("broken lines alone (s)", [str(files["broken"])], counts["broken"]),
        Row("ten broken lines: NDJSON start-up (s)", [str(files["start"])], 10),
        Row("one valid file (s)", [str(examples / "valid" / "completed.json")]),
        Row("one invalid file (s)", [str(examples / "invalid" / "enum-status-unknown.json")]),
        Row("file with a rule warning (s)", [str(ROOT / "docs" / "example-response.json")]),
    ]  # fmt: skip


def measure(sides: list[Side], table: list[Row], rounds: int) -> dict[str, list[float]]:
    """Time every row on every side, interleaved; returns the ceilings' times too."""
    ceilings: dict[str, list[float]] = {}
    for row in table:  # one untimed round first: files read once, bytecode and caches warm
        for side in sides:
            _run([side.validate, *row.args])
    for index in range(rounds):
        for row in table:
            if row.share:
                ceilings.setdefault(row.ceiling_file, []).append(
                    _run([sides[-1].python, "-c", CEILING, row.ceiling_file])
                )
            order = sides if index % 2 == 0 else sides[::-1]
            for side in order:
                row.times.setdefault(side.name, []).append(_run([side.validate, *row.args]))
        print(f"round {index + 1} of {rounds} done", file=sys.stderr)
    return ceilings


def report(sides: list[Side], table: list[Row], ceilings: dict[str, list[float]]) -> list[str]:
    """The table as Markdown lines, with the derived figures and the targets."""
    first, second = sides[0].name, sides[1].name
    out = [f"| input | {first} | {second} | change |", "|---|---:|---:|---:|"]
    value: dict[tuple[str, str], float] = {}
    for row in table:
        for side in sides:
            median = statistics.median(row.times[side.name])
            if row.share:
                median = statistics.median(ceilings[row.ceiling_file]) / median
            value[(row.label, side.name)] = median
        a, b = value[(row.label, first)], value[(row.label, second)]
        change = (b / a - 1) * 100
        unit = "" if row.share else " time"
        out.append(f"| {row.label} | {a:.3f} | {b:.3f} | {change:+.0f}%{unit} |")
    start_row = next(row for row in table if row.label.startswith("ten broken lines"))
    start = {side.name: value[(start_row.label, side.name)] for side in sides}
    valid_row = next(row for row in table if row.label.startswith("valid lines"))
    broken_row = next(row for row in table if row.label.startswith("broken lines"))
    costs = []
    for side in sides:
        per_valid = (value[(valid_row.label, side.name)] - start[side.name]) / valid_row.lines
        per_broken = (value[(broken_row.label, side.name)] - start[side.name]) / broken_row.lines
        costs.append(per_broken / per_valid)
    out.append(
        f"| a broken line, in valid lines | {costs[0]:.1f} | {costs[1]:.1f} | "
        f"{(costs[1] / costs[0] - 1) * 100:+.0f}% |"
    )
    out.append("")
    out.append("Targets (this checkout against the earlier commit):")
    for row in table:
        a, b = value[(row.label, first)], value[(row.label, second)]
        ok = b >= a * 0.97 if row.share else b <= a * 1.03
        if row.label.startswith("one valid file"):
            ok = b <= a * 1.10
        out.append(f"- {row.label}: {'met' if ok else 'NOT met'}")
    strict = value[("realistic log --profile strict: share", second)]
    out.append(f"- strict profile at 0.35 or more of the parse rate: "
               f"{'met' if strict >= 0.35 else 'NOT met'} ({strict:.3f})")  # fmt: skip
    out.append(f"- a broken line at most 3 valid ones: {'met' if costs[1] <= 3 else 'NOT met'} "
               f"({costs[1]:.1f})")  # fmt: skip
    return out


def imports(side: Side, path: Path) -> str:
    """Which of `HEAVY` a one-file run of `side` imports (`python -X importtime`)."""
    done = subprocess.run(
        [side.python, "-X", "importtime", side.validate, str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    names = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()}
    return ", ".join(name for name in HEAVY if name in names) or "none of them"


def main(rev: str, documents: int, rounds: int) -> int:
    """Build both sides, generate the logs, time every row, print the table."""
    with tempfile.TemporaryDirectory(prefix="batch-contract-against-") as folder:
        work = Path(folder)
        print(f"building {rev} and this checkout into {work} ...", file=sys.stderr)
        sides = [build(rev, rev, work), build("this", None, work)]
        table = rows(*corpora(work, documents))
        os.environ.pop("PYTHONPATH", None)
        ceilings = measure(sides, table, rounds)
        lines = report(sides, table, ceilings)
        print("\n".join(lines))
        print()
        valid = ROOT / "tests" / "examples" / "valid" / "completed.json"
        for side in sides:
            print(f"one valid file, {side.name} imports of {', '.join(HEAVY)}: "
                  f"{imports(side, valid)}")  # fmt: skip
    return 0
