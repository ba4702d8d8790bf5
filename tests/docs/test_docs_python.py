"""The Python blocks of docs/*.md: each compiles and imports only what the package has, and the
rules page's block runs on the documented example response."""

from __future__ import annotations

import ast
import importlib
import json
import re
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = sorted((ROOT / "docs").glob("*.md"))
_BLOCK = re.compile(r"^```python\n(.*?)^```", re.M | re.S)


def python_blocks() -> list[tuple[str, str]]:
    """(page name and block number, source) of every Python block of docs/*.md."""
    found = []
    for page in DOCS:
        for number, match in enumerate(_BLOCK.finditer(page.read_text()), 1):
            found.append((f"{page.name}#{number}", match.group(1)))
    return found


BLOCKS = python_blocks()


def test_the_docs_have_python_blocks() -> None:
    """The pages this checks exist (an empty parametrization would pass nothing)."""
    assert {name.split("#")[0] for name, _ in BLOCKS} >= {"rules.md", "guard.md"}


@pytest.mark.parametrize("source", [source for _, source in BLOCKS], ids=[n for n, _ in BLOCKS])
def test_a_block_imports_only_what_the_package_has(source: str) -> None:
    """Every name a block imports from batch_contract exists (a removed API must leave the docs
    with it)."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("batch_contract"):
            module = importlib.import_module(node.module or "")
            for alias in node.names:
                assert hasattr(module, alias.name), f"{node.module} has no {alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("batch_contract"):
                    importlib.import_module(alias.name)


def test_the_rules_block_runs_on_the_documented_example() -> None:
    """The rules page's block, run with `body` and the polls bound to the documented example
    response: the one check finds its one rule warning (a pending job with a start time)."""
    (source,) = [source for name, source in BLOCKS if name.startswith("rules.md")]
    body = json.loads((ROOT / "docs" / "example-response.json").read_text())
    names: dict[str, Any] = {"body": body, "poll1": body, "poll2": body, "poll3": body}
    exec(compile(source, "docs/rules.md", "exec"), names)
    assert [(v.path, v.keyword, v.severity) for v in names["findings"]] == [
        ("$.job.started_at", "rule:pending-not-started", "warning")
    ]
    assert names["found"] == tuple(names["findings"])
