"""The layers of ARCHITECTURE.md hold in the code: imports run from the faces down to the engine
and the core, never back up, no module imports one of its importers (no cycles), and one module
writes code from the schema; faces import faces only as the page lists, and only the listed places
change process-wide state."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "batch_contract"
SHARED = {"batch_contract", "batch_contract.errors", "batch_contract.exitcodes"}
SHARED |= {"batch_contract.interrupts", "batch_contract.secret", "batch_contract.suite"}
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


ARCHITECTURE = PACKAGE.parents[1] / "ARCHITECTURE.md"
FACES = {"cli", "pytest_plugin", "drift", "coverage", "server", "watch", "report"}
FACES |= {"batch_contract.guard", "batch_contract.assertions"}


def face(name: str) -> str:
    """A face as ARCHITECTURE.md names it: `cli`, `guard.py`."""
    return f"{name.rsplit('.', 1)[1]}.py" if name.startswith("batch_contract.") else name


def listed(heading: str) -> set[tuple[str, str]]:
    """The `A` → `B` pairs of the bullet list under a `## heading` of ARCHITECTURE.md."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    section = text.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^- `([\w./<>]+)` → `([\w./<>]+)`", section, flags=re.M))


def test_faces_import_each_other_only_as_the_page_lists() -> None:
    """A face imports another face only where ARCHITECTURE.md lists the pair, and every pair it
    lists is in use (the page and the code agree both ways)."""
    edges = {
        (face(layer(module)), face(layer(target)))
        for module, targets in imports().items()
        for target in targets
        if layer(module) in FACES and layer(target) in FACES and layer(module) != layer(target)
    }
    assert edges == listed("Faces that import faces")


PROCESS_STATE = {("os", "dup2"), ("os", "_exit"), ("sys", "exit")}
"""Calls that change the whole process (besides anything of the `signal` module)."""


def process_state_calls() -> set[tuple[str, str]]:
    """(module path under the package, function) for every call of `os.dup2`, `os._exit`,
    `sys.exit` or `signal.*`, and every import of `signal`; `<module>` outside functions."""
    found: set[tuple[str, str]] = set()
    for path in PACKAGE.rglob("*.py"):
        where = path.relative_to(PACKAGE).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        scopes = [(node.name, node) for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)]
        inside = {id(child): name for name, node in scopes for child in ast.walk(node)}
        for node in ast.walk(tree):
            hit = False
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                owner = node.func.value
                if isinstance(owner, ast.Name):
                    hit = owner.id == "signal" or (owner.id, node.func.attr) in PROCESS_STATE
            elif isinstance(node, ast.Import):
                hit = any(alias.name == "signal" for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                hit = node.module == "signal" or (
                    node.module in {"os", "sys"}
                    and any((node.module, a.name) in PROCESS_STATE for a in node.names)
                )
            if hit:
                found.add((where, inside.get(id(node), "<module>")))
    return found


def test_only_the_listed_places_change_process_state() -> None:
    """No library module calls `os.dup2`, `os._exit`, `sys.exit` or `signal.*`: only the
    console entry points and the engine's own worker processes that ARCHITECTURE.md lists do."""
    allowed = {(where, function) for where, function in listed("Who may change the process")}
    assert process_state_calls() == allowed
