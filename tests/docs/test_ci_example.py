"""docs/ci-github-actions.yml does what the README says: the replay of the cassettes on every pull
request, with no secret; the live suite against staging on a schedule (and by hand), with the key
from the repository's secrets. The workflow is parsed, and each command it runs is checked
against what this checkout has (extras, suite options) and collected for real."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / "docs" / "ci-github-actions.yml"
EXTRAS = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]


def workflow() -> dict[Any, Any]:
    """The parsed workflow (YAML 1.1 reads the key `on` as True)."""
    parsed: dict[Any, Any] = yaml.safe_load(WORKFLOW.read_text())
    parsed["on"] = parsed.pop(True, parsed.get("on"))
    return parsed


def commands(job: dict[str, Any]) -> list[str]:
    """The shell commands of a job's steps, folded to one line each."""
    return [" ".join(step["run"].split()) for step in job["steps"] if "run" in step]


def jobs_on(event: str) -> list[str]:
    """The jobs that run on an event, by their `if:` condition."""
    return [
        name
        for name, job in workflow()["jobs"].items()
        if f"github.event_name == '{event}'" in job.get("if", f"github.event_name == '{event}'")
    ]


def test_triggers() -> None:
    """Pull requests, a daily schedule, and a manual run."""
    on = workflow()["on"]
    assert set(on) == {"pull_request", "schedule", "workflow_dispatch"}
    assert len(on["schedule"][0]["cron"].split()) == 5


def test_pull_requests_replay_without_secrets() -> None:
    """On a pull request only the replay job runs: `pytest contract_tests` with no target
    option, and no secret anywhere in the job."""
    assert jobs_on("pull_request") == ["contract-replay"]
    job = workflow()["jobs"]["contract-replay"]
    tests = [c for c in commands(job) if c.startswith("pytest")]
    assert tests == ["pytest contract_tests --junitxml=contract-replay.xml"]
    assert "secrets." not in yaml.safe_dump(job)


@pytest.mark.parametrize("event", ["schedule", "workflow_dispatch"])
def test_the_schedule_runs_the_live_suite(event: str) -> None:
    """On the schedule (or by hand) only the live job runs: `pytest contract_tests --live`, with
    the key from the secrets and staging's URL and job ids from the repository's variables."""
    assert jobs_on(event) == ["contract-live"]
    job = workflow()["jobs"]["contract-live"]
    tests = [c for c in commands(job) if c.startswith("pytest")]
    assert len(tests) == 1
    assert tests[0].startswith("pytest contract_tests --live ")
    assert job["env"]["LLAMA_CLOUD_API_KEY"] == "${{ secrets.LLAMA_CLOUD_API_KEY }}"
    assert set(job["env"]) == {
        "LLAMA_CLOUD_API_KEY",
        "LLAMA_CLOUD_BASE_URL",
        "BATCH_CONTRACT_JOB_IDS",
    }


def test_installs_name_real_extras() -> None:
    """Every pip install of the workflow installs this checkout with extras it has."""
    for job in workflow()["jobs"].values():
        for command in commands(job):
            if " pip install " in command:
                target = shlex.split(command)[4]
                extras = target.removeprefix(".[").removesuffix("]").split(",")
                assert target.startswith(".[")
                assert all(extra in EXTRAS for extra in extras), command


def test_the_replay_command_collects_the_suite() -> None:
    """The pull request's pytest command collects the contract suite from this checkout."""
    job = workflow()["jobs"]["contract-replay"]
    [command] = [c for c in commands(job) if c.startswith("pytest")]
    args = [a for a in shlex.split(command)[1:] if not a.startswith("--junitxml")]
    done = subprocess.run(
        [sys.executable, "-m", "pytest", *args, "--collect-only", "-q", "-p", "no:cacheprovider"],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if not k.startswith("LLAMA_CLOUD")},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "tests collected" in done.stdout
