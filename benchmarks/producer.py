"""Logs shaped like users' logs, for `run.py --against`: generated, seeded, never committed.

- `realistic_lines`: what one producer's status log holds. Jobs polled over their life (pending,
  dispatched, running, then completed, failed or cancelled), each body in one fixed key order with
  compact separators, timestamps and counts that move as a real job's do, every body consistent
  with every rule; 10% of the lines broken by the schema, in ten ways spread over the fields.
- `hostile_lines`: what a faulty or hostile producer writes. Each body's keys in an order of its
  own, 79% of the lines invalid: schema breaks, rule breaks and lines that are no JSON.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from typing import Any

import orjson
from corpus import _civil  # the day arithmetic of the other corpus

SEED = 29
BASE = 1_772_000_000  # 2026-02-25, seconds since 1970
JOB_KEYS = (
    "id",
    "job_type",
    "project_id",
    "status",
    "total_items",
    "processed_items",
    "failed_items",
    "skipped_items",
    "created_at",
    "started_at",
    "updated_at",
    "completed_at",
    "effective_at",
    "error_message",
    "directory_id",
    "job_record_id",
    "workflow_id",
)


def _stamp(seconds: float) -> str:
    """An RFC 3339 UTC date-time with milliseconds, as a producer writes it."""
    whole = int(seconds)
    millis = int((seconds - whole) * 1000)
    days, rest = divmod(whole, 86_400)
    year, month, day = _civil(days)
    hour, rest = divmod(rest, 3600)
    minute, second = divmod(rest, 60)
    return f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}.{millis:03d}Z"


def _uuid(rng: random.Random, prefix: str) -> str:
    """A prefixed UUID-shaped id."""
    hexes = f"{rng.getrandbits(128):032x}"
    return f"{prefix}-{hexes[:8]}-{hexes[8:12]}-{hexes[12:16]}-{hexes[16:20]}-{hexes[20:]}"


def _job_polls(rng: random.Random, start: float) -> Iterator[tuple[float, dict[str, Any]]]:
    """The polls of one job, as (time, body), each consistent with every rule."""
    total = rng.choice((1, 5, 10, 40, 100, 250, 1000, 5000))
    job_id, project = _uuid(rng, "bjb"), _uuid(rng, "proj")
    directory, workflow = _uuid(rng, "dir"), _uuid(rng, "wf")
    job_type = rng.choice(("parse", "parse", "extract", "classify"))
    created = start
    ending = rng.choices(("completed", "failed", "cancelled"), (85, 10, 5))[0]
    now = created
    processed = failed = skipped = 0
    started = completed = None
    stages = ["pending"] * rng.randint(1, 3) + ["dispatched"] * rng.randint(1, 2)
    stages += ["running"] * rng.randint(5, 40) + [ending] * rng.randint(1, 3)
    for status in stages:
        now += rng.uniform(0.5, 30.0)
        if status == "running":
            if started is None:
                started = now
            left = total - processed - failed - skipped
            step = rng.randint(0, max(1, total // 10))
            done = min(left, step)
            bad = min(left - done, rng.randint(0, 1) if rng.random() < 0.1 else 0)
            skip = min(left - done - bad, 1 if rng.random() < 0.05 else 0)
            processed, failed, skipped = processed + done, failed + bad, skipped + skip
        elif status in ("completed", "failed", "cancelled"):
            if started is None:
                started = now
            if status == "completed":
                processed = total - failed - skipped
            if completed is None:
                completed = now
        progress = round(100 * processed / total, 2) if total else 0
        if status == "completed":
            progress = 100
        job = {
            "id": job_id,
            "job_type": job_type,
            "project_id": project,
            "status": status,
            "total_items": total,
            "processed_items": processed,
            "failed_items": failed,
            "skipped_items": skipped,
            "created_at": _stamp(created),
            "started_at": _stamp(started) if started is not None else None,
            "updated_at": _stamp(now),
            "completed_at": _stamp(completed) if completed is not None else None,
            "effective_at": _stamp(now),
            "error_message": "3 items could not be read" if status == "failed" else None,
            "directory_id": directory,
            "job_record_id": _uuid(rng, "jr"),
            "workflow_id": workflow,
        }
        yield now, {"job": {key: job[key] for key in JOB_KEYS}, "progress_percentage": progress}


def _break_status(rng: random.Random, body: dict[str, Any]) -> None:
    body["job"]["status"] = rng.choice(("done", "RUNNING", "queued"))


def _break_total(rng: random.Random, body: dict[str, Any]) -> None:
    body["job"]["total_items"] = str(body["job"]["total_items"])


def _break_processed(rng: random.Random, body: dict[str, Any]) -> None:
    body["job"]["processed_items"] = -1


def _break_created(rng: random.Random, body: dict[str, Any]) -> None:
    body["job"]["created_at"] = body["job"]["created_at"][:19]  # no offset


def _break_updated(rng: random.Random, body: dict[str, Any]) -> None:
    body["job"]["updated_at"] = body["job"]["updated_at"].replace("T", " ")


def _break_progress(rng: random.Random, body: dict[str, Any]) -> None:
    body["progress_percentage"] = 100 + rng.randint(1, 50)


def _break_id(rng: random.Random, body: dict[str, Any]) -> None:
    del body["job"]["id"]


def _break_job_type(rng: random.Random, body: dict[str, Any]) -> None:
    body["job"]["job_type"] = "summarize"


def _break_error_message(rng: random.Random, body: dict[str, Any]) -> None:
    body["job"]["error_message"] = 500


def _break_skipped(rng: random.Random, body: dict[str, Any]) -> None:
    body["job"]["skipped_items"] = 0.5


SCHEMA_BREAKS: tuple[Callable[[random.Random, dict[str, Any]], None], ...] = (
    _break_status,
    _break_total,
    _break_processed,
    _break_created,
    _break_updated,
    _break_progress,
    _break_id,
    _break_job_type,
    _break_error_message,
    _break_skipped,
)
"""Ten ways a body breaks the schema, each at another field."""


def _bodies(rng: random.Random, count: int) -> Iterator[dict[str, Any]]:
    """`count` bodies of jobs polled side by side, in time order."""
    live: list[Iterator[tuple[float, dict[str, Any]]]] = []
    clock = float(BASE)
    made = 0
    while made < count:
        while len(live) < 50:
            clock += rng.uniform(0, 5)
            live.append(_job_polls(rng, clock))
        poll = live[rng.randrange(len(live))]
        step = next(poll, None)
        if step is None:
            live.remove(poll)
            continue
        made += 1
        yield step[1]


def realistic_lines(count: int, seed: int = SEED, broken: float = 0.10) -> Iterator[bytes]:
    """One producer's log: compact, one key order, `broken` of the lines breaking the schema."""
    rng = random.Random(seed)
    for body in _bodies(rng, count):
        if rng.random() < broken:
            rng.choice(SCHEMA_BREAKS)(rng, body)
        yield orjson.dumps(body)


def realistic_parts(count: int, seed: int = SEED) -> tuple[list[bytes], list[bytes]]:
    """The realistic log's lines split in two: the valid ones and the broken ones."""
    rng = random.Random(seed)
    valid: list[bytes] = []
    broken: list[bytes] = []
    for body in _bodies(rng, count):
        if rng.random() < 0.10:
            rng.choice(SCHEMA_BREAKS)(rng, body)
            broken.append(orjson.dumps(body))
        else:
            valid.append(orjson.dumps(body))
    return valid, broken


def _shuffled(rng: random.Random, value: Any) -> Any:
    """An object with its keys (and its objects' keys) in a random order."""
    if not isinstance(value, dict):
        return value
    keys = list(value)
    rng.shuffle(keys)
    return {key: _shuffled(rng, value[key]) for key in keys}


def _break_rule(rng: random.Random, body: dict[str, Any]) -> None:
    job = body["job"]
    kind = rng.randrange(4)
    if kind == 0:
        job["processed_items"] = job["total_items"] + rng.randint(1, 9)
    elif kind == 1:
        job["started_at"] = "2020-01-01T00:00:00Z"
    elif kind == 2:
        job["status"], job["completed_at"] = "completed", None
    else:
        body["progress_percentage"] = 0 if job["processed_items"] else 99


def hostile_lines(count: int, seed: int = SEED + 1) -> Iterator[bytes]:
    """A hostile log: random key order, 79% invalid (30% schema, 30% rules, 19% not JSON)."""
    rng = random.Random(seed)
    for body in _bodies(rng, count):
        draw = rng.random()
        if draw < 0.30:
            rng.choice(SCHEMA_BREAKS)(rng, body)
        elif draw < 0.60:
            _break_rule(rng, body)
        line = orjson.dumps(_shuffled(rng, body))
        if 0.60 <= draw < 0.79:
            line = line[: rng.randrange(1, len(line) - 1)]  # cut short: no JSON
        yield line
