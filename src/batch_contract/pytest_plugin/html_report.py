"""`--contract-report PATH`: the contract suite writes the report page of `batch-contract report`
at the end of a run, from every response of the endpoint its HTTP client received (replay,
`--reference` or `--live`), as the coverage recorder counts them. The page is red when a body
breaks the contract, when no body of the endpoint was checked, or when the run failed; every form
of the run's key is masked."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import httpx
import pytest

from batch_contract.core.cassette_files import ENDPOINT
from batch_contract.core.schemas import Profile
from batch_contract.report.gather import Exchange
from batch_contract.secret import Secret

RECORDER = pytest.StashKey["ReportRecorder"]()
WORKER_OUTPUT = "batch_contract_report"
"""The key of a pytest-xdist worker's responses in its `workeroutput`."""
KEY_ENV = "LLAMA_CLOUD_API_KEY"


@dataclass(eq=False)  # a plugin object: hashed by identity
class ReportRecorder:
    """Keeps the responses of a contract-suite run and writes the page at its end."""

    config: pytest.Config
    profile: Profile
    path: Path
    exchanges: list[Exchange] = field(default_factory=list)
    secret: Secret | None = None
    where: str = "session"
    requests: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    written: str = ""
    red: bool = False
    """Whether `written` is shown in red: the page could not be written, or is red for want of a
    body checked (a run that may still pass)."""

    def observe(self, response: httpx.Response) -> None:
        """An httpx response hook: keeps a response of the endpoint and its body."""
        request = response.request
        if request.method != "GET" or not ENDPOINT.match(str(request.url)):
            return
        where = f"{self.where}:requests[{self.requests}]"
        self.requests += 1
        job = request.url.path.rstrip("/").rsplit("/", 1)[-1]
        try:
            raw: bytes | None = response.read() if response.status_code == 200 else None
        except httpx.HTTPError as error:  # a body cut short: kept, and raised for the client
            self.exchanges.append(Exchange(where, job, response.status_code, None, str(error)))
            raise
        self.exchanges.append(Exchange(where, job, response.status_code, raw))

    def pytest_runtest_logstart(self, nodeid: str, location: Any) -> None:
        """Names the test whose requests come next."""
        self.where, self.requests = nodeid, 0

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Counts the outcome of each test (its call, or the setup that failed or skipped)."""
        if report.when == "call" or (report.when == "setup" and not report.passed):
            self.outcomes[report.outcome] = self.outcomes.get(report.outcome, 0) + 1
        elif report.when == "teardown" and report.failed:
            self.outcomes["error"] = self.outcomes.get("error", 0) + 1

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        """Under pytest-xdist: adds the responses a worker kept."""
        for where, job, code, raw, problem in getattr(node, "workeroutput", {}).get(
            WORKER_OUTPUT, ()
        ):
            body = raw.encode("latin-1") if raw is not None else None
            self.exchanges.append(Exchange(where, job, code, body, problem))

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        """Writes the page (a pytest-xdist worker hands its responses to the controller)."""
        workeroutput = getattr(session.config, "workeroutput", None)
        if workeroutput is not None:
            workeroutput[WORKER_OUTPUT] = [
                (e.where, e.job, e.code, e.raw.decode("latin-1") if e.raw else e.raw, e.problem)
                for e in self.exchanges
            ]
            return
        if session.exitstatus == pytest.ExitCode.USAGE_ERROR:
            return
        from batch_contract.pytest_plugin.fixtures import rule_levels
        from batch_contract.report.gather import gather
        from batch_contract.report.page import Context, render, unchecked

        data = gather(self.exchanges, self.profile, rule_levels(self.config))
        run = ", ".join(f"{n} {outcome}" for outcome, n in sorted(self.outcomes.items()))
        failed = session.exitstatus != pytest.ExitCode.OK or bool(self.outcomes.get("failed"))
        args = " ".join(str(arg) for arg in self.config.invocation_params.args)
        context = Context(
            "Contract run report",
            (f"pytest {args}",),
            datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
            run=f"{run or 'no test ran'} (exit status {int(session.exitstatus)})",
            failed=failed,
        )
        secret = self.secret or Secret.from_env(KEY_ENV)
        try:
            self.path.write_text(render(data, context, secret), encoding="utf-8")
        except OSError as error:
            self.written = f"cannot write the report {self.path}: {error.strerror or error}"
            self.red = True
            if session.exitstatus == pytest.ExitCode.OK:
                session.exitstatus = pytest.ExitCode.TESTS_FAILED
            return
        self.written = f"contract report written to {self.path}"
        nothing = unchecked(data)
        if nothing is not None:  # a red page after a run that may pass: said where it is seen
            self.written += f" (FAIL: {nothing})"
            self.red = True

    @pytest.hookimpl(trylast=True)
    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        """Says where the page went (in red, why it could not be written, or that it is red for
        want of a body checked)."""
        if self.written:
            terminalreporter.write_line(f"batch-contract: {self.written}", red=self.red)


def start(config: pytest.Config, profile: str) -> None:
    """Registers the run's report recorder when `--contract-report` asks for a page."""
    path = config.getoption("--contract-report", None)
    if not path:
        return
    recorder = ReportRecorder(config, cast(Profile, profile), Path(path))
    config.stash[RECORDER] = recorder
    config.pluginmanager.register(recorder, "batch-contract-report")


def watch(config: pytest.Config, http: httpx.Client, secret: Secret | None) -> None:
    """Keeps every response `http` receives for the page, masking `secret` in it."""
    recorder = config.stash.get(RECORDER, None)
    if recorder is not None:
        recorder.secret = secret or recorder.secret
        http.event_hooks["response"].append(recorder.observe)
