"""Fixtures for users' own test suites: `batch_status_schema`, `assert_batch_status` and
`batch_reference_server`.

Installed with the package through the `pytest11` entry point, so any test file can use them
after `pip install batch-contract`.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from batch_contract.pytest_plugin.options import GROUP, GROUP_DESCRIPTION

if TYPE_CHECKING:  # imported where used: every pytest run of the environment loads this module
    from batch_contract.core.rules import Level
    from batch_contract.server import RunningServer


def pytest_addoption(parser: pytest.Parser) -> None:
    """Registers `--contract-rule NAME=LEVEL` (also `--rule` in the contract suite), shared by the
    contract suite and `assert_batch_status`."""
    group = parser.getgroup(GROUP, GROUP_DESCRIPTION)
    group.addoption(
        "--contract-rule",
        action="append",
        default=[],
        dest="batch_contract_rules",
        metavar="NAME=LEVEL",
        help="set a semantic rule to error, warning or off (repeatable); "
        "see `batch-contract rules`",
    )


def pytest_configure(config: pytest.Config) -> None:
    """A bad `--contract-rule` stops the run at its start, in one line, as pytest's own bad
    options do, rather than erroring each test that uses `assert_batch_status` (and, in the
    contract suite, after every test ran). Read only when given: other runs pay nothing."""
    if config.getoption("batch_contract_rules", default=None):
        _option_levels(config)


def _option_levels(config: pytest.Config) -> dict[str, Level]:
    """The levels the run's `--contract-rule` options set; `pytest.UsageError` if one is bad,
    naming the option as the command line spelled it (`--rule` is the contract suite's alias)."""
    from batch_contract.core.rules import parse_rule_option
    from batch_contract.errors import UsageError

    typed = (str(arg) for arg in config.invocation_params.args)
    option = "--contract-rule" if any(a.startswith("--contract-rule") for a in typed) else "--rule"
    try:
        return dict(
            parse_rule_option(text, option)
            for text in config.getoption("batch_contract_rules", default=[]) or []
        )
    except UsageError as error:
        raise pytest.UsageError(str(error)) from None


def rule_levels(config: pytest.Config) -> dict[str, Level]:
    """Rule levels for a pytest run: defaults, then pyproject.toml, then `--rule` options."""
    from batch_contract.core.rules import load_levels
    from batch_contract.errors import UsageError

    try:
        levels = load_levels(config.rootpath)
    except UsageError as error:
        raise pytest.UsageError(str(error)) from None
    return {**levels, **_option_levels(config)}


@pytest.fixture
def batch_status_schema() -> dict[str, Any]:
    """The documented-profile JSON Schema of a Get Batch Job Status response, self-contained."""
    from batch_contract.core.schemas import bundled_schema

    return bundled_schema("documented", "status")


@pytest.fixture
def assert_batch_status(pytestconfig: pytest.Config) -> Callable[..., Any]:
    """Asserts that a body or response honours the contract (rule levels from pyproject.toml and
    --rule); raises an AssertionError listing every violation with its JSON path, and issues a
    `RuleWarning` at the test's line for each finding of a rule at "warning"."""
    from batch_contract.assertions import verdict

    bad: str | None = None
    try:
        levels = rule_levels(pytestconfig)
    except pytest.UsageError as error:  # a bad level in pyproject.toml: one line, no traceback
        bad = f"batch-contract: {error}"
    if bad is not None:
        pytest.fail(bad, pytrace=False)
    shown: set[tuple[str, str, int]] = set()

    def check(body: Any, **kwargs: Any) -> Any:
        __tracebackhide__ = True  # the failure shows at the test's own line
        kwargs.setdefault("rules", levels)
        document, notes, mismatch = verdict(body, **kwargs)
        for note in notes:
            warn_rule(note, 2, shown)
        if mismatch is not None:
            raise mismatch
        return document

    return check


def warn_rule(text: str, stacklevel: int, shown: set[tuple[str, str, int]]) -> None:
    """Issues a `RuleWarning` where `warnings.warn(text, RuleWarning, stacklevel)` in the caller
    would, as the run's warning filters say (`-W`, `filterwarnings` in the ini file or a marker),
    except a catch-all `error` (`-W error`, `filterwarnings = error`): that one shows it without
    failing the test, as the contract suite does, since a rule at "warning" is not a failure. A
    filter that names `RuleWarning` (or `UserWarning`) makes it an error. Shown that way, a
    warning is shown once per text and line (`shown`, one test's), as the "default" action does."""
    __tracebackhide__ = True
    from batch_contract.errors import RuleWarning

    frame = sys._getframe(stacklevel)
    module = frame.f_globals.get("__name__", "<string>")
    if _catch_all_error(text, str(module), frame.f_lineno):
        where = (text, frame.f_code.co_filename, frame.f_lineno)
        if where in shown:
            return
        shown.add(where)
        warning = RuleWarning(text)
        warnings.showwarning(warning, RuleWarning, frame.f_code.co_filename, frame.f_lineno)
        return
    warnings.warn(text, RuleWarning, stacklevel=stacklevel + 1)


def _catch_all_error(text: str, module: str, lineno: int) -> bool:
    """Whether the warning filter that decides a `RuleWarning` with this text, at this module
    and line, is an `error` for every category (`Warning`), rather than one naming it."""
    from batch_contract.errors import RuleWarning

    for action, message, category, where, line in warnings.filters:
        if (
            (message is None or message.match(text))
            and issubclass(RuleWarning, category)
            and (where is None or where.match(module))
            and line in (0, lineno)
        ):
            return action == "error" and category is Warning
    return False


@pytest.fixture
def batch_reference_server() -> Iterator[RunningServer]:
    """A faithful reference server of the endpoint on a free loopback port (its own jobs, its own
    key): `.base_url`, `.api_key`, `.job_ids`, `.moving_job_ids`, `.static_job_ids`."""
    from batch_contract.errors import UsageError
    from batch_contract.suite import require_suite

    missing = None
    try:
        require_suite("the batch_reference_server fixture")
    except UsageError as error:
        missing = f"batch-contract: {error}"
    if missing is not None:
        pytest.fail(missing, pytrace=False)
    from batch_contract.server import running_server

    with running_server() as server:
        yield server
