"""A run of one process (`runner.check_here`) reads what it is given (paths, standard input,
NDJSON or not) and hands on each verdict with its place; the lines that passed the fast path keep
theirs. The expected lines are written out here, not computed by the code under test."""

from __future__ import annotations

import io
from pathlib import Path

from batch_contract.core.reading import Document
from batch_contract.core.results import Result
from batch_contract.engine.runner import Checker, Passed, Rendering, check_here

EXAMPLES = Path(__file__).parents[1] / "examples"
VALID = (EXAMPLES / "valid" / "completed.json").read_bytes()
INVALID = (EXAMPLES / "invalid" / "enum-status-unknown.json").read_bytes()
SETTINGS: tuple[str, str, dict[str, str]] = ("documented", "status", {})


def where(result: Result) -> list[str]:
    """A verdict as `location valid|invalid|problem`, for exact comparison."""
    verdict = "problem" if result.problem else "valid" if result.is_valid() else "invalid"
    return [f"{result.document.location} {verdict}"]


def run(paths: list[str], stdin: bytes, ndjson: bool) -> tuple[list[str], list[int]]:
    """The rendered lines and the summed counts of a one-process run."""
    lines: list[str] = []
    counts = [0, 0, 0, 0]
    rendering = Rendering(where, lists_valid=True)
    for rendered in check_here(
        Checker(),
        paths,
        stdin=io.BytesIO(stdin),
        ndjson=ndjson,
        errors=[],
        rendering=rendering,
        settings=SETTINGS,
    ):
        lines += rendered.lines
        counts = [a + b for a, b in zip(counts, rendered.counts, strict=True)]
    return lines, counts


def test_standard_input_is_read_when_no_path_is_given() -> None:
    """No path: the one document on standard input is checked, named `<stdin>`."""
    assert run([], INVALID, ndjson=False) == (["<stdin> invalid"], [1, 0, 1, 0])


def test_standard_input_is_read_as_ndjson_when_asked() -> None:
    """With NDJSON, each line of standard input is a document of its own, numbered from 1,
    valid lines listed too (as the JSON report lists them)."""
    stdin = b"".join(line.replace(b"\n", b"") + b"\n" for line in (VALID, INVALID, b"{", VALID))
    lines, counts = run([], stdin, ndjson=True)
    assert lines == ["<stdin>:1 valid", "<stdin>:2 invalid", "<stdin>:3 problem", "<stdin>:4 valid"]
    assert counts == [4, 2, 2, 0]


def test_a_path_is_read_as_one_document_unless_ndjson(tmp_path: Path) -> None:
    """A `.json` file of two compact lines is one malformed document, or two documents when
    read as NDJSON."""
    path = tmp_path / "two.json"
    path.write_bytes(VALID.replace(b"\n", b"") + b"\n" + INVALID.replace(b"\n", b"") + b"\n")
    assert run([str(path)], b"", ndjson=False)[0] == [f"{path} problem"]
    assert run([str(path)], b"", ndjson=True)[0] == [f"{path}:1 valid", f"{path}:2 invalid"]


def test_passed_lines_keep_their_source_and_numbers() -> None:
    """The lines of a `Passed` run become valid results at their own place: the source, and each
    number plus the base a `--jobs` worker numbers from."""
    results = list(Passed("log.ndjson", [1, 3], base=10).results())
    assert [(r.document.source, r.document.where) for r in results] == [
        ("log.ndjson", "11"),
        ("log.ndjson", "13"),
    ]
    assert all(r.violations == () and r.problem is None for r in results)


def test_a_document_that_could_not_be_read_keeps_its_problem() -> None:
    """A document the reader could not read comes back as itself, with its problem and no
    violation, whatever its bytes."""
    document = Document("big.json", None, VALID, problem="document too large")
    result = Checker().check(document)
    assert result == Result(document, problem="document too large")
