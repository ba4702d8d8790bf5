"""The command-line options of the contract suite (one `batch-contract` group) and how the
target-deciding ones are read back.

The plugin is installed for every pytest run of an environment that has the package, so no option
may take a name another plugin owns: pytest stops the whole run (its own and every other
project's) when two plugins register one name. `--contract-base-url` and `--contract-profile` are
the options' own names; the short `--base-url` (pytest-base-url's, which pytest-playwright and
pytest-selenium install) and `--profile` (pytest-profiling's) are added as their aliases only
after every plugin and initial conftest has registered its options, and only when no one else has
taken them (`add_aliases`)."""

from __future__ import annotations

import argparse
import contextlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from batch_contract.core.schemas import PROFILES
from batch_contract.pytest_plugin.http_defaults import DEFAULT_TIMEOUT, MAX_RETRIES

if TYPE_CHECKING:
    from batch_contract.pytest_plugin.targets import Options

BASE_URL = "batch_contract_base_url"
PROFILE = "batch_contract_profile"
SPEC_URL = "batch_contract_spec_url"
ALIASES = {
    "--base-url": ("--contract-base-url", BASE_URL),
    "--profile": ("--contract-profile", PROFILE),
}
"""Short alias -> (the option's own name, its dest)."""
GROUP = "batch-contract"
GROUP_DESCRIPTION = "batch-contract: contract suite for Get Batch Job Status"
ST_MAX_EXAMPLES_ENV = "BATCH_CONTRACT_ST_MAX_EXAMPLES"
ST_SEED_ENV = "BATCH_CONTRACT_ST_SEED"
ST_DEFAULT_MAX_EXAMPLES = 10
ST_DEFAULT_SEED = 0


def _registered(group: Any, name: str) -> bool:
    """Whether the group already has an option of this name: the suite's plugins, loaded when a
    run needs them, call the same registration again (pytest replays `pytest_addoption`)."""
    return any(name in option.names() for option in group.options)


def add_options(parser: pytest.Parser) -> None:
    """Registers the batch-contract option group of the contract suite (once)."""
    group = parser.getgroup(GROUP, GROUP_DESCRIPTION)
    if _registered(group, "--live"):
        return
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
        "--contract-base-url",
        dest=BASE_URL,
        default=None,
        metavar="URL",
        help="base URL of the deployment for --live (default: LLAMA_CLOUD_BASE_URL "
        "or https://api.cloud.llamaindex.ai); also --base-url unless another plugin has it",
    )
    group.addoption(
        "--allow-insecure-http",
        action="store_true",
        default=False,
        help="let --live send the key over plain http:// to a host that is not loopback",
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
        "--contract-profile",
        dest=PROFILE,
        default="documented",
        choices=PROFILES,
        help="schema profile responses must honour (default: documented); also --profile "
        "unless another plugin has it",
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


def add_coverage_options(parser: pytest.Parser) -> None:
    """Adds the contract coverage options to the batch-contract option group (once)."""
    group = parser.getgroup(GROUP, GROUP_DESCRIPTION)
    if _registered(group, "--contract-require"):
        return
    group.addoption(
        "--contract-coverage-json",
        metavar="PATH",
        default=None,
        help="write the contract coverage report of the run as JSON to PATH",
    )
    group.addoption(
        "--contract-fail-under",
        metavar="PERCENT",
        type=float,
        default=None,
        help="fail the run when contract coverage is below PERCENT",
    )
    group.addoption(
        "--contract-require",
        metavar="ITEM",
        action="append",
        default=[],
        help="fail the run unless this contract item was seen, such as job.status=failed "
        "(repeatable; `batch-contract coverage --help`)",
    )
    group.addoption(
        "--contract-spec-url",
        dest=SPEC_URL,
        nargs="?",
        const="",
        default=None,
        metavar="URL",
        help="with --live or --reference: run `batch-contract watch` on the provider's OpenAPI "
        "document at URL (alone or empty: BASE_URL/api/openapi.json) as one test, failing on "
        "error findings; without it that test is not collected",
    )


def add_report_options(parser: pytest.Parser) -> None:
    """Adds --contract-report to the batch-contract option group (once)."""
    group = parser.getgroup(GROUP, GROUP_DESCRIPTION)
    if _registered(group, "--contract-report"):
        return
    group.addoption(
        "--contract-report",
        metavar="PATH",
        default=None,
        help="write the run's contract report, one offline HTML page, to PATH "
        "(`batch-contract report --help`)",
    )


def add_schemathesis_options(parser: pytest.Parser) -> None:
    """Adds --st-max-examples and --st-seed to the batch-contract option group (once)."""
    group = parser.getgroup(GROUP, GROUP_DESCRIPTION)
    if _registered(group, "--st-seed"):
        return
    group.addoption(
        "--st-max-examples",
        default=None,
        metavar="N",
        help=f"examples schemathesis generates per phase (default: {ST_MAX_EXAMPLES_ENV} "
        f"or {ST_DEFAULT_MAX_EXAMPLES})",
    )
    group.addoption(
        "--st-seed",
        default=None,
        metavar="N",
        help=f"seed of the schemathesis tests (default: {ST_SEED_ENV} or {ST_DEFAULT_SEED})",
    )


def taken(parser: pytest.Parser, name: str) -> bool:
    """Whether a plugin or conftest has registered the option `name`: pytest's own parsing of
    that name alone consumes it (or, for an option that wants a value, complains) when it is
    known, and leaves it over when it is not."""
    try:
        _, unknown = parser.parse_known_and_unknown_args([name])
    except pytest.UsageError:  # known, and wants a value
        return True
    return name not in unknown


def add_aliases(parser: pytest.Parser) -> None:
    """Add `--base-url` and `--profile` as aliases of the contract options where no plugin or
    conftest has taken them."""
    group = parser.getgroup(GROUP)
    own = {name: option for option in group.options for name in option.names()}
    for alias, (name, dest) in ALIASES.items():
        if name not in own or taken(parser, alias):
            continue
        attrs = own[name].attrs()
        extra = {key: attrs[key] for key in ("default", "choices", "type") if key in attrs}
        with contextlib.suppress(ValueError, argparse.ArgumentError):  # taken after all
            group.addoption(alias, dest=dest, help=f"same as {name}", **extra)


def read_options(config: pytest.Config) -> Options:
    """The target-deciding options of a run, read once from pytest's config."""
    from batch_contract.pytest_plugin.targets import Options

    cassettes = config.getoption("--cassette-dir")
    return Options(
        live=config.getoption("--live"),
        reference=config.getoption("--reference"),
        base_url=config.getoption(BASE_URL),
        allow_insecure_http=config.getoption("--allow-insecure-http"),
        job_ids=tuple(config.getoption("job_ids")),
        organization_id=config.getoption("--organization-id"),
        project_id=config.getoption("--project-id"),
        profile=config.getoption(PROFILE),
        cassette_dir=Path(cassettes) if cassettes else config.rootpath / "cassettes",
    )
