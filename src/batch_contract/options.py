"""The command-line options of the contract suite (one `batch-contract` group) and how the
target-deciding ones are read back."""

from __future__ import annotations

from pathlib import Path

import pytest

from batch_contract.client import DEFAULT_TIMEOUT, MAX_RETRIES
from batch_contract.schemas import PROFILES
from batch_contract.targets import Options


def add_options(parser: pytest.Parser) -> None:
    """Registers the batch-contract option group of the contract suite."""
    group = parser.getgroup("batch-contract", "contract suite for Get Batch Job Status")
    group.addoption(
        "--live",
        action="store_true",
        default=False,
        help="run the contract suite against a real deployment (key from "
        "LLAMA_CLOUD_API_KEY, never an option)",
    )
    group.addoption(
        "--reference",
        action="store_true",
        default=False,
        help="start the reference server in-process and run the suite against it",
    )
    group.addoption(
        "--reference-break",
        action="append",
        default=[],
        dest="reference_breaks",
        metavar="NAME",
        help="make the --reference server break the contract this way (repeatable; "
        "`batch-contract serve --list-breaks`): the suite must then fail",
    )
    group.addoption(
        "--base-url",
        default=None,
        help="base URL of the deployment for --live (default: LLAMA_CLOUD_BASE_URL "
        "or https://api.cloud.llamaindex.ai)",
    )
    group.addoption(
        "--job-id",
        action="append",
        default=[],
        dest="job_ids",
        metavar="ID",
        help="job id to check with --live (repeatable; default: "
        "BATCH_CONTRACT_JOB_IDS, comma separated)",
    )
    group.addoption(
        "--organization-id",
        default=None,
        help="organization_id query parameter sent with every request",
    )
    group.addoption(
        "--project-id", default=None, help="project_id query parameter sent with every request"
    )
    group.addoption(
        "--profile",
        default="documented",
        choices=PROFILES,
        help="schema profile responses must honour (default: documented)",
    )
    group.addoption(
        "--poll-interval",
        type=float,
        default=None,
        metavar="SECONDS",
        help="seconds between life-cycle polls (default: 2 live, 0.05 reference, 0 replay)",
    )
    group.addoption(
        "--poll-timeout",
        type=float,
        default=120.0,
        metavar="SECONDS",
        help="seconds to poll a job for a terminal status (default: 120)",
    )
    group.addoption(
        "--require-terminal",
        action="store_true",
        default=False,
        help="fail, not warn, when a job is still running at --poll-timeout",
    )
    group.addoption(
        "--http-timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"timeout of each HTTP request (default: {DEFAULT_TIMEOUT:g})",
    )
    group.addoption(
        "--http-retries",
        type=int,
        default=MAX_RETRIES,
        metavar="N",
        help=f"retries on 408/409/429/5xx and connection errors, with backoff "
        f"(default: {MAX_RETRIES}, as the official SDK)",
    )
    group.addoption(
        "--cassette-dir",
        default=None,
        metavar="DIR",
        help="folder of the recorded cassettes (default: cassettes/ at the rootdir)",
    )


def read_options(config: pytest.Config) -> Options:
    """The target-deciding options of a run, read once from pytest's config."""
    cassettes = config.getoption("--cassette-dir")
    return Options(
        live=config.getoption("--live"),
        reference=config.getoption("--reference"),
        base_url=config.getoption("--base-url"),
        job_ids=tuple(config.getoption("job_ids")),
        organization_id=config.getoption("--organization-id"),
        project_id=config.getoption("--project-id"),
        profile=config.getoption("--profile"),
        cassette_dir=Path(cassettes) if cassettes else config.rootpath / "cassettes",
    )
