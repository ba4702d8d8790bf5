"""The seeded jobs: ids, coverage, and bodies that honour the contract at every step."""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any

import pytest

from batch_contract.core.check import ContractCheck, contract_check
from batch_contract.core.rules import check_sequence
from batch_contract.server.jobs import (
    DOCUMENTED_BODY,
    DOCUMENTED_JOB_ID,
    JOB_TYPES,
    MOVING_JOB_IDS,
    SKIPPING_JOB_IDS,
    SKIPPING_PATHS,
    STATUSES,
    STYLES,
    TERMINAL,
    Job,
    build_jobs,
)

SEEDS = (0, 1, 2, 7)
_ORDER = {"pending": 0, "dispatched": 1, "running": 2}


def _all_bodies(seed: int) -> list[tuple[Job, int, dict[str, Any]]]:
    """Every (job, step, body) of a seed, each moving job through one step past its end."""
    jobs = build_jobs(seed).values()
    return [(job, step, job.body(step)) for job in jobs for step in range(len(job.steps) + 1)]


def _instant(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def inconsistencies(body: dict[str, Any]) -> list[str]:
    """What is semantically wrong with a faithful body: counts, progress, timestamps."""
    job, problems = body["job"], []
    total = job["total_items"]
    counts = [job.get(name) or 0 for name in ("processed_items", "failed_items", "skipped_items")]
    if any(count > total for count in counts) or sum(counts) > total:
        problems.append("counts above total")
    expected = (100.0 if job["status"] == "completed" else 0.0) if total == 0 else None
    if expected is None:
        expected = 100 * sum(counts) / total
    if abs(body["progress_percentage"] - expected) > 0.01:
        problems.append(f"progress {body['progress_percentage']} for counts {counts}")
    status = job["status"]
    if (job.get("started_at") is not None) != (status in {"running", *TERMINAL}):
        problems.append("started_at presence")
    if (job.get("completed_at") is not None) != (status in TERMINAL):
        problems.append("completed_at presence")
    if (job.get("error_message") is not None) != (status == "failed"):
        problems.append("error_message presence")
    if status == "completed" and sum(counts) != total:
        problems.append("completed with items left")
    times = [_instant(job.get(k)) for k in ("created_at", "started_at", "completed_at")]
    present = [t for t in times if t is not None]
    if present != sorted(present):
        problems.append("timestamps out of order")
    updated, created = _instant(job.get("updated_at")), times[0]
    if updated is not None and created is not None and updated < created:
        problems.append("updated_at before created_at")
    return problems


def test_every_job_type_and_status_has_a_static_job() -> None:
    """The 18 job_type x status combinations each have a static job."""
    static = [job for job in build_jobs(0).values() if not job.moving]
    combos = {(job.job_type, job.steps[0].status) for job in static}
    assert combos == {(t, s) for t in JOB_TYPES for s in STATUSES}
    assert len(static) == 21  # the 18 combinations, the documented example, two sparse jobs


def test_ids_are_stable_across_seeds_and_in_provider_form() -> None:
    """Ids do not depend on the seed and look like the provider's (bjb-/proj-/dir- + UUID)."""
    first, other = build_jobs(0), build_jobs(5)
    assert list(first) == list(other)
    for job in first.values():
        assert job.id.startswith("bjb-")
        assert len(job.id) == 40
        assert job.project_id.startswith("proj-")
        assert job.directory_id.startswith("dir-")
    assert list(first)[18:22] == [DOCUMENTED_JOB_ID, *MOVING_JOB_IDS]
    assert list(first)[-len(SKIPPING_JOB_IDS) :] == list(SKIPPING_JOB_IDS)


def test_seeds_vary_counts_and_styles_but_not_statuses() -> None:
    """Two seeds give different totals and styles for the same ids and statuses."""
    zero, one = build_jobs(0), build_jobs(1)
    assert [j.steps[-1].status for j in zero.values()] == [j.steps[-1].status for j in one.values()]
    assert [j.total_items for j in zero.values()] != [j.total_items for j in one.values()]
    assert [j.style for j in zero.values()] != [j.style for j in one.values()]
    assert {job.style for job in zero.values()} == {*STYLES, "sparse-nulls", "sparse-omitted"}


def test_the_documented_job_serves_the_documented_example_verbatim() -> None:
    """The documented example job answers exactly the documentation's example body."""
    assert build_jobs(3)[DOCUMENTED_JOB_ID].body(0) == DOCUMENTED_BODY


def test_moving_jobs_walk_the_life_cycle_to_their_ends() -> None:
    """Movers go pending -> dispatched -> running -> completed, failed or cancelled."""
    jobs = build_jobs(0)
    ends = [[step.status for step in jobs[job_id].steps] for job_id in MOVING_JOB_IDS]
    assert ends == [
        ["pending", "dispatched", "running", "running", "completed"],
        ["pending", "dispatched", "running", "running", "failed"],
        ["pending", "dispatched", "running", "running", "cancelled"],
    ]


def test_skipping_movers_take_each_shortcut_the_rules_allow() -> None:
    """The skipping movers step from pending or dispatched straight to later statuses."""
    jobs = build_jobs(0)
    paths = [tuple(step.status for step in jobs[job_id].steps) for job_id in SKIPPING_JOB_IDS]
    assert paths == [path for _, path in SKIPPING_PATHS]
    steps = {(a, b) for path in paths for a, b in itertools.pairwise(path)}
    assert {("pending", "running"), ("pending", "completed"), ("dispatched", "failed")} <= steps


def test_sparse_jobs_serve_the_fields_a_job_can_lack_null_or_absent() -> None:
    """The sparse jobs serve created_at, updated_at, directory_id null (effective_at filled), or
    leave all four out."""
    bodies = {job.style: job.body(0)["job"] for job in build_jobs(0).values()}
    names = ("created_at", "updated_at", "directory_id")
    assert [bodies["sparse-nulls"][name] for name in names] == [None] * 3
    assert bodies["sparse-nulls"]["effective_at"] is not None
    assert [name in bodies["sparse-omitted"] for name in (*names, "effective_at")] == [False] * 4


@pytest.mark.parametrize("seed", SEEDS)
def test_every_body_validates_with_the_documented_profile(seed: int) -> None:
    """Every body of every job at every step honours the documented profile."""
    one = ContractCheck("documented")
    bad = {(job.id, step): one.schema_violations(b) for job, step, b in _all_bodies(seed)}
    assert {key: found for key, found in bad.items() if found} == {}


@pytest.mark.parametrize("seed", SEEDS)
def test_strict_profile_holds_exactly_for_the_strict_clean_jobs(seed: int) -> None:
    """Strict-clean jobs honour the strict profile at every step; `nulls`-style jobs never do."""
    one = ContractCheck("strict")
    for job, step, body in _all_bodies(seed):
        assert (one.schema_violations(body) == ()) is job.strict_clean, (job.id, step, job.style)


@pytest.mark.parametrize("seed", SEEDS)
def test_every_body_is_semantically_consistent(seed: int) -> None:
    """Counts within total, progress from counts, timestamps present and ordered, at every step."""
    found = {
        (job.id, step): inconsistencies(body)
        for job, step, body in _all_bodies(seed)
        if job.id != DOCUMENTED_JOB_ID  # the documentation's own example is not consistent
    }
    assert {key: problems for key, problems in found.items() if problems} == {}


@pytest.mark.parametrize("seed", SEEDS)
def test_moving_jobs_never_go_back(seed: int) -> None:
    """Status, counts, progress and updated_at never decrease from one step to the next."""
    for job_id in (*MOVING_JOB_IDS, *SKIPPING_JOB_IDS):
        job = build_jobs(seed)[job_id]
        bodies = [job.body(step) for step in range(len(job.steps) + 2)]
        for before, after in itertools.pairwise(bodies):
            old, new = before["job"], after["job"]
            assert _ORDER.get(new["status"], 3) >= _ORDER.get(old["status"], 3)
            for name in ("processed_items", "failed_items", "skipped_items"):
                assert (new.get(name) or 0) >= (old.get(name) or 0)
            assert after["progress_percentage"] >= before["progress_percentage"]
            assert new["updated_at"] >= old["updated_at"]
        assert bodies[-1] == bodies[-2] == job.body(len(job.steps) - 1)


def test_styles_decide_null_or_absent_fields() -> None:
    """`omitted` leaves not-applicable fields out, `nulls` serves them null, `complete` fills."""
    pending = {
        job.style: job.body(0)["job"]
        for job in build_jobs(0).values()
        if job.steps[0].status == "pending" and job.id != DOCUMENTED_JOB_ID
    }
    assert "started_at" not in pending["omitted"]
    assert "processed_items" not in pending["omitted"]
    assert pending["nulls"]["started_at"] is None
    assert pending["nulls"]["processed_items"] is None
    assert pending["complete"]["started_at"] is None
    assert pending["complete"]["processed_items"] == 0


@pytest.mark.parametrize("seed", SEEDS)
def test_the_semantic_rules_find_nothing_to_say(seed: int) -> None:
    """No rule, error or warning, fires on any body or poll sequence of a seeded job.

    The one exception is the documentation's own example, a pending job with a start time.
    """
    for job in build_jobs(seed).values():
        bodies = [job.body(step) for step in range(len(job.steps) + 1)]
        assert check_sequence(bodies) == (), job.id
        for body in bodies:
            found = [(v.keyword, v.severity) for v in contract_check().rule_violations(body)]
            expected = (
                [("rule:pending-not-started", "warning")] if job.id == DOCUMENTED_JOB_ID else []
            )
            assert found == expected, job.id
