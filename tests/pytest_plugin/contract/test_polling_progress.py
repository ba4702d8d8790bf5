"""While a live run polls a job, a progress line says which job, its status and the time left;
it is shown on a terminal only, and cleared when polling ends."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import pytest

from batch_contract.pytest_plugin.client import ContractClient
from batch_contract.pytest_plugin.plugin import progress_line
from batch_contract.pytest_plugin.polling import PollSettings, poll_until_terminal
from batch_contract.server import MOVING_JOB_IDS, running_server


def test_polling_reports_job_status_and_time_left() -> None:
    """Each wait is announced with the job, its status, the poll number and the seconds left;
    the last call clears the line."""
    seen: list[str] = []
    settings = PollSettings(interval=0.01, timeout=60, progress=seen.append)
    job = MOVING_JOB_IDS[0]
    with running_server() as server:
        client = ContractClient(server.base_url, server.api_key)
        try:
            documents = poll_until_terminal(client, job, "documented", settings)
        finally:
            client.close()
    assert seen[-1] == ""
    lines = seen[:-1]
    assert len(lines) == len(documents) - 1
    for number, line in enumerate(lines, 1):
        assert re.fullmatch(rf"polling {job}: [a-z_]+, poll {number}, \d+ s left", line), line


class Reporter:
    """A terminal reporter stand-in that records what is written."""

    def __init__(self, isatty: bool) -> None:
        self.isatty = isatty
        self.written: list[str] = []

    def write(self, text: str, **markup: Any) -> None:
        """Record."""
        self.written.append(text)


def config_with(reporter: Reporter) -> Any:
    """A pytest config stand-in whose plugin manager knows only the reporter."""
    plugins = {"terminalreporter": reporter}
    return SimpleNamespace(pluginmanager=SimpleNamespace(get_plugin=plugins.get))


@pytest.mark.parametrize("isatty", [True, False])
def test_progress_line_only_on_a_terminal(isatty: bool) -> None:
    """On a terminal the line is rewritten in place and cleared at the end; elsewhere (CI logs)
    nothing is shown."""
    reporter = Reporter(isatty)
    show = progress_line(config_with(reporter))
    if not isatty:
        assert show is None
        return
    assert show is not None
    show("polling bjb-1: running, poll 1, 119 s left")
    show("polling bjb-1: done, poll 2, 9 s left")
    show("")
    assert reporter.written == [
        "\rbatch-contract: polling bjb-1: running, poll 1, 119 s left",
        "\rbatch-contract: polling bjb-1: done, poll 2, 9 s left     ",
        "\r" + " " * 53 + "\r",
    ]


def test_a_wait_never_runs_past_the_poll_timeout() -> None:
    """`--poll-interval 1000 --poll-timeout 1`: the wait before the next poll is cut at the
    deadline (it slept the whole interval, and the run hung), then the job still running is
    warned about once the deadline has passed."""
    import httpx

    from batch_contract.pytest_plugin.contract import StillRunningWarning

    body = {
        "job": {
            "id": "bjb-1",
            "job_type": "parse",
            "project_id": "p",
            "status": "running",
            "total_items": 9,
        },
        "progress_percentage": 0,
    }
    http = httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(200, json=body)))
    client = ContractClient("http://test", None, http=http)
    now = [0.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    settings = PollSettings(interval=1000, timeout=1)
    with pytest.warns(StillRunningWarning, match="still 'running' after 1 s of polling"):
        documents = poll_until_terminal(
            client, "bjb-1", "documented", settings, clock=lambda: now[0], sleep=sleep
        )
    assert waits == [1.0]
    assert len(documents) == 2
