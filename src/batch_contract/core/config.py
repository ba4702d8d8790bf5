"""Reads the project's own settings from the nearest pyproject.toml: `[tool.batch-contract]`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from batch_contract.errors import UsageError

TOOL_TABLE = "batch-contract"
"""The name under `[tool]` that holds the toolkit's settings."""


def find_pyproject(start: Path | None = None) -> Path | None:
    """The nearest pyproject.toml in `start` (default: the working directory) or above it."""
    here = (start or Path.cwd()).resolve()
    if here.is_file():
        here = here.parent
    for folder in (here, *here.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def read_tool_table(path: Path, name: str) -> tuple[dict[str, Any], str]:
    """The `[tool.batch-contract.<name>]` table of a pyproject (empty when absent) and its label.

    The label (`path: [tool.batch-contract.name]`) starts every error message about the table.
    An unreadable file, invalid TOML or a table of the wrong type is a one-line `UsageError`.
    A pyproject that never names the toolkit is not parsed at all (tomllib costs start-up time).
    """
    label = f"{path}: [tool.{TOOL_TABLE}.{name}]"
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise UsageError(f"{path}: cannot read: {error.strerror or error}") from None
    if TOOL_TABLE.encode() not in raw:
        return {}, label
    import tomllib

    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise UsageError(f"{path}: not valid TOML: not UTF-8") from None
    except tomllib.TOMLDecodeError as error:
        raise UsageError(f"{path}: not valid TOML: {error}") from None
    except RecursionError:
        raise UsageError(f"{path}: not valid TOML: nested too deep") from None
    table: Any = data.get("tool", {}).get(TOOL_TABLE, {})
    if not isinstance(table, dict):
        raise UsageError(f"{path}: [tool.{TOOL_TABLE}] must be a table")
    section = table.get(name, {})
    if not isinstance(section, dict):
        raise UsageError(f"{label} must be a table")
    return section, label
