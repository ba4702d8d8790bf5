"""The reference server's seeded batch jobs: static ones for every job_type x status, and movers.

Ids never depend on the seed (uuid5 of a name); the seed varies only counts, timestamps and which
optional fields are null or absent. Every step of every job is self-consistent: counts never exceed
`total_items`, progress is 100 x (processed + failed + skipped) / total, `started_at` appears from
`running` on, `completed_at` on terminal statuses and `error_message` on `failed`.
"""

from __future__ import annotations

import functools
import random
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

JOB_TYPES = ("parse", "extract", "classify")
STATUSES = ("pending", "dispatched", "running", "completed", "failed", "cancelled")
TERMINAL = frozenset({"completed", "failed", "cancelled"})
DOCUMENTED_JOB_ID = "bjb-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
MOVING_JOB_IDS = tuple(f"bjb-10000000-0000-4000-8000-00000000000{n}" for n in (1, 2, 3))
SKIPPING_PATHS = (
    ("parse", ("pending", "running", "cancelled")),
    ("extract", ("pending", "completed")),
    ("classify", ("pending", "failed")),
    ("parse", ("pending", "cancelled")),
    ("extract", ("pending", "dispatched", "completed")),
    ("classify", ("pending", "dispatched", "failed")),
    ("parse", ("pending", "dispatched", "cancelled")),
)
"""Movers that skip statuses, as the life-cycle rules allow: each such step is served once."""
SKIPPING_JOB_IDS = tuple(
    f"bjb-10000000-0000-4000-8000-{n:012d}" for n in range(4, 4 + len(SKIPPING_PATHS))
)
SPARSE_STATIC: tuple[tuple[str, str, Style], ...] = (
    ("extract", "completed", "sparse-nulls"),
    ("classify", "running", "sparse-omitted"),
)
"""Static jobs that also serve created_at, updated_at and directory_id null (strict-clean), or
leave them and effective_at out."""

Style = Literal["complete", "omitted", "nulls", "sparse-nulls", "sparse-omitted"]
STYLES: tuple[Style, ...] = ("complete", "omitted", "nulls")
"""How not-applicable optional fields are served: `complete` (every field present, counts and
`effective_at` always filled, other fields null), `omitted` (left out), `nulls` (present as null,
counts and `effective_at` included, as FastAPI serves an unset Optional: not strict-clean).
The `sparse-` styles, for a few jobs of their own, also serve created_at, updated_at and
directory_id null (`sparse-nulls`, otherwise `complete`) or leave them and effective_at out
(`sparse-omitted`, otherwise `omitted`)."""
_SPARSE_FIELDS = ("created_at", "directory_id", "updated_at")

_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://batch-contract.dev/reference-server")
_BASE_TIME = datetime(2026, 1, 15, 9, 0, 0, tzinfo=UTC)
_ERRORS = (
    "Worker lost while processing the batch; 3 attempts exhausted",
    "Parse failed: the source directory was deleted during processing",
    "Quota exceeded for project: batch stopped",
)

DOCUMENTED_BODY: Mapping[str, Any] = {
    "job": {
        "id": DOCUMENTED_JOB_ID,
        "job_type": "parse",
        "project_id": "proj-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
        "status": "pending",
        "total_items": 0,
        "completed_at": "2019-12-27T18:11:19.117Z",
        "created_at": "2019-12-27T18:11:19.117Z",
        "directory_id": "dir-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
        "effective_at": "2019-12-27T18:11:19.117Z",
        "error_message": "error_message",
        "failed_items": 0,
        "job_record_id": "job_record_id",
        "processed_items": 0,
        "skipped_items": 0,
        "started_at": "2019-12-27T18:11:19.117Z",
        "updated_at": "2019-12-27T18:11:19.117Z",
        "workflow_id": "workflow_id",
    },
    "progress_percentage": 0,
}
"""The example response of the endpoint documentation, served verbatim for DOCUMENTED_JOB_ID."""


def _uid(prefix: str, name: str) -> str:
    """A stable provider-style id: `prefix-` followed by the uuid5 of `name`."""
    return f"{prefix}-{uuid.uuid5(_NAMESPACE, name)}"


def _stamp(moment: datetime) -> str:
    """A timestamp as pydantic v2 serializes an aware UTC datetime."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class Step:
    """One life-cycle state of a job: status, counts and times in seconds after creation."""

    status: str
    processed: int = 0
    failed: int = 0
    skipped: int = 0
    updated: int = 0
    started: int | None = None
    completed: int | None = None
    effective: int = 0
    error_message: str | None = None


@dataclass(frozen=True)
class Job:
    """A seeded job and the steps it goes through (one step for a static job)."""

    id: str
    job_type: str
    project_id: str
    directory_id: str
    total_items: int
    created_at: datetime
    style: Style
    steps: tuple[Step, ...]

    @property
    def moving(self) -> bool:
        """Whether the job advances through its steps as it is polled."""
        return len(self.steps) > 1

    @property
    def strict_clean(self) -> bool:
        """Whether every body of the job honours the strict profile too."""
        return self.id == DOCUMENTED_JOB_ID or self.style != "nulls"

    def body(self, step: int) -> dict[str, Any]:
        """The response body of the job at a step (clamped to the last step)."""
        if self.id == DOCUMENTED_JOB_ID:
            return {"job": dict(DOCUMENTED_BODY["job"]), "progress_percentage": 0}
        now = self.steps[min(step, len(self.steps) - 1)]
        started = now.status not in ("pending",)
        at = self.created_at
        optional: dict[str, Any] = {
            "completed_at": None if now.completed is None else _stamp(at + _sec(now.completed)),
            "created_at": _stamp(at),
            "directory_id": self.directory_id,
            "effective_at": _stamp(at + _sec(now.effective)),
            "error_message": now.error_message,
            "failed_items": now.failed,
            "job_record_id": _uid("jr", self.id) if started else None,
            "processed_items": now.processed,
            "skipped_items": now.skipped,
            "started_at": None if now.started is None else _stamp(at + _sec(now.started)),
            "updated_at": _stamp(at + _sec(now.updated)),
            "workflow_id": _uid("wf", self.id) if started else None,
        }
        counted = now.status not in ("pending", "dispatched")
        if self.style.startswith("sparse-"):
            optional.update(dict.fromkeys(_SPARSE_FIELDS))
        if self.style == "sparse-omitted":
            optional["effective_at"] = None
        if self.style == "nulls":
            optional["effective_at"] = None
            if not counted:
                optional.update(processed_items=None, failed_items=None, skipped_items=None)
        elif self.style in ("omitted", "sparse-omitted"):
            optional = {k: v for k, v in optional.items() if v is not None}
            if not counted:
                for name in ("processed_items", "failed_items", "skipped_items"):
                    del optional[name]
        job = {
            "id": self.id,
            "job_type": self.job_type,
            "project_id": self.project_id,
            "status": now.status,
            "total_items": self.total_items,
            **optional,
        }
        return {"job": job, "progress_percentage": _progress(now, self.total_items)}


def _sec(seconds: int) -> timedelta:
    return timedelta(seconds=seconds)


def _progress(step: Step, total: int) -> float:
    """Progress as the share of handled items; 0 or 100 for an empty job."""
    if total == 0:
        return 100.0 if step.status == "completed" else 0.0
    return round(100 * (step.processed + step.failed + step.skipped) / total, 2)


def _static_step(status: str, total: int, rng: random.Random) -> Step:
    """The one state of a static job with this status, drawn from the seeded generator."""
    dispatched, started = rng.randint(1, 30), rng.randint(31, 120)
    if status == "pending":
        return Step(status)
    if status == "dispatched":
        return Step(status, updated=dispatched, effective=dispatched)
    handled = total if status == "completed" else rng.randint(1, max(1, total - 1))
    failed = rng.randint(0, handled // 10)
    skipped = rng.randint(0, (handled - failed) // 10)
    busy = started + rng.randint(10, 3600)
    running = status == "running"
    return Step(
        status,
        processed=handled - failed - skipped,
        failed=failed,
        skipped=skipped,
        updated=busy,
        started=started,
        completed=None if running else busy,
        effective=started if running else busy,
        error_message=rng.choice(_ERRORS) if status == "failed" else None,
    )


def _moving_steps(final: str, total: int, rng: random.Random) -> tuple[Step, ...]:
    """pending -> dispatched -> running (twice) -> `final`, counts and times never going back."""
    started = rng.randint(5, 30)
    steps = [Step("pending"), Step("dispatched", updated=2, effective=2)]
    shares = (1 / 3, 2 / 3) if final == "completed" else (1 / 4, 1 / 2)
    time = started
    for share in shares:
        time += rng.randint(5, 60)
        steps.append(
            Step(
                "running",
                processed=int(total * share),
                updated=time,
                started=started,
                effective=started,
            )
        )
    time += rng.randint(5, 60)
    done = final == "completed"
    end = Step(
        final,
        processed=total - 1 if done else steps[-1].processed,
        failed=2 if final == "failed" else 0,
        skipped=1 if done else 0,
        updated=time,
        started=started,
        completed=time,
        effective=time,
        error_message=rng.choice(_ERRORS) if final == "failed" else None,
    )
    return (*steps, end)


def _skipping_steps(path: tuple[str, ...], total: int, rng: random.Random) -> tuple[Step, ...]:
    """The steps of a mover along `path`: pending, then dispatched or running or an end directly."""
    started = rng.randint(5, 30)
    steps, processed, time = [], 0, 0
    for status in path:
        if status == "pending":
            steps.append(Step("pending"))
        elif status == "dispatched":
            time = 2
            steps.append(Step("dispatched", updated=time, effective=time))
        elif status == "running":
            processed, time = total // 3, started + rng.randint(5, 60)
            steps.append(
                Step(
                    "running", processed=processed, updated=time, started=started, effective=started
                )
            )
        else:
            time = max(time, started) + rng.randint(5, 60)
            done = status == "completed"
            steps.append(
                Step(
                    status,
                    processed=total - 1 if done else processed,
                    failed=2 if status == "failed" else 0,
                    skipped=1 if done else 0,
                    updated=time,
                    started=started,
                    completed=time,
                    effective=time,
                    error_message=rng.choice(_ERRORS) if status == "failed" else None,
                )
            )
    return tuple(steps)


def _created(rng: random.Random) -> datetime:
    return _BASE_TIME + timedelta(
        days=rng.randint(0, 30),
        seconds=rng.randint(0, 86399),
        microseconds=rng.randint(0, 999) * 1000,
    )


def build_jobs(seed: int = 0) -> dict[str, Job]:
    """Every seeded job by id: 18 static combinations, the documented example, the movers, two
    sparse static jobs and the movers that skip statuses."""
    jobs: dict[str, Job] = {}
    project = _uid("proj", "reference-project")
    for index, (job_type, status) in enumerate((t, s) for t in JOB_TYPES for s in STATUSES):
        name = f"{job_type}-{status}"
        rng = random.Random(f"{seed}:{name}")
        total = rng.randint(2, 400)
        jobs[_uid("bjb", name)] = Job(
            _uid("bjb", name),
            job_type,
            project,
            _uid("dir", name),
            total,
            _created(rng),
            STYLES[(index + seed) % len(STYLES)],
            (_static_step(status, total, rng),),
        )
    documented = DOCUMENTED_BODY["job"]
    jobs[DOCUMENTED_JOB_ID] = Job(
        DOCUMENTED_JOB_ID,
        "parse",
        documented["project_id"],
        documented["directory_id"],
        0,
        _BASE_TIME,
        "complete",
        (Step("pending"),),
    )
    for job_id, job_type, final, style in zip(
        MOVING_JOB_IDS, JOB_TYPES, ("completed", "failed", "cancelled"), STYLES, strict=True
    ):
        steps = functools.partial(_moving_steps, final)
        jobs[job_id] = _moving_job(seed, job_id, job_type, project, style, steps)
    for job_type, status, style in SPARSE_STATIC:
        name = f"{job_type}-{status}-{style}"
        rng = random.Random(f"{seed}:{name}")
        total = rng.randint(2, 400)
        job_id = _uid("bjb", name)
        step = _static_step(status, total, rng)
        jobs[job_id] = Job(
            job_id, job_type, project, _uid("dir", name), total, _created(rng), style, (step,)
        )
    for index, (job_id, (job_type, path)) in enumerate(
        zip(SKIPPING_JOB_IDS, SKIPPING_PATHS, strict=True)
    ):
        style = STYLES[index % 2]  # complete or omitted: strict-clean, for a strict run's coverage
        steps = functools.partial(_skipping_steps, path)
        jobs[job_id] = _moving_job(seed, job_id, job_type, project, style, steps)
    return jobs


def _moving_job(
    seed: int,
    job_id: str,
    job_type: str,
    project: str,
    style: Style,
    steps: Callable[[int, random.Random], tuple[Step, ...]],
) -> Job:
    """A job that moves through `steps(total, rng)`, its total and creation time drawn from a
    generator seeded by the seed and its id."""
    rng = random.Random(f"{seed}:{job_id}")
    total = rng.randint(6, 60)
    created = _created(rng)
    directory = _uid("dir", job_id)
    return Job(job_id, job_type, project, directory, total, created, style, steps(total, rng))


def unknown_job(job_id: str) -> dict[str, Any]:
    """A plausible pending job body for an id that does not exist (the `unknown-id-200` break)."""
    job = Job(
        job_id,
        "parse",
        _uid("proj", "reference-project"),
        _uid("dir", job_id),
        0,
        _BASE_TIME,
        "complete",
        (Step("pending"),),
    )
    return job.body(0)
