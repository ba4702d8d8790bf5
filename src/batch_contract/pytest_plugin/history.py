"""The life-cycle rules across the tests of a live or `--reference` run: every status a job showed
in a test that passed is kept, in order, and a later test that sees the same job step back (a
terminal status left, a status before an earlier one, a count gone down) fails, naming the test
that saw it earlier. A life-cycle test checks its own polls; this holds the rest of the run to
them too. Replay does not: its cassettes may have been recorded at different times.

Under pytest-xdist each worker holds its own history (the tests of one worker, in its order)."""

from __future__ import annotations

from collections.abc import Generator, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from batch_contract.core.cassette_files import ENDPOINT
from batch_contract.core.check import JSON_MEDIA_TYPE, media_type
from batch_contract.core.jsondoc import parse_document
from batch_contract.core.lifecycle import status_of
from batch_contract.core.rules import Level, check_sequence
from batch_contract.errors import DocumentError

HISTORY = pytest.StashKey["JobHistory"]()


@dataclass(eq=False)  # a plugin object: hashed by identity
class JobHistory:
    """The bodies each job answered with in the run's passed tests; registered as a plugin."""

    levels: Mapping[str, Level]
    seen: dict[str, list[tuple[Any, str]]] = field(default_factory=dict)
    """Job id (one path segment, as requested) -> (body, the test that got it), in order."""
    pending: list[tuple[str, Any]] = field(default_factory=list)
    """The bodies the running test got so far."""

    def observe(self, response: httpx.Response) -> None:
        """An httpx response hook: keeps a 200 JSON body of the endpoint for the running test."""
        request = response.request
        if response.status_code != 200 or request.method != "GET":
            return
        if not ENDPOINT.match(str(request.url)):
            return
        if media_type(response.headers.get("content-type")) != JSON_MEDIA_TYPE:
            return
        try:
            body = parse_document(response.read())
        except DocumentError:
            return  # the test that made the request fails on it
        raw_path = request.url.raw_path.decode("ascii", "replace").partition("?")[0]
        self.pending.append((raw_path.rstrip("/").rsplit("/", 1)[-1], body))

    def pytest_runtest_logstart(self, nodeid: str, location: Any) -> None:
        """A test starts: what came before it belongs to no test."""
        self.pending.clear()

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Generator[None, None, None]:
        """After a test's own call passed: its bodies must continue each job's earlier ones."""
        outcome = yield
        got, self.pending = self.pending, []
        problem = self.step_back(got, item.nodeid)
        if problem is not None:
            pytest.fail(problem, pytrace=False)
        return outcome

    def step_back(self, got: list[tuple[str, Any]], nodeid: str) -> str | None:
        """The first error-level life-cycle finding that joins `got` to an earlier test's bodies
        (None if there is none); `got` is kept when there is none."""
        for job in dict.fromkeys(job for job, _ in got):
            earlier = self.seen.get(job, [])
            if not earlier:
                continue
            docs = [body for body, _ in earlier]
            joined = [*docs, *(body for each, body in got if each == job)]
            for violation in check_sequence(joined, self.levels):
                index = int(violation.path[2 : violation.path.index("]")])
                if violation.severity != "error" or index < len(docs):
                    continue
                before, where = earlier[-1]
                field_path = violation.path.split(".", 1)[1]
                return (
                    f"batch-contract: job {job} was {status_of(before)!r} in {where}, and here: "
                    f"{field_path}: expected {violation.expected}, found {violation.found} "
                    f"[{violation.keyword}]"
                )
        for job, body in got:
            self.seen.setdefault(job, []).append((body, nodeid))
        return None


def start(config: pytest.Config, levels: Mapping[str, Level], http: httpx.Client) -> None:
    """Holds the run's tests to the life-cycle rules across tests (a live or reference run)."""
    history = config.stash.get(HISTORY, None)
    if history is None:
        history = JobHistory(levels)
        config.stash[HISTORY] = history
        config.pluginmanager.register(history, "batch-contract-history")
    http.event_hooks["response"].append(history.observe)
