"""The layers of ARCHITECTURE.md hold in the code: imports run from the faces down to the engine
and the core, never back up, no module imports one of its importers (no cycles), and one module
writes code from the schema."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "batch_contract"
SHARED = {"batch_contract", "batch_contract.errors", "batch_contract.exitcodes"}
SHARED |= {"batch_contract.secret", "batch_contract.suite"}
ALLOWED = {
    "core": {"core"},
    "engine": {"core", "engine"},
    "watch": {"core", "watch"},
    "report": {"core", "coverage", "drift", "cli", "report"},
}
"""What each lower layer may import besides the shared modules: the watch is a face on the core
alone; the report face reads the coverage and drift faces (and the CLI's parser class), and no
other face."""


def module_name(path: Path) -> str:
    """The dotted name of a module file of the package."""
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports() -> dict[str, set[str]]:
    """Each module of the package with the package modules it imports (at any depth)."""
    modules = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    found: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    targets.add(full if full in modules else node.module)
            elif isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
        found[name] = {target for target in targets if target in modules and target != name}
    return found


def layer(module: str) -> str:
    """The layer of a module: `core`, `engine`, a face's subpackage, or the module itself."""
    parts = module.split(".")
    return parts[1] if len(parts) > 2 else module


@pytest.mark.parametrize("lower", sorted(ALLOWED))
def test_lower_layers_import_no_face(lower: str) -> None:
    """The core imports only the core; the engine and the watch only the core and themselves;
    the report face only the core, coverage, drift and the CLI's argument parser."""
    wrong = {
        f"{module} -> {target}"
        for module, targets in imports().items()
        if layer(module) == lower
        for target in targets
        if target not in SHARED and layer(target) not in ALLOWED[lower]
    }
    assert wrong == set()


def test_no_import_cycles() -> None:
    """No module reaches itself through the imports of the modules it imports."""
    graph = imports()
    cycles = []
    for start in graph:
        seen, stack = set(), list(graph[start])
        while stack:
            module = stack.pop()
            if module == start:
                cycles.append(start)
                break
            if module not in seen:
                seen.add(module)
                stack.extend(graph.get(module, ()))
    assert cycles == []


def test_at_most_ten_modules_at_the_top() -> None:
    """The package's top level holds at most ten modules; the rest live in their layer."""
    assert len(list(PACKAGE.glob("*.py"))) <= 10


def test_one_module_writes_and_runs_code() -> None:
    """Only the engine's code generator (`engine/codegen.py`) compiles or runs source: the
    package holds one generator of code from the schema."""
    runs = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in {"exec", "eval", "compile"}
            ):
                runs.add(module_name(path))
    assert runs == {"batch_contract.engine.codegen"}
