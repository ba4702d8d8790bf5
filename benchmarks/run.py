"""The speed benchmark of `validate-status`: one command, interleaved repetitions, medians, ratios.

    python benchmarks/run.py            # the full run (200,000 documents, 2,000 files, 1 GB file)
    python benchmarks/run.py --quick    # a smaller run (20,000 documents, 200 files, 100 MB)
    python benchmarks/run.py --against [REV]  # this checkout and REV (default 772f9f1) side by side

It generates the seeded corpus (benchmarks/corpus.py) if missing, then runs every contender as a
whole process, round after round (so the load of a busy machine falls on all of them alike), and
prints the median of each with the ratios the project targets. Peak memory comes from `os.wait4`
of each process. Nothing is fetched: check-jsonschema gets the bundled schema file.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus

BIN = Path(sys.executable).parent
PYTHON = sys.executable
TIME = "/usr/bin/time" if Path("/usr/bin/time").exists() else None
CEILING = """
import sys, orjson
loads, error, n = orjson.loads, orjson.JSONDecodeError, 0
with open(sys.argv[1], "rb") as f:
    pending = b""
    while block := f.read(1 << 20):
        lines = (pending + block).split(b"\\n")
        pending = lines.pop()
        for line in lines:
            n += 1
            try:
                loads(line)
            except error:
                pass
print(n)
"""
JSONSCHEMA = """
import sys
from batch_contract.core.jsondoc import parse_document
from batch_contract.core.validation import validator
from batch_contract.errors import DocumentError
check, n = validator().reference_violations, 0
with open(sys.argv[1], "rb") as f:
    for line in f:
        n += 1
        if n > int(sys.argv[2]):
            break
        try:
            check(parse_document(line))
        except DocumentError:
            pass
"""
CHECK_JSONSCHEMA_LIGHT = """
import sys
sys.modules["rfc3987_syntax"] = None  # jsonschema skips the iri formats; date-time is still checked
from check_jsonschema import main
sys.argv[0] = "check-jsonschema"
sys.exit(main())
"""
"""check-jsonschema without rfc3987-syntax, which `jsonschema[format-nongpl]` installs (the extra
that gives jsonschema its date-time check) and which takes about 2 s to import on this machine."""


@dataclass
class Timing:
    """Wall times and peak RSS of one contender over the rounds."""

    label: str
    argv: list[str]
    documents: int
    wall: list[float] = field(default_factory=list)
    rss_kb: list[int] = field(default_factory=list)

    def run(self) -> None:
        """Run the command once, recording wall time and peak RSS (of a process started by a
        small `/usr/bin/time`, when there is one, so the peak is not this big process's own)."""
        argv = [TIME, "-f", "%M", *self.argv] if TIME else self.argv
        start = time.perf_counter()
        process = subprocess.Popen(
            argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=tempfile.gettempdir()
        )
        assert process.stderr is not None
        stderr = process.stderr.read()
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        self.wall.append(time.perf_counter() - start)
        lines = stderr.decode(errors="replace").strip().splitlines()
        self.rss_kb.append(int(lines[-1]) if TIME and lines else usage.ru_maxrss)
        if process.returncode not in (0, 1):
            raise SystemExit(f"{self.label}: exit {process.returncode}: {stderr.decode()[:500]}")

    @property
    def median(self) -> float:
        """Median wall time in seconds."""
        return statistics.median(self.wall)

    @property
    def rate(self) -> float:
        """Documents per second at the median."""
        return self.documents / self.median


def _vs(*args: str) -> list[str]:
    return [str(BIN / "validate-status"), *args]


def _big_file(source: Path, target: Path, size: int) -> Path:
    """An NDJSON file of about `size` bytes made by repeating `source`."""
    data = source.read_bytes()
    with target.open("wb") as out:
        written = 0
        while written < size:
            out.write(data)
            written += len(data)
    return target


def _compile_package() -> None:
    """Write the bytecode of batch_contract, as pip does when it installs a wheel: an editable
    install under PYTHONDONTWRITEBYTECODE would otherwise compile every module at every start,
    while check-jsonschema, installed from a wheel, starts from bytecode."""
    import batch_contract

    package = Path(batch_contract.__file__).parent
    subprocess.run([PYTHON, "-m", "compileall", "-q", str(package)], check=True)


def _instructions(argv: list[str]) -> int:
    """Instructions one run of `argv` executes, counted by valgrind's callgrind: the same count
    for the same program and input whatever else the machine is doing."""
    process = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *argv],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=tempfile.gettempdir(),
        check=False,
    )
    for line in process.stderr.decode(errors="replace").splitlines():
        if "Collected :" in line:
            return int(line.rsplit(":", 1)[1])
    raise SystemExit(f"valgrind counted nothing for {argv[:2]}: {process.stderr.decode()[-300:]}")


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description="validate-status speed benchmark")
    parser.add_argument("--quick", action="store_true", help="a smaller corpus and fewer rounds")
    parser.add_argument("--rounds", type=int, help="interleaved rounds (default 5, quick 3)")
    parser.add_argument("--no-memory", action="store_true", help="skip the large-file RSS check")
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="also count the instructions of the bulk ceiling and validate-status (valgrind)",
    )
    parser.add_argument(
        "--against",
        nargs="?",
        const="772f9f1",
        metavar="REV",
        help="build REV (default 772f9f1) and this checkout into venvs of their own and time both"
        " side by side on generated producer logs (benchmarks/against.py)",
    )
    args = parser.parse_args(argv)
    if args.against:
        import against

        documents = 20_000 if args.quick else 200_000
        return against.main(args.against, documents, args.rounds or (3 if args.quick else 5))
    if args.instructions and shutil.which("valgrind") is None:
        parser.error("--instructions needs valgrind on PATH")
    documents, files = (20_000, 200) if args.quick else (corpus.DOCUMENTS, corpus.FILES)
    big = (100 if args.quick else 1000) * 1_000_000
    rounds = args.rounds or (3 if args.quick else 5)
    root = corpus.ensure(corpus.CORPUS, documents, files)
    _compile_package()
    ndjson = root / f"status-{documents}.ndjson"
    valid = root / f"status-valid-{documents}.ndjson"
    rule_broken = root / f"status-rules-{documents}.ndjson"
    strict = root / f"status-strict-{documents}.ndjson"
    invalid = root / "invalid.json"
    folder = root / f"files-{files}"
    one = folder / "status-00000.json"
    schema = root / "schema.json"
    subprocess.run(
        [
            PYTHON,
            "-c",
            f"import json,sys; from batch_contract.core.schemas import bundled_schema; "
            f"json.dump(bundled_schema(), open({str(schema)!r}, 'w'))",
        ],
        check=True,
    )
    check_jsonschema = [str(BIN / "check-jsonschema"), "--schemafile", str(schema)]
    light = [PYTHON, "-c", CHECK_JSONSCHEMA_LIGHT, "--schemafile", str(schema)]
    reference_docs = min(documents, 5_000)
    all_files = sorted(str(p) for p in folder.glob("*.json"))
    bulk = [
        Timing("orjson parse only (ceiling)", [PYTHON, "-c", CEILING, str(ndjson)], documents),
        Timing("validate-status", _vs(str(ndjson)), documents),
        Timing("validate-status --jobs 2", _vs("--jobs", "2", str(ndjson)), documents),
        Timing(
            "2 x validate-status side by side",
            ["/bin/sh", "-c", '"$0" "$1" & "$0" "$1"; wait', *_vs(str(ndjson))],
            2 * documents,
        ),
        Timing(
            "orjson parse only, strict-conformant", [PYTHON, "-c", CEILING, str(strict)], documents
        ),
        Timing(
            "validate-status --profile strict, strict-conformant",
            _vs("--profile", "strict", str(strict)),
            documents,
        ),
        Timing(
            "validate-status --profile strict", _vs("--profile", "strict", str(ndjson)), documents
        ),
        Timing("orjson parse only, valid only", [PYTHON, "-c", CEILING, str(valid)], documents),
        Timing("validate-status, valid only", _vs(str(valid)), documents),
        Timing(
            "orjson parse only, rules broken",
            [PYTHON, "-c", CEILING, str(rule_broken)],
            documents,
        ),
        Timing("validate-status, rules broken", _vs(str(rule_broken)), documents),
        Timing(
            "jsonschema (pure Python)",
            [PYTHON, "-c", JSONSCHEMA, str(ndjson), str(reference_docs)],
            reference_docs,
        ),
        Timing(f"validate-status, {files} files", _vs(str(folder)), files),
        Timing(f"check-jsonschema, {files} files", [*check_jsonschema, *all_files], files),
        Timing(f"check-jsonschema light, {files} files", [*light, *all_files], files),
        Timing("python -c pass", [PYTHON, "-c", "pass"], 1),
        Timing("validate-status, one file", _vs(str(one)), 1),
        Timing("check-jsonschema, one file", [*check_jsonschema, str(one)], 1),
        Timing("check-jsonschema light, one file", [*light, str(one)], 1),
        Timing("validate-status, one invalid file", _vs(str(invalid)), 1),
        Timing("check-jsonschema, one invalid file", [*check_jsonschema, str(invalid)], 1),
    ]
    memory: list[Timing] = []
    workdir = Path(tempfile.mkdtemp(prefix="bench-", dir=root))
    try:
        if not args.no_memory:
            small = _big_file(ndjson, workdir / "small.ndjson", 10_000_000)
            large = _big_file(ndjson, workdir / "large.ndjson", big)
            lines = sum(1 for _ in large.open("rb"))
            memory = [
                Timing("RSS 10 MB", _vs(str(small)), 1),
                Timing(f"RSS {big // 1_000_000} MB", _vs(str(large)), lines),
            ]
        for number in range(rounds):
            sys.stderr.write(f"round {number + 1}/{rounds}\n")
            for timing in bulk:
                timing.run()
        for timing in memory:
            timing.run()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    _print(bulk, memory, documents, files, rounds)
    if args.instructions:
        sys.stderr.write("counting instructions (valgrind, a few minutes)\n")
        ceiling = _instructions([PYTHON, "-c", CEILING, str(ndjson)])
        ours = _instructions(_vs(str(ndjson)))
        sys.stdout.write(
            f"\ninstructions (valgrind callgrind, the same on a busy machine): orjson parse only "
            f"{ceiling / 1e6:,.0f} M, validate-status {ours / 1e6:,.0f} M; "
            f"validate-status / orjson parse rate by instructions {ceiling / ours:.2f}\n"
        )
    sys.stdout.write("\n" + _reproduce(sys.argv[1:] if argv is None else argv) + "\n")
    return 0


def _reproduce(given: Sequence[str]) -> str:
    """The line naming the command that reproduces a run, with every option it was given."""
    return "reproduce: " + shlex.join(["python", "benchmarks/run.py", *given])


def _print(
    bulk: list[Timing], memory: list[Timing], documents: int, files: int, rounds: int
) -> None:
    """The table of medians, then the ratios against their targets."""
    by = {timing.label: timing for timing in bulk}
    out = sys.stdout
    out.write(
        f"\n{documents:,} NDJSON documents, {files:,} files, {rounds} interleaved rounds, "
        f"median wall time per whole process, {os.cpu_count()} CPUs\n\n"
    )
    out.write(
        _row(["contender", "median s", "docs/s"]) + "\n" + _row(["---", "---:", "---:"]) + "\n"
    )
    for timing in bulk:
        out.write(_row([timing.label, f"{timing.median:.3f}", f"{timing.rate:,.0f}"]) + "\n")
    ceiling = by["orjson parse only (ceiling)"].rate
    vs1 = by["validate-status"]
    vs2 = by["validate-status --jobs 2"]
    pair = by["2 x validate-status side by side"]
    # Targets: the strict profile at 0.35 of the parse rate; the others at most 10% below the
    # figures of release 0.1.0 (0.42 of the parse rate, --jobs 2 1.8x, 10x and 6x
    # check-jsonschema over 2,000 files and one file); peak memory flat.
    ratios = [
        ("validate-status / orjson parse rate", vs1.rate / ceiling, ">= 0.378"),
        ("validate-status --jobs 2 / orjson parse rate", vs2.rate / ceiling, "(info)"),
        (
            "validate-status --profile strict / orjson parse rate, strict-conformant",
            by["validate-status --profile strict, strict-conformant"].rate
            / by["orjson parse only, strict-conformant"].rate,
            ">= 0.35",
        ),
        (
            "validate-status --profile strict / orjson parse rate (most lines strict-invalid)",
            by["validate-status --profile strict"].rate / ceiling,
            "(info)",
        ),
        ("--jobs 2 speed-up over --jobs 1", vs2.rate / vs1.rate, ">= 1.62"),
        (
            "2 one-process runs side by side / one run (the machine's own 2-process scaling)",
            pair.rate / vs1.rate,
            "(info)",
        ),
        ("--jobs 2 speed-up / the machine's 2-process scaling", vs2.rate / pair.rate, "(info)"),
        (
            "validate-status / orjson parse rate, valid only",
            by["validate-status, valid only"].rate / by["orjson parse only, valid only"].rate,
            "(info)",
        ),
        (
            "validate-status / orjson parse rate, rules broken, key order varied",
            by["validate-status, rules broken"].rate / by["orjson parse only, rules broken"].rate,
            "(info)",
        ),
        (
            "validate-status / pure jsonschema",
            vs1.rate / by["jsonschema (pure Python)"].rate,
            "(info)",
        ),
        (
            f"check-jsonschema / validate-status, {files} files",
            by[f"check-jsonschema, {files} files"].median
            / by[f"validate-status, {files} files"].median,
            ">= 9.0",
        ),
        (
            f"check-jsonschema light / validate-status, {files} files",
            by[f"check-jsonschema light, {files} files"].median
            / by[f"validate-status, {files} files"].median,
            ">= 9.0",
        ),
        (
            "check-jsonschema / validate-status, one file",
            by["check-jsonschema, one file"].median / by["validate-status, one file"].median,
            ">= 5.4",
        ),
        (
            "check-jsonschema light / validate-status, one file",
            by["check-jsonschema light, one file"].median / by["validate-status, one file"].median,
            ">= 5.4",
        ),
        (
            "check-jsonschema / validate-status, one invalid file",
            by["check-jsonschema, one invalid file"].median
            / by["validate-status, one invalid file"].median,
            "(info)",
        ),
        (
            "validate-status one file / python -c pass",
            by["validate-status, one file"].median / by["python -c pass"].median,
            "(info)",
        ),
    ]
    if memory:
        small, large = memory
        out.write(
            f"\npeak RSS: {small.label[4:]} {small.rss_kb[0] / 1024:.1f} MiB, "
            f"{large.label[4:]} {large.rss_kb[0] / 1024:.1f} MiB "
            f"({large.documents:,} documents in {large.median:.1f} s, "
            f"{large.documents / large.median:,.0f}/s)\n"
        )
        ratios.append(
            (f"peak RSS {large.label[4:]} / 10 MB", large.rss_kb[0] / small.rss_kb[0], "<= 1.5")
        )
    out.write(
        "\n"
        + _row(["ratio", "measured", "target", "met"])
        + "\n"
        + _row(["---", "---:", "---", "---"])
        + "\n"
    )
    for name, value, target in ratios:
        out.write(_row([name, f"{value:.3f}", target, _verdict(value, target)]) + "\n")


def _verdict(value: float, target: str) -> str:
    """Whether a ratio meets its target (`>= 0.378`, `<= 1.5`), judged on the unrounded value, so
    that 0.3776 is not taken for 0.378; empty for a ratio printed for information."""
    if target.startswith(">= "):
        return "yes" if value >= float(target[3:]) else "NO"
    if target.startswith("<= "):
        return "yes" if value <= float(target[3:]) else "NO"
    return ""


if __name__ == "__main__":
    sys.exit(main())
