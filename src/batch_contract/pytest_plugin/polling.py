"""Polls one job until it reaches a terminal status, checking every response and the life-cycle
rules over the whole sequence (status only forward, terminal final, counts never decreasing)."""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from batch_contract.core.lifecycle import is_terminal, status_of
from batch_contract.core.rules import Level, check_sequence
from batch_contract.core.schemas import Profile
from batch_contract.pytest_plugin.client import ContractClient
from batch_contract.pytest_plugin.contract import (
    ContractViolation,
    StillRunningWarning,
    expect_valid_status,
    warn_rules,
)


@dataclass(frozen=True)
class PollSettings:
    """How to poll: seconds between polls, seconds before giving up, and whether that fails."""

    interval: float = 2.0
    timeout: float = 120.0
    require_terminal: bool = False
    progress: Callable[[str], None] | None = field(default=None, compare=False, repr=False)
    """Told, before each wait, which job is polled, its status and the time left (the plugin
    shows it on a terminal); told "" when polling ends."""


def poll_until_terminal(
    client: ContractClient,
    job_id: str,
    profile: Profile,
    settings: PollSettings,
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    levels: Mapping[str, Level] | None = None,
) -> list[Any]:
    """Every document seen while polling `job_id`, plus one poll after the terminal status to
    check that it is final. Each document is checked, then the sequence rules over all polls:
    raises `ContractViolation` on the first error-level finding; warnings are reported once."""
    documents: list[Any] = []
    deadline = clock() + settings.timeout
    confirming = False
    try:
        while True:
            response = client.get_status(job_id)
            documents.append(expect_valid_status(response, profile, client.api_key, job_id, levels))
            found = check_sequence(documents, levels)
            problems = tuple(v for v in found if v.severity == "error")
            if problems:
                statuses = " -> ".join(str(status_of(doc)) for doc in documents)
                raise ContractViolation(
                    f"life-cycle of {job_id} breaks the contract ({statuses})", problems
                )
            if confirming:
                warn_rules(found, f"life-cycle of {job_id}")
                return documents
            if is_terminal(documents[-1]):
                confirming = True
            elif clock() >= deadline:
                message = (
                    f"job {job_id} is still {status_of(documents[-1])!r} after "
                    f"{settings.timeout:g} s of polling ({len(documents)} polls)"
                )
                if settings.require_terminal:
                    raise ContractViolation(message + " and --require-terminal is set")
                warnings.warn(message, StillRunningWarning, stacklevel=2)
                warn_rules(found, f"life-cycle of {job_id}")
                return documents
            if settings.progress is not None:
                settings.progress(
                    f"polling {job_id}: {status_of(documents[-1])}, poll {len(documents)}, "
                    f"{max(deadline - clock(), 0.0):.0f} s left"
                )
            sleep(min(settings.interval, max(deadline - clock(), 0.0)))  # never past the end
    finally:
        if settings.progress is not None:
            settings.progress("")
