"""A seeded corpus of Get Batch Job Status bodies for the benchmark and the differential test.

`ndjson_lines(count, seed)` yields one compact JSON body per line, about 10% of them invalid in
varied ways: schema violations (types, enums, ranges, required fields), date-time and number edge
cases (some valid, some not), rule violations, duplicate keys and malformed lines. The same seed
always gives the same bytes; `invalid_share=0` gives valid bodies only (what a healthy producer's
log holds). `python benchmarks/corpus.py` writes the corpus under benchmarks/corpus/ (git-ignored):
`status-200000.ndjson`, `status-valid-200000.ndjson` (the same count, every body valid),
`status-strict-200000.ndjson` (the same, but its valid bodies honour the strict profile too: no
null effective_at, no undocumented property),
`status-rules-200000.ndjson` (the same count, most bodies breaking a rule, the keys of each body in
an order of its own: what a faulty producer that builds bodies from hash maps writes),
`files-2000/` (2,000 small files) and `invalid.json` (one file with schema and rule violations).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
"""Where the generated corpus lives (git-ignored)."""
DOCUMENTS = 200_000
FILES = 2_000
SEED = 20261128
INVALID_SHARE = 0.10
RULE_SHARE = 0.80
"""The share of bodies that break a rule in `status-rules-N.ndjson`."""

_STATUSES = ("pending", "running", "dispatched", "completed", "failed", "cancelled")
_TYPES = ("parse", "extract", "classify")
_HEX = "0123456789abcdef"

# Date-time edge cases: (text, valid under the toolkit's decisions in datetimes.py).
VALID_DATE_TIMES = (
    "2019-12-27T18:11:19.117Z",
    "2024-02-29T00:00:00Z",
    "2016-12-31T23:59:60Z",
    "2016-12-31T18:59:60-05:00",
    "0000-01-01T00:00:00Z",
    "2024-06-01t12:00:00z",
    "2024-06-01T12:00:00.123456789+05:30",
    "2024-06-01T12:00:00-00:00",
)
INVALID_DATE_TIMES = (
    "2023-02-29T00:00:00Z",
    "2024-06-01T12:00:00",
    "2024-06-01 12:00:00Z",
    "2024-06-01T12:00:60Z",
    "2024-06-01T24:00:00Z",
    "2024-06-01T12:00:00+0530",
    "2024-06-01T12:00:00Z\n",
    "2024-13-01T00:00:00Z",
    "2024-06-01",
    "1717243200",
    "",
    "2024-06-01T12:00:00+24:00",
)


def _uuid(rng: random.Random, prefix: str) -> str:
    """An id such as `bjb-` followed by a random UUID-shaped string."""
    chars = "".join(rng.choice(_HEX) for _ in range(32))
    return f"{prefix}-{chars[:8]}-{chars[8:12]}-{chars[12:16]}-{chars[16:20]}-{chars[20:]}"


def _stamp(rng: random.Random, base: int) -> str:
    """A UTC date-time string `base` seconds (plus jitter) after 2024-01-01."""
    seconds = 1_704_067_200 + base + rng.randrange(3600)
    days, rest = divmod(seconds, 86_400)
    hour, rest = divmod(rest, 3600)
    minute, second = divmod(rest, 60)
    year, month, day = _civil(days)
    millis = rng.randrange(1000)
    return f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}.{millis:03d}Z"


def _civil(days: int) -> tuple[int, int, int]:
    """Year, month and day of a count of days since 1970-01-01 (Howard Hinnant's algorithm)."""
    days += 719_468
    era = days // 146_097
    doe = days - era * 146_097
    yoe = (doe - doe // 1460 + doe // 36_524 - doe // 146_096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = mp + 3 if mp < 10 else mp - 9
    return yoe + era * 400 + (month <= 2), month, day


def valid_body(rng: random.Random) -> dict[str, Any]:
    """A body that honours the schema and every rule at its default level."""
    status = rng.choice(_STATUSES)
    total = rng.randrange(0, 500)
    processed = 0 if status == "pending" else rng.randrange(0, total + 1)
    failed = rng.randrange(0, total - processed + 1) if status != "pending" else 0
    skipped = rng.randrange(0, total - processed - failed + 1) if status != "pending" else 0
    start = rng.randrange(0, 20_000_000)
    job: dict[str, Any] = {
        "id": _uuid(rng, "bjb"),
        "job_type": rng.choice(_TYPES),
        "project_id": _uuid(rng, "proj"),
        "status": status,
        "total_items": total,
        "created_at": _stamp(rng, start),
        "updated_at": _stamp(rng, start + 7200),
        "directory_id": _uuid(rng, "dir") if rng.random() < 0.8 else None,
        "effective_at": _stamp(rng, start + 3600) if rng.random() < 0.5 else None,
        "failed_items": failed,
        "processed_items": processed,
        "skipped_items": skipped,
        "job_record_id": None if rng.random() < 0.5 else _uuid(rng, "jr"),
        "workflow_id": "wf-" + "".join(rng.choice(_HEX) for _ in range(12)),
        "error_message": None,
        "started_at": None if status == "pending" else _stamp(rng, start + 3600),
        "completed_at": None,
    }
    if status in ("completed", "failed", "cancelled"):
        job["completed_at"] = _stamp(rng, start + 10_800)
    if status == "failed":
        job["error_message"] = rng.choice(("worker crashed", "quota exceeded", "timeout: 600 s"))
    if rng.random() < 0.05:  # a valid edge-case date-time, away from the rule-checked fields
        job["effective_at"] = rng.choice(VALID_DATE_TIMES)
    if rng.random() < 0.05:  # a number edge case that is still an integer: 1e2, 100.0
        job["total_items"] = float(max(total, processed + failed + skipped))
    if rng.random() < 0.1:
        job["extra_field"] = {"nested": [1, 2.5, "x", None, True]}
    done = processed + failed + skipped
    percent = 0.0 if total == 0 else round(100 * processed / total, 2)
    if total == 0 and status == "completed":
        percent = 100
    if done and rng.random() < 0.5:
        percent = round(100 * done / total, 1)
    return {"job": job, "progress_percentage": percent}


def _schema_breakage(rng: random.Random, body: dict[str, Any]) -> None:
    """Break the body against the schema in one of many ways (in place)."""
    job = body["job"]
    kind = rng.randrange(12)
    if kind == 0:
        job["status"] = rng.choice(("PENDING", "queued", "done", "", None, 3))
    elif kind == 1:
        job["total_items"] = rng.choice(("12", -1, 1.5, None, True, [], 2**70))
    elif kind == 2:
        del job[rng.choice(("id", "job_type", "project_id", "status", "total_items"))]
    elif kind == 3:
        field = rng.choice(("created_at", "updated_at", "started_at", "completed_at"))
        job[field] = rng.choice(INVALID_DATE_TIMES)
    elif kind == 4:
        job[rng.choice(("processed_items", "failed_items", "skipped_items"))] = rng.choice(
            (-1, -0.5, "3", 1e30, 0.1)
        )
    elif kind == 5:
        body["progress_percentage"] = rng.choice((-0.01, 100.5, "50", None, 1e308))
    elif kind == 6:
        del body[rng.choice(("job", "progress_percentage"))]
    elif kind == 7:
        body["job"] = rng.choice((None, [], "job", 0))
    elif kind == 8:
        job["job_type"] = rng.choice(("Parse", "split", None))
    elif kind == 9:
        job["id"] = rng.choice((None, 12, {"value": "x"}))
    elif kind == 10:  # several at once, at different depths
        job["status"] = "unknown"
        job["created_at"] = "yesterday"
        body["progress_percentage"] = 101
        del job["project_id"]
    else:
        job[rng.choice(("error_message", "workflow_id", "directory_id"))] = rng.choice((0, False))


def _rule_breakage(rng: random.Random, body: dict[str, Any]) -> None:
    """Break a semantic rule at error level (the schema still passes)."""
    job = body["job"]
    if rng.random() < 0.5:
        job["processed_items"] = int(job["total_items"]) + 1 + rng.randrange(5)
    else:
        job["created_at"], job["updated_at"] = "2030-01-01T00:00:00Z", "2029-12-31T23:59:59Z"


_MALFORMED: tuple[Callable[[bytes], bytes], ...] = (
    lambda line: line[: len(line) // 2],  # truncated
    lambda line: line + b" {}",  # trailing data
    lambda line: line.replace(b'"progress_percentage":', b'"progress_percentage":NaN,"x":', 1),
    lambda line: line.replace(b'"progress_percentage":', b'"progress_percentage":1e400,"x":', 1),
    lambda line: line.replace(b'"workflow_id":"', b'"workflow_id":"\\ud800', 1),
    lambda line: line.replace(b'"workflow_id":"', b'"workflow_id":"\xff\xfe', 1),
    lambda line: b"\xef\xbb\xbf" + line,  # byte order mark
    lambda line: line.replace(b"{", b"{'", 1),  # single quote
    lambda line: line.replace(b'"status":', b'"status":"running","status":', 1),  # duplicate key
    lambda line: line.replace(b'{"id":', b'{"id":"dup","id":', 1),  # duplicate key
    lambda line: b"[" + line,  # unclosed array
    lambda line: b"not json at all",
)


def _dumps(body: dict[str, Any]) -> bytes:
    """Compact JSON bytes; integers beyond 64 bits (which orjson refuses) go through `json`."""
    try:
        return orjson.dumps(body)
    except TypeError:
        return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


def _strictly(body: dict[str, Any]) -> dict[str, Any]:
    """A valid body as the strict profile wants it: no null effective_at (left out instead) and
    no undocumented property."""
    job = body["job"]
    if job.get("effective_at", "") is None:
        del job["effective_at"]
    job.pop("extra_field", None)
    return body


def ndjson_lines(
    count: int = DOCUMENTS,
    seed: int = SEED,
    invalid_share: float = INVALID_SHARE,
    strict: bool = False,
) -> Iterator[bytes]:
    """`count` lines of the corpus (without newlines): about `invalid_share` of them invalid,
    reproducible from `seed`; with `strict`, the valid ones honour the strict profile too."""
    rng = random.Random(seed)
    for _ in range(count):
        body = valid_body(rng)
        if strict:
            _strictly(body)
        roll = rng.random()
        if roll < invalid_share * 0.6:
            _schema_breakage(rng, body)
        elif roll < invalid_share * 0.75:
            _rule_breakage(rng, body)
        line = _dumps(body)
        if invalid_share * 0.75 <= roll < invalid_share:
            line = rng.choice(_MALFORMED)(line)
        yield line


def _shuffled(rng: random.Random, value: Any) -> Any:
    """`value` with the keys of each object in a random order."""
    if isinstance(value, dict):
        keys = list(value)
        rng.shuffle(keys)
        return {key: _shuffled(rng, value[key]) for key in keys}
    return value


def rule_lines(count: int = DOCUMENTS, seed: int = SEED + 2) -> Iterator[bytes]:
    """`count` lines that honour the schema, `RULE_SHARE` of them breaking a rule at error level,
    the keys of every body in an order of its own; reproducible from `seed`."""
    rng = random.Random(seed)
    for _ in range(count):
        body = valid_body(rng)
        if rng.random() < RULE_SHARE:
            _rule_breakage(rng, body)
        yield _dumps(_shuffled(rng, body))


INVALID_FILE = {
    "job": {
        "id": "bjb-00000000-0000-0000-0000-000000000001",
        "job_type": "summarise",
        "project_id": "proj-00000000-0000-0000-0000-000000000001",
        "status": "completed",
        "total_items": "12",
        "created_at": "2024-06-01 12:00:00Z",
        "updated_at": "2024-06-01T11:00:00Z",
        "processed_items": 14,
        "failed_items": -1,
        "started_at": "2024-06-01T12:00:05Z",
        "completed_at": None,
    },
    "progress_percentage": 150,
}
"""One body with schema violations (an enum, a string count, a date-time, ranges) and a rule
broken (a completed job without completed_at)."""


def write_ndjson(
    path: Path,
    count: int = DOCUMENTS,
    seed: int = SEED,
    invalid_share: float = INVALID_SHARE,
    strict: bool = False,
) -> Path:
    """Write `count` corpus lines to `path`, one per line."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        batch: list[bytes] = []
        for line in ndjson_lines(count, seed, invalid_share, strict):
            batch.append(line)
            if len(batch) >= 10_000:
                out.write(b"\n".join(batch) + b"\n")
                batch.clear()
        if batch:
            out.write(b"\n".join(batch) + b"\n")
    return path


def write_files(folder: Path, count: int = FILES, seed: int = SEED + 1) -> Path:
    """Write `count` small pretty-printed JSON files (about 10% invalid) into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    for index, line in enumerate(ndjson_lines(count, seed)):
        try:
            data = orjson.dumps(orjson.loads(line), option=orjson.OPT_INDENT_2)
        except orjson.JSONDecodeError:
            data = line
        (folder / f"status-{index:05d}.json").write_bytes(data + b"\n")
    return folder


def ensure(root: Path = CORPUS, documents: int = DOCUMENTS, files: int = FILES) -> Path:
    """Generate the corpus under `root` unless it is already there; returns `root`."""
    ndjson = root / f"status-{documents}.ndjson"
    folder = root / f"files-{files}"
    if not ndjson.exists():
        write_ndjson(ndjson.with_suffix(".tmp"), documents).rename(ndjson)
    valid = root / f"status-valid-{documents}.ndjson"
    if not valid.exists():
        write_ndjson(valid.with_suffix(".tmp"), documents, invalid_share=0).rename(valid)
    strict = root / f"status-strict-{documents}.ndjson"
    if not strict.exists():
        write_ndjson(strict.with_suffix(".tmp"), documents, strict=True).rename(strict)
    rules = root / f"status-rules-{documents}.ndjson"
    if not rules.exists():
        tmp = rules.with_suffix(".tmp")
        tmp.write_bytes(b"".join(line + b"\n" for line in rule_lines(documents)))
        tmp.rename(rules)
    if not (folder / f"status-{files - 1:05d}.json").exists():
        write_files(folder, files)
    invalid = root / "invalid.json"
    if not invalid.exists():
        invalid.write_bytes(orjson.dumps(INVALID_FILE, option=orjson.OPT_INDENT_2) + b"\n")
    return root


def main(argv: list[str] | None = None) -> int:
    """Write the corpus: `python benchmarks/corpus.py [--documents N] [--files N]`."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=DOCUMENTS)
    parser.add_argument("--files", type=int, default=FILES)
    parser.add_argument("--root", type=Path, default=CORPUS)
    args = parser.parse_args(argv)
    root = ensure(args.root, args.documents, args.files)
    sys.stdout.write(f"corpus ready in {root}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
