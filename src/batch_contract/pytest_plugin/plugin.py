"""The pytest plugin of the contract suite: targets, parametrization by job id, the fixtures the
tests in contract_tests/ use, and the cassettes (replayed offline by default, recorded with a
target and `--record-mode`). Loaded by `batch_contract.pytest_plugin.entry`, which registers
the options, when a run needs it."""

from __future__ import annotations

import contextlib
import math
import warnings
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from typing import Any, cast

import httpx
import pytest

from batch_contract.core.rules import Level
from batch_contract.core.schemas import Profile
from batch_contract.errors import RuleWarning, UsageError
from batch_contract.pytest_plugin import coverage as coverage_plugin
from batch_contract.pytest_plugin import deselection, masking
from batch_contract.pytest_plugin import history as history_plugin
from batch_contract.pytest_plugin import html_report as report_plugin
from batch_contract.pytest_plugin.cassettes import (
    LOOPBACK,
    NONE_ASKED,
    NONE_RECORDED,
    CassetteRun,
    blocked_message,
    cassette_name,
    cassette_run,
    check_jobs_file,
    check_replay_mode,
    missing_folder_message,
    missing_message,
    only_failed_message,
    scrubber_for,
    unmatched_message,
    unplayed_message,
)
from batch_contract.pytest_plugin.client import (
    ContractClient,
    OnlyFailedAnswers,
    ServerUnreachable,
    new_http_client,
)
from batch_contract.pytest_plugin.contract import RetryWarning, StillRunningWarning
from batch_contract.pytest_plugin.fixtures import rule_levels
from batch_contract.pytest_plugin.options import (
    PROFILE,
    read_options,
)
from batch_contract.pytest_plugin.polling import PollSettings
from batch_contract.pytest_plugin.recording import CassetteRefused, configure_vcr, vcr_options
from batch_contract.pytest_plugin.targets import (
    DEFAULT_POLL_INTERVAL,
    KEY_ENV,
    UNKNOWN_JOB_ID,
    Options,
    ReferenceServer,
    Target,
    is_contract_test,
    live_target,
    replay_target,
)
from batch_contract.secret import Secret
from batch_contract.server.breaks import check_breaks

JOB_ID_FIXTURES = {"status_job_id": "status_job_ids", "lifecycle_job_id": "lifecycle_job_ids"}
NOT_ASKED_FOR = {
    "status_job_id": "status and auth tests deselected: no job --job-id asked for has a recorded "
    "status (status/<job id>.yaml)",
    "lifecycle_job_id": "life-cycle tests deselected: no job --job-id asked for has a recorded "
    "life-cycle (lifecycle/<job id>.yaml)",
}
"""Why a replayed test is left out when the jobs `--job-id` chose have no cassette of its kind."""


@dataclass
class State:
    """What the plugin knows for one pytest run: options, the target and why tests were left out."""

    options: Options
    target: Target | None = None
    reference: ReferenceServer | None = None
    cassettes: CassetteRun | None = None
    checked: bool = False
    """Whether the live deployment was checked (reachable, key accepted) before its first test."""

    def resolve(self) -> Target | None:
        """The target, starting the reference server on first need."""
        if self.target is None and self.reference is not None:
            self.target = self.reference.target()
        return self.target


STATE = pytest.StashKey[State]()
CONTROLLER_CHECKS = "batch_contract_controller_checks"
"""Set in a pytest-xdist worker's `workerinput` when the controller makes the start-up check."""
PASSED = pytest.StashKey[bool]()
CASSETTE = pytest.StashKey[str]()


def pytest_configure(config: pytest.Config) -> None:
    """Resolves the target; a live target missing its key, URL or job ids stops the run, and so
    does a break of the reference server (`--reference-break`) that is unknown or has no
    `--reference` to break."""
    try:
        options = read_options(config)
        state = State(options)
        breaks = check_breaks(config.getoption("--contract-reference-break"))
        if breaks and options.kind != "reference":
            raise UsageError(
                f"--reference-break breaks the --reference server only: add --reference (a "
                f"{options.kind} run would ignore it)"
            )
        if options.kind == "live":
            state.target = live_target(options)
        elif options.kind == "reference":
            state.reference = ReferenceServer(options.profile, breaks)
        else:
            state.target = replay_target(options)
        state.cassettes = cassette_run(
            options.kind, config.getoption("--record-mode", None), options.cassette_dir
        )
        if config.getoption("--contract-http-retries") < 0:
            raise UsageError("--http-retries must be 0 or more")
        check_seconds(config)
        rule_levels(config)  # a bad level in pyproject.toml stops the run here, before its tests
        coverage_plugin.start(config, options.profile)
        report_plugin.start(config, options.profile)
    except UsageError as error:
        raise pytest.UsageError(str(error)) from None
    if getattr(config, "workerinput", {}).get(CONTROLLER_CHECKS):
        state.checked = True
    config.stash[STATE] = state
    env_key = Secret.from_env(KEY_ENV)
    masking.install(config, lambda: (env_key, state.target.api_key if state.target else None))


def pytest_unconfigure(config: pytest.Config) -> None:
    """Stops the reference server, if one was started."""
    state = config.stash.get(STATE, None)
    if state is not None and state.reference is not None:
        state.reference.close()
    if state is not None and state.cassettes is not None:
        state.cassettes.close()


def check_seconds(config: pytest.Config) -> None:
    """Each option given in seconds must be finite, and above 0 (`--poll-interval`: 0 or more):
    a poll timeout of 0 or less would poll once and pass a life-cycle it never followed."""
    for name, zero_allowed in (
        ("poll-timeout", False),
        ("poll-interval", True),
        ("http-timeout", False),
    ):
        value = config.getoption(f"--contract-{name}")
        if value is None or (0 <= value < math.inf if zero_allowed else 0 < value < math.inf):
            continue
        wanted = "0 or a positive" if zero_allowed else "a positive"
        raise UsageError(f"--{name} must be {wanted} finite number of seconds, got {value}")


def check_deployment(config: pytest.Config, target: Target) -> None:
    """Before the first contract test of a live run (never at collection, so `--collect-only`
    sends nothing): the deployment must answer and accept the key, else the run stops with one
    line and exit code 4."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")

    def say(message: str) -> None:
        if reporter is None:
            return
        with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
            reporter.write_line(f"batch-contract: {message}")

    client = _client(config, target, say)
    try:
        purpose = f"start-up check of {target.base_url}"
        status = client.get_status(UNKNOWN_JOB_ID, purpose=purpose).status_code
    except ServerUnreachable as error:
        pytest.exit(f"batch-contract: {error}", returncode=pytest.ExitCode.USAGE_ERROR)
    finally:
        client.close()
    if status in (401, 403):
        pytest.exit(
            f"batch-contract: {target.base_url} refused the key in {KEY_ENV} (HTTP {status}): "
            "check the key and the base URL",
            returncode=pytest.ExitCode.USAGE_ERROR,
        )


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """Under pytest-xdist, in the controller: a live run's workers leave the start-up check to
    the controller (a worker's `pytest.exit` crashes xdist, and its line is never shown)."""
    state = node.config.stash.get(STATE, None)
    if state is not None and state.options.kind == "live":
        node.workerinput[CONTROLLER_CHECKS] = True


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_node_collection_finished(node: Any, ids: list[str]) -> None:
    """Under pytest-xdist, in the controller, once the first worker has collected a test and
    before any test runs: the start-up check of a live run, which stops the run with one line."""
    state = node.config.stash.get(STATE, None)
    if state is None or state.checked or not ids:
        return
    if state.target is not None and state.target.kind == "live":
        state.checked = True
        check_deployment(node.config, state.target)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrizes the contract tests by the target's job ids (the id shows in the test name);
    another test of the run keeps its own `status_job_id` or `lifecycle_job_id`."""
    state = metafunc.config.stash.get(STATE, None)
    wanted = [name for name in JOB_ID_FIXTURES if name in metafunc.fixturenames]
    if state is None or not wanted or not is_contract_test(metafunc):
        return
    target = state.resolve()
    if target is None:
        return
    for name in wanted:
        ids = getattr(target, JOB_ID_FIXTURES[name])
        if not ids and target.kind == "replay" and state.options.job_ids:
            ids = (NONE_ASKED,)  # deselected, with a line saying why: never a skip
        if not ids and target.kind == "replay":
            ids = (NONE_RECORDED,)  # fails at run time, saying what to record
        if not ids:
            raise pytest.UsageError(f"the {target.kind} target has no job ids for {name}")
        metafunc.parametrize(name, ids, ids=list(ids))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Gives each contract test its cassette (replay or record), blocks the network of an
    offline run, and deselects, visibly, the contract tests that replay cannot run."""
    state = config.stash.get(STATE, None)
    if state is None:
        return
    contract = [item for item in items if is_contract_test(item)]
    run = state.cassettes
    replay = run is not None and run.mode == "replay"
    if run is not None and replay and contract:
        try:
            check_replay_mode(run)
        except UsageError as error:
            raise pytest.UsageError(str(error)) from None
        if state.target is None:
            raise pytest.UsageError(missing_folder_message(state.options.cassette_dir))
        try:
            check_jobs_file(state.options.cassette_dir, _templates(contract))
        except UsageError as error:
            raise pytest.UsageError(str(error)) from None
    if replay:
        left_out = [item for item in contract if cassette_name(item) is None]
        why = "contract tests deselected: they need a server: run with --reference or --live"
        deselection.deselect(config, items, left_out, why)
        for fixture, why in NOT_ASKED_FOR.items():
            unasked = [item for item in items if _job_id(item, fixture) == NONE_ASKED]
            deselection.deselect(config, items, unasked, why)
    quiet = [
        f"default::{cls.__module__}.{cls.__qualname__}"
        for cls in (StillRunningWarning, RetryWarning, RuleWarning)
    ]
    for item in items:
        name = cassette_name(item) if is_contract_test(item) else None
        if not is_contract_test(item):
            # an offline contract run keeps the rest of the run offline too; a project's own
            # tests, in a run without contract tests, are left as they are
            if replay and contract and item.get_closest_marker("block_network") is None:
                item.add_marker(pytest.mark.block_network(allowed_hosts=LOOPBACK))
            continue
        for spec in quiet:
            item.add_marker(pytest.mark.filterwarnings(spec))
        if name is not None and run is not None and run.mode != "off":
            item.stash[CASSETTE] = name
            item.add_marker(pytest.mark.vcr)
            item.add_marker(pytest.mark.default_cassette(name))
            if replay:
                item.add_marker(pytest.mark.block_network)


def _job_id(item: pytest.Item, fixture: str) -> object:
    """The job id a test was parametrized with for `fixture` (None without one)."""
    return getattr(getattr(item, "callspec", None), "params", {}).get(fixture)


def pytest_report_header(config: pytest.Config) -> str | None:
    """Names the target in the header of the run."""
    state = config.stash.get(STATE, None)
    if state is None:
        return None
    kind = state.options.kind
    if kind == "live" and state.target is not None:
        return (
            f"batch-contract: live target {state.target.base_url}, profile {state.options.profile}"
        )
    if kind == "replay" and not state.options.cassette_dir.is_dir():
        return None  # a project without cassettes: nothing of ours will run, say nothing
    return f"batch-contract: {kind} target, profile {state.options.profile}"


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """Says which cassettes a recording run wrote or kept (the light entry point says which
    contract tests were deselected, and why: `deselection`)."""
    state = config.stash.get(STATE, None)
    if state is not None and state.cassettes is not None:
        for line in state.cassettes.summary():
            terminalreporter.write_line(f"batch-contract: {line}")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    """Fails a replayed test at once, with the command to record it, when its cassette is
    missing; and, once its call passed, when its cassette holds answers it never asked for (an
    answer replay never played was never checked)."""
    state = item.config.stash.get(STATE, None)
    name = item.stash.get(CASSETTE, None)
    replay = state is not None and state.cassettes is not None and state.cassettes.mode == "replay"
    if replay and state is not None and state.cassettes is not None and name is not None:
        path = state.cassettes.path(name)
        if not path.is_file():
            if path.stem == NONE_RECORDED:
                pytest.fail(missing_folder_message(path.parent), pytrace=False)
            pytest.fail(missing_message(path), pytrace=False)
    result = yield
    if replay and name is not None:
        left_over = unplayed_message(name, getattr(item, "funcargs", {}).get("vcr"))
        if left_over is not None:
            pytest.fail(left_over, pytrace=False)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Generator[None, None, None]:
    """After a recorded test's fixtures closed its cassette: keep the recording only if the test
    passed (the good cassette stays otherwise)."""
    try:
        return (yield)
    finally:
        state = item.config.stash.get(STATE, None)
        name = item.stash.get(CASSETTE, None)
        if state is not None and state.cassettes is not None and name is not None:
            state.cassettes.finish(name, item.stash.get(PASSED, False))


@pytest.hookimpl(optionalhook=True)
def pytest_recording_configure(config: pytest.Config, vcr: Any) -> None:
    """Gives the contract suite's cassettes their serializer, matcher and staging persister."""
    state = config.stash.get(STATE, None)
    if state is None or state.cassettes is None or state.target is None:
        return
    if str(vcr.cassette_library_dir) != str(state.cassettes.directory):
        return
    configure_vcr(vcr, state.cassettes.persister(scrubber_for(state.target).secrets))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Shows an unreachable server, a blocked connection, a request missing from its cassette or
    a cassette of only failed answers as one line instead of a traceback; remembers whether the
    test itself passed."""
    report = yield
    if call.when == "call":
        item.stash[PASSED] = report.passed
    error = call.excinfo.value if call.excinfo is not None else None
    if isinstance(error, ServerUnreachable):
        report.longrepr = f"batch-contract: {error}"
    elif isinstance(error, OnlyFailedAnswers):
        report.longrepr = only_failed_message(item.stash.get(CASSETTE, "?"), error)
    elif type(error).__name__ == "CannotOverwriteExistingCassetteException":
        report.longrepr = unmatched_message(item.stash.get(CASSETTE, "?"), error)
    elif isinstance(error, CassetteRefused):
        report.longrepr = f"batch-contract: {error}"
    elif isinstance(error, RuntimeError) and str(error).startswith("Network is disabled"):
        report.longrepr = blocked_message(str(error).rsplit(" ", 1)[-1].strip("'"))
    return report


def _templates(contract: list[pytest.Item]) -> set[str]:
    """The `contract_cassette` names of the contract tests (before they are formatted)."""
    markers = (item.get_closest_marker("contract_cassette") for item in contract)
    return {str(marker.args[0]) for marker in markers if marker is not None and marker.args}


def call_passed(item: pytest.Item) -> bool:
    """Whether a test's own call passed (False before it ran): a fixture's teardown check can
    then stay quiet about a test that already failed."""
    return item.stash.get(PASSED, False)


def _warn_retry(message: str) -> None:
    warnings.warn(message, RetryWarning, stacklevel=4)


def _client(
    config: pytest.Config,
    target: Target | None,
    report_retry: Callable[[str], None] = _warn_retry,
    http: httpx.Client | None = None,
) -> ContractClient:
    if target is None:
        raise pytest.UsageError("no contract target (use --reference or --live)")
    replay = target.kind == "replay"  # retries as recording did (vcrpy plays them in order)
    return ContractClient(
        target.base_url,
        target.api_key,
        timeout=config.getoption("--contract-http-timeout"),
        organization_id=target.organization_id,
        project_id=target.project_id,
        max_retries=config.getoption("--contract-http-retries"),
        on_retry=report_retry,
        replay=replay,
        http=http,
    )


@pytest.fixture(scope="session")
def contract_target(pytestconfig: pytest.Config) -> Target:
    """The resolved target (live, reference or replay) with its base URL and job ids."""
    state = pytestconfig.stash[STATE]
    target = state.resolve()
    if target is None:
        raise pytest.UsageError("no contract target (use --reference or --live)")
    if target.kind == "live" and not state.checked:
        state.checked = True
        check_deployment(pytestconfig, target)
    return target


@pytest.fixture(scope="session")
def contract_profile(pytestconfig: pytest.Config) -> Profile:
    """The schema profile responses must honour (`--profile`)."""
    return cast(Profile, pytestconfig.getoption(PROFILE))


@pytest.fixture(scope="session")
def poll_settings(pytestconfig: pytest.Config, contract_target: Target) -> PollSettings:
    """How the life-cycle tests poll (`--poll-interval`, `--poll-timeout`, `--require-terminal`);
    a live run on a terminal shows a progress line while it polls."""
    interval = pytestconfig.getoption("--contract-poll-interval")
    return PollSettings(
        interval=DEFAULT_POLL_INTERVAL[contract_target.kind] if interval is None else interval,
        timeout=pytestconfig.getoption("--contract-poll-timeout"),
        require_terminal=pytestconfig.getoption("--contract-require-terminal"),
        progress=progress_line(pytestconfig) if contract_target.kind == "live" else None,
    )


def progress_line(config: pytest.Config) -> Callable[[str], None] | None:
    """Writes a progress line over itself on the terminal (None when output is not a terminal,
    such as CI logs, or when pytest-xdist workers run the tests)."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None or not getattr(reporter, "isatty", False):
        return None
    if hasattr(config, "workerinput"):
        return None
    capture = config.pluginmanager.get_plugin("capturemanager")
    shown = [0]

    def show(message: str) -> None:
        text = f"batch-contract: {message}" if message else ""
        with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
            reporter.write("\r" + text.ljust(shown[0]) + ("" if text else "\r"), flush=True)
        shown[0] = len(text)

    return show


@pytest.fixture(scope="session")
def contract_http(pytestconfig: pytest.Config, contract_target: Target) -> Iterator[httpx.Client]:
    """The httpx client shared by the session's requests (explicit timeout, `--http-timeout`);
    a live or reference run holds its tests to the life-cycle rules across tests (`history`)."""
    timeout = pytestconfig.getoption("--contract-http-timeout")
    with new_http_client(timeout, keep_alive=contract_target.kind == "live") as http:
        coverage_plugin.watch(pytestconfig, http)
        report_plugin.watch(pytestconfig, http, contract_target.api_key)
        if contract_target.kind != "replay":
            history_plugin.start(pytestconfig, rule_levels(pytestconfig), http)
        yield http


@pytest.fixture
def contract_client(
    pytestconfig: pytest.Config, contract_target: Target, contract_http: httpx.Client
) -> ContractClient:
    """An HTTP client for the target, with the SDK's retry policy and the key masked in output."""
    return _client(pytestconfig, contract_target, http=contract_http)


@pytest.fixture(scope="session")
def contract_rule_levels(pytestconfig: pytest.Config) -> dict[str, Level]:
    """Levels of the semantic rules: defaults, `[tool.batch-contract.rules]`, then `--rule`."""
    return rule_levels(pytestconfig)


@pytest.fixture(scope="session")
def contract_vcr_config(contract_target: Target) -> dict[str, Any]:
    """The vcrpy options of the contract cassettes (scrubbing, matching, readable bodies)."""
    return vcr_options(scrubber_for(contract_target))


@pytest.fixture(scope="session")
def contract_cassette_dir(pytestconfig: pytest.Config) -> str:
    """The folder pytest-recording reads and writes (a staging folder while recording)."""
    run = pytestconfig.stash[STATE].cassettes
    assert run is not None
    return str(run.directory)


@pytest.fixture(scope="session")
def unknown_job_id() -> str:
    """A well-formed job id that no deployment holds."""
    return UNKNOWN_JOB_ID
