"""Whether the `[suite]` extra is installed, and the one line that says how to install it.

The light install (`pip install batch-contract`) gives validate-status, `batch-contract
validate|rules|drift` and the `assert_batch_status` / `batch_status_schema` fixtures. The contract
suite, the reference server, recording and schemathesis need the `[suite]` extra."""

from __future__ import annotations

import importlib.util

from batch_contract.errors import UsageError

EXTRA = "suite"
MODULES = ("httpx", "starlette", "uvicorn", "vcr", "pytest_recording", "schemathesis")
"""What the extra installs, by import name."""
INSTALL = "pip install 'batch-contract[suite]'"


def missing_modules() -> list[str]:
    """The extra's modules that cannot be imported here (found without importing them)."""
    return [name for name in MODULES if importlib.util.find_spec(name) is None]


def require_suite(what: str) -> None:
    """Raise a one-line `UsageError` naming the extra when `what` cannot run without it."""
    missing = missing_modules()
    if missing:
        raise UsageError(
            f"{what} needs the [{EXTRA}] extra ({', '.join(missing)} not installed): {INSTALL}"
        )
