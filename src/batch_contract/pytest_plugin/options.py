"""The command-line options of the contract suite (one `batch-contract` group) and how the
target-deciding ones are read back.

The `pytest11` entry point loads this package into every pytest run of an environment that has
it, so every option it registers there carries the `--contract-` prefix (and a `batch_contract_`
dest) that no other project would pick: pytest stops the whole run, its own and every other
project's, when two plugins or conftests register one name. The short names the contract suite
documents (`--live`, `--reference`, `--job-id`, `--base-url`, `--rule`, ...) are aliases that
only the contract suite's conftest adds (`add_suite_aliases`, from its `pytest_addoption`), and
each only when no plugin or conftest has taken it. A new option is added the same way: its
`--contract-` name in a registration function below, its short alias (if any) in `ALIASES`."""

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
    "--live": "--contract-live",
    "--reference": "--contract-reference",
    "--reference-break": "--contract-reference-break",
    "--base-url": "--contract-base-url",
    "--allow-insecure-http": "--contract-allow-insecure-http",
    "--job-id": "--contract-job-id",
    "--organization-id": "--contract-organization-id",
    "--project-id": "--contract-project-id",
    "--profile": "--contract-profile",
    "--poll-interval": "--contract-poll-interval",
    "--poll-timeout": "--contract-poll-timeout",
    "--require-terminal": "--contract-require-terminal",
    "--http-timeout": "--contract-http-timeout",
    "--http-retries": "--contract-http-retries",
    "--cassette-dir": "--contract-cassette-dir",
    "--rule": "--contract-rule",
    "--st-max-examples": "--contract-st-max-examples",
    "--st-seed": "--contract-st-seed",
}
"""The contract suite's short names -> the options' own names. Only the suite's conftest adds
them, and only where free."""
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
    if _registered(group, "--contract-live"):
        return
    group.addoption(
        "--contract-live",
        action="store_true",
        dest="batch_contract_live",
        default=False,
        help="run the contract suite against a real deployment (key from "
        "LLAMA_CLOUD_API_KEY, never an option)",
    )
    group.addoption(
        "--contract-reference",
        action="store_true",
        dest="batch_contract_reference",
        default=False,
        help="start the reference server in-process and run the suite against it",
    )
    group.addoption(
        "--contract-reference-break",
        action="append",
        default=[],
        dest="batch_contract_reference_breaks",
        metavar="NAME",
        help="make the --reference server break the contract this way (repeatable; "
        "`batch-contract serve --list-breaks`): the suite must then fail; without --reference, "
        "or with an unknown NAME, the run stops at start",
    )
    group.addoption(
        "--contract-base-url",
        dest=BASE_URL,
        default=None,
        metavar="URL",
        help="base URL of the deployment for --live (default: LLAMA_CLOUD_BASE_URL; with "
        "neither, --live stops: production is never assumed); also --base-url in the contract "
        "suite",
    )
    group.addoption(
        "--contract-allow-insecure-http",
        action="store_true",
        dest="batch_contract_allow_insecure_http",
        default=False,
        help="let --live send the key over plain http:// to a host that is not loopback",
    )
    group.addoption(
        "--contract-job-id",
        action="append",
        default=[],
        dest="batch_contract_job_ids",
        metavar="ID",
        help="job id to check with --live (repeatable; default: "
        "BATCH_CONTRACT_JOB_IDS, comma separated)",
    )
    group.addoption(
        "--contract-organization-id",
        dest="batch_contract_organization_id",
        default=None,
        metavar="ID",
        help="organization_id query parameter sent with every request",
    )
    group.addoption(
        "--contract-project-id",
        dest="batch_contract_project_id",
        default=None,
        metavar="ID",
        help="project_id query parameter sent with every request",
    )
    group.addoption(
        "--contract-profile",
        dest=PROFILE,
        default="documented",
        choices=PROFILES,
        help="schema profile responses must honour (default: documented); also --profile "
        "in the contract suite",
    )
    group.addoption(
        "--contract-poll-interval",
        dest="batch_contract_poll_interval",
        type=float,
        default=None,
        metavar="SECONDS",
        help="seconds between life-cycle polls (default: 2 live, 0.05 reference, 0 replay)",
    )
    group.addoption(
        "--contract-poll-timeout",
        dest="batch_contract_poll_timeout",
        type=float,
        default=120.0,
        metavar="SECONDS",
        help="seconds to poll a job for a terminal status (default: 120)",
    )
    group.addoption(
        "--contract-require-terminal",
        dest="batch_contract_require_terminal",
        action="store_true",
        default=False,
        help="fail, not warn, when a job is still running at --poll-timeout",
    )
    group.addoption(
        "--contract-http-timeout",
        dest="batch_contract_http_timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"timeout of each HTTP request (default: {DEFAULT_TIMEOUT:g})",
    )
    group.addoption(
        "--contract-http-retries",
        dest="batch_contract_http_retries",
        type=int,
        default=MAX_RETRIES,
        metavar="N",
        help=f"retries on 408/409/429/5xx and connection errors, with backoff "
        f"(default: {MAX_RETRIES}, as the official SDK)",
    )
    group.addoption(
        "--contract-cassette-dir",
        dest="batch_contract_cassette_dir",
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
        dest="batch_contract_coverage_json",
        metavar="PATH",
        default=None,
        help="write the contract coverage report of the run as JSON to PATH",
    )
    group.addoption(
        "--contract-fail-under",
        dest="batch_contract_fail_under",
        metavar="PERCENT",
        type=float,
        default=None,
        help="fail the run when contract coverage is below PERCENT",
    )
    group.addoption(
        "--contract-require",
        dest="batch_contract_require",
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
        dest="batch_contract_report",
        metavar="PATH",
        default=None,
        help="write the run's contract report, one offline HTML page, to PATH "
        "(`batch-contract report --help`)",
    )


def add_schemathesis_options(parser: pytest.Parser) -> None:
    """Adds --st-max-examples and --st-seed to the batch-contract option group (once)."""
    group = parser.getgroup(GROUP, GROUP_DESCRIPTION)
    if _registered(group, "--contract-st-seed"):
        return
    group.addoption(
        "--contract-st-max-examples",
        dest="batch_contract_st_max_examples",
        default=None,
        metavar="N",
        help=f"examples schemathesis generates per phase (default: {ST_MAX_EXAMPLES_ENV} "
        f"or {ST_DEFAULT_MAX_EXAMPLES})",
    )
    group.addoption(
        "--contract-st-seed",
        dest="batch_contract_st_seed",
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


def add_suite_aliases(parser: pytest.Parser) -> None:
    """Adds the contract suite's short names (`ALIASES`) as aliases of the `--contract-` options,
    each only where no plugin or conftest has taken it. Called from the contract suite's
    `pytest_addoption`, so only a run that collects the suite has them."""
    group = parser.getgroup(GROUP, GROUP_DESCRIPTION)
    own = {name: option for option in group.options for name in option.names()}
    for alias, name in ALIASES.items():
        if name not in own or alias in own or taken(parser, alias):
            continue
        with contextlib.suppress(ValueError, argparse.ArgumentError):  # taken after all
            group.addoption(alias, **_alias_attrs(own[name]), help=f"same as {name}")


def _alias_attrs(option: Any) -> dict[str, Any]:
    """What an alias needs to behave as `option` does: its action, dest, default and values."""
    action = option.attrs()  # the argparse action's attributes
    attrs: dict[str, Any] = {"dest": option.dest, "default": option.default}
    if action.get("const") is True and action.get("nargs") == 0:
        return {**attrs, "action": "store_true"}
    for key in ("type", "choices", "metavar"):
        if action.get(key) is not None:
            attrs[key] = action[key]
    if isinstance(option.default, list):
        attrs["action"] = "append"
    return attrs


def read_options(config: pytest.Config) -> Options:
    """The target-deciding options of a run, read once from pytest's config."""
    from batch_contract.pytest_plugin.targets import Options

    cassettes = config.getoption("--contract-cassette-dir")
    return Options(
        live=config.getoption("--contract-live"),
        reference=config.getoption("--contract-reference"),
        base_url=config.getoption(BASE_URL),
        allow_insecure_http=config.getoption("--contract-allow-insecure-http"),
        job_ids=tuple(config.getoption("--contract-job-id")),
        organization_id=config.getoption("--contract-organization-id"),
        project_id=config.getoption("--contract-project-id"),
        profile=config.getoption(PROFILE),
        cassette_dir=Path(cassettes) if cassettes else config.rootpath / "cassettes",
    )
