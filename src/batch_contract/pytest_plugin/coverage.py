"""Contract coverage inside the contract suite: every response of the endpoint the suite's HTTP
client receives is counted (replay, `--reference` or `--live`), and the run ends with a
one-paragraph summary. `--contract-coverage-json`, `--contract-fail-under` and
`--contract-require` (or `[tool.batch-contract.coverage]` in pyproject.toml) write the report and
fail the run as `batch-contract coverage` does."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import httpx
import pytest

from batch_contract.core.cassette_files import ENDPOINT
from batch_contract.core.config import find_pyproject, read_tool_table
from batch_contract.core.jsondoc import parse_document
from batch_contract.core.schemas import Profile
from batch_contract.coverage.counting import Coverage, CoverageReport, check_item_names
from batch_contract.errors import DocumentError, UsageError

GROUP = "batch-contract"
TABLE = "coverage"
"""`[tool.batch-contract.coverage]`: `fail-under` (a percentage), `require` (a list of items) and
`json` (a path, relative to the pyproject.toml)."""
RECORDER = pytest.StashKey["CoverageRecorder"]()
WORKER_OUTPUT = "batch_contract_coverage"
"""The key of a pytest-xdist worker's counts in its `workeroutput`."""


@dataclass
class Settings:
    """What the run requires of its coverage, and where the JSON report goes."""

    require: tuple[str, ...] = ()
    fail_under: float | None = None
    json_path: Path | None = None


def _percent(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 100:
        raise UsageError(f"{where} must be a number from 0 to 100, not {value!r}")
    return float(value)


def read_settings(config: pytest.Config) -> Settings:
    """The settings of a run: `[tool.batch-contract.coverage]`, then the command line (its
    `--contract-require` items are added to the table's)."""
    table: dict[str, Any] = {}
    label = ""
    path = find_pyproject(config.rootpath)
    if path is not None:
        table, label = read_tool_table(path, TABLE)
    unknown = sorted(set(table) - {"fail-under", "require", "json"})
    if unknown:
        raise UsageError(f"{label}: unknown key {unknown[0]!r} (known: fail-under, require, json)")
    require = table.get("require", [])
    if not isinstance(require, list) or not all(isinstance(item, str) for item in require):
        raise UsageError(f"{label}: require must be a list of item names")
    fail_under = table.get("fail-under")
    if fail_under is not None:
        fail_under = _percent(fail_under, f"{label}: fail-under")
    option = config.getoption("--contract-fail-under")
    if option is not None:
        fail_under = _percent(option, "--contract-fail-under")
    json_path = None
    if isinstance(table.get("json"), str) and path is not None:
        json_path = path.parent / table["json"]
    elif "json" in table:
        raise UsageError(f"{label}: json must be a path")
    if config.getoption("--contract-coverage-json"):
        json_path = Path(config.getoption("--contract-coverage-json"))
    items = tuple(dict.fromkeys([*require, *config.getoption("--contract-require")]))
    return Settings(items, fail_under, json_path)


@dataclass(eq=False)  # a plugin object: hashed by identity
class CoverageRecorder:
    """Counts the responses of a contract-suite run; registered as a plugin for its hooks."""

    config: pytest.Config
    profile: Profile
    settings: Settings
    counted: Coverage | None = None
    where: str = "session"
    requests: int = 0
    contract_tests: int = 0
    polls: dict[str, tuple[list[Any], list[str]]] = field(default_factory=dict)
    report: CoverageReport | None = None
    unmet: list[str] = field(default_factory=list)

    @property
    def coverage(self) -> Coverage:
        """The count, made on first use (deriving the items costs a little start-up)."""
        if self.counted is None:
            from batch_contract.pytest_plugin.fixtures import rule_levels

            self.counted = Coverage(self.profile, rule_levels(self.config))
        return self.counted

    def observe(self, response: httpx.Response) -> None:
        """An httpx response hook: counts a response of the endpoint (and its body)."""
        request = response.request
        if request.method != "GET" or not ENDPOINT.match(str(request.url)):
            return
        where = f"{self.where}:requests[{self.requests}]"
        self.requests += 1
        self.coverage.http(response.status_code, where)
        if response.status_code != 200:
            return
        try:  # a body cut short raises httpx's error here: the client retries it as the SDK does
            body = parse_document(response.read())
        except DocumentError:
            return  # not a JSON body: the test that made the request fails on it
        self.coverage.body(body, where)
        raw_path = request.url.raw_path.decode("ascii", "replace").partition("?")[0]
        job_id = raw_path.rstrip("/").rsplit("/", 1)[-1]  # one segment, still percent-encoded
        docs, wheres = self.polls.setdefault(job_id, ([], []))
        docs.append(body)
        wheres.append(where)

    def pytest_runtest_logstart(self, nodeid: str, location: Any) -> None:
        """Names the test whose requests come next."""
        self.where, self.requests = nodeid, 0

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        """Counts the contract tests that will run: a run without any prints no coverage."""
        from batch_contract.pytest_plugin.targets import is_contract_test

        self.contract_tests = sum(1 for item in items if is_contract_test(item))

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        """Under pytest-xdist: adds what a worker counted to the run's coverage."""
        counted = getattr(node, "workeroutput", {}).get(WORKER_OUTPUT)
        if counted is None:
            return
        coverage = self.coverage
        coverage.add(counted["seen"], counted["first"])
        coverage.bodies += counted["bodies"]
        coverage.responses += counted["responses"]
        self.contract_tests += counted["contract_tests"]

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        """Computes the report, writes the JSON file and fails the run on an unmet requirement
        (a pytest-xdist worker hands its counts to the controller instead)."""
        for docs, wheres in self.polls.values():
            self.coverage.polls(docs, wheres)
        self.polls.clear()
        workeroutput = getattr(session.config, "workeroutput", None)
        if workeroutput is not None and self.contract_tests:
            coverage = self.coverage
            workeroutput[WORKER_OUTPUT] = {
                "seen": coverage.seen,
                "first": coverage.first,
                "bodies": coverage.bodies,
                "responses": coverage.responses,
                "contract_tests": self.contract_tests,
            }
        if workeroutput is not None or not self.contract_tests:
            return
        if session.exitstatus in (pytest.ExitCode.INTERRUPTED, pytest.ExitCode.USAGE_ERROR):
            return  # the run stopped before it could check: no coverage to speak of
        option = session.config.option
        if option.collectonly or option.setuponly or option.setupplan:
            return  # tests listed, not run (an editor's test discovery): nothing to report
        self.report = self.coverage.report()
        self.unmet = self.report.unmet(
            self.settings.require, self.settings.fail_under, "--contract-fail-under"
        )
        if self.settings.json_path is not None:
            from batch_contract.coverage.report import as_json

            text = json.dumps(as_json(self.report), indent=2) + "\n"
            try:
                self.settings.json_path.write_text(text, encoding="utf-8")
            except OSError as error:
                where = self.settings.json_path
                self.unmet.append(f"cannot write {where}: {error.strerror or error}")
        if self.unmet and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    @pytest.hookimpl(trylast=True)
    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        """Ends the run with the coverage paragraph and, in red, what it failed."""
        if self.report is None:
            return
        from batch_contract.coverage.report import summary

        terminalreporter.write_line(f"batch-contract: {summary(self.report)}")
        for line in self.unmet:
            terminalreporter.write_line(f"batch-contract: {line}", red=True)


def start(config: pytest.Config, profile: str) -> None:
    """Registers the run's coverage recorder (raises `UsageError` for a bad setting)."""
    settings = read_settings(config)
    if settings.require:
        check_item_names(settings.require, cast(Profile, profile))
    recorder = CoverageRecorder(config, cast(Profile, profile), settings)
    config.stash[RECORDER] = recorder
    config.pluginmanager.register(recorder, "batch-contract-coverage")


def watch(config: pytest.Config, http: httpx.Client) -> None:
    """Counts every response `http` receives in the run's coverage."""
    recorder = config.stash.get(RECORDER, None)
    if recorder is not None:
        http.event_hooks["response"].append(recorder.observe)
