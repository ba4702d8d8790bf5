"""The contract tests a run leaves out, said at its end: how many and why, one line each, and
counted in pytest's own "deselected". Under pytest-xdist the workers collect and deselect, and
pytest-xdist tells the controller nothing of it: each worker hands what it left out to the
controller (its `workeroutput`), which writes the summary."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

WORKER_OUTPUT = "batch_contract_deselected"
"""The key of a pytest-xdist worker's left-out tests in its `workeroutput`."""
_LEFT_OUT = pytest.StashKey[dict[str, list[str]]]()
"""Why tests were left out (`"<kind> tests deselected: <reason>"`), with their node ids."""


@dataclass(frozen=True)
class LeftOut:
    """A test a pytest-xdist worker deselected, as the controller's terminal counts it (the
    worker's `pytest.Item` stays in the worker)."""

    nodeid: str


def deselect(
    config: pytest.Config, items: list[pytest.Item], chosen: list[pytest.Item], why: str
) -> None:
    """Removes `chosen` from `items`, tells pytest (its summary counts them) and keeps their node
    ids under `why`, such as `"schemathesis tests deselected: they need a server"`, for the end
    of the run."""
    if not chosen:
        return
    config.hook.pytest_deselected(items=chosen)
    items[:] = [item for item in items if item not in chosen]
    left_out = config.stash.setdefault(_LEFT_OUT, {})
    left_out.setdefault(why, []).extend(item.nodeid for item in chosen)
    workeroutput = getattr(config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput[WORKER_OUTPUT] = left_out


def from_worker(config: pytest.Config, node: Any) -> None:
    """Under pytest-xdist, in the controller: takes what a worker left out, once (every worker
    collects the same tests), and adds it to the terminal's count of deselected tests."""
    sent = getattr(node, "workeroutput", {}).get(WORKER_OUTPUT)
    if not sent or _LEFT_OUT in config.stash:
        return
    config.stash[_LEFT_OUT] = {str(why): [str(each) for each in ids] for why, ids in sent.items()}
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    stats = getattr(reporter, "stats", None)
    if isinstance(stats, dict):
        stats.setdefault("deselected", []).extend(
            LeftOut(each) for ids in config.stash[_LEFT_OUT].values() for each in ids
        )


def summary(config: pytest.Config) -> list[str]:
    """One line for each reason tests were left out, with their count."""
    left_out = config.stash.get(_LEFT_OUT, {})
    if hasattr(config, "workerinput"):
        return []  # a worker's terminal is not shown; the controller says it
    return [f"{len(ids)} {why}" for why, ids in left_out.items()]
