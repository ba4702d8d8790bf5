"""`batch-contract coverage`: which items of the contract a set of cassettes and bodies exercised.

Cassettes give HTTP outcomes, bodies, and the polls of each job (its 200 responses in the order
recorded); JSON and NDJSON files give bodies only, read by `documents` (NDJSON streamed).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from batch_contract.cli.argparsing import OneLineParser
from batch_contract.core.cassette_files import CassetteRead, read_cassette
from batch_contract.core.documents import (
    CASSETTE_SUFFIXES,
    JSON_SUFFIXES,
    cannot_read,
    file_items,
    folder_files,
)
from batch_contract.core.jsondoc import parse_document
from batch_contract.core.reading import Document
from batch_contract.core.rules import load_levels
from batch_contract.core.schemas import PROFILES, Profile
from batch_contract.coverage.counting import Coverage, check_item_names
from batch_contract.errors import BatchContractError, DocumentError, UsageError
from batch_contract.exitcodes import ExitCode
from batch_contract.secret import mask_env

PROG = "batch-contract coverage"


def _percent(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"must be between 0 and 100: {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The command line of `batch-contract coverage`."""
    parser = OneLineParser(
        prog=PROG,
        description="Report which items of the contract (status and job_type values, optional "
        "field states, progress bounds, HTTP outcomes, life-cycle transitions, semantic rules) "
        "a set of cassettes and bodies exercised.",
        epilog="Exit codes: 0 ok; 1 a --require item was never seen or coverage is below "
        "--fail-under; 2 usage errors, paths that cannot be read and malformed cassettes.",
    )
    parser.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="cassettes, JSON or NDJSON bodies, or folders of them (recursively)",
    )
    parser.add_argument(
        "--profile",
        choices=PROFILES,
        default="documented",
        help="the schema profile whose items count (default: documented)",
    )
    parser.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    parser.add_argument(
        "--require",
        action="append",
        default=[],
        metavar="ITEM",
        help="fail (exit 1) unless this item was seen, such as job.status=failed (repeatable)",
    )
    parser.add_argument(
        "--fail-under",
        type=_percent,
        metavar="PERCENT",
        help="fail (exit 1) when coverage is below PERCENT",
    )
    return parser


def _body(coverage: Coverage, document: Document, notes: list[str]) -> Any:
    """The parsed body of a document, counted; None (and a note) when it has none."""
    if document.problem is not None:
        notes.append(f"{document.location}: skipped: {document.problem}")
        return None
    try:
        value = parse_document(document.raw)
    except DocumentError as error:
        notes.append(f"{document.location}: skipped: {error}")
        return None
    coverage.body(value, document.location)
    return value


def _cassette(coverage: Coverage, read: CassetteRead, source: str, notes: list[str]) -> None:
    """Counts a cassette: every GET of the endpoint by code, its bodies, and each job's polls."""
    polls: dict[str, tuple[list[Any], list[str]]] = {}
    for item in read.interactions:
        if not item.is_status_get or item.status is None:
            continue
        where = f"{source}:{item.where}"
        coverage.http(item.status, where)
        if item.where in read.too_large:
            notes.append(f"{where}: skipped: {read.too_large[item.where]}")
            continue
        raw = read.bodies.get(item.where)
        if raw is None:
            continue
        body = _body(coverage, Document(source, item.where, raw), notes)
        if body is not None:
            docs, wheres = polls.setdefault(item.job_id, ([], []))
            docs.append(body)
            wheres.append(where)
    for docs, wheres in polls.values():
        coverage.polls(docs, wheres)


def _cassette_file(
    coverage: Coverage,
    path: Path,
    source: str,
    explicit: bool,
    notes: list[str],
    errors: list[str],
) -> bool:
    """Counts a cassette file, read as validate-status reads it: each problem validate-status
    reports of it (the file, or an interaction) is one line in `errors` (exit 2), and the rest
    of it still counts. False for a file that is no cassette (a JSON file is then a body)."""
    read = read_cassette(path)
    if read is None:
        if explicit and path.suffix.lower() in CASSETTE_SUFFIXES:
            notes.append(f"{source}: skipped: not a vcrpy cassette (no 'interactions' list)")
        return path.suffix.lower() in CASSETTE_SUFFIXES
    errors.extend(read.lines(source))
    _cassette(coverage, read, source, notes)
    return True


def count(coverage: Coverage, paths: Sequence[str], errors: list[str], notes: list[str]) -> None:
    """Counts every input; a path that cannot be read goes to `errors`, a document without a
    readable body to `notes`, and the rest go on."""
    for name in paths:
        path = Path(name)
        explicit = not path.is_dir()
        if explicit and not path.exists():
            errors.append(cannot_read(name, FileNotFoundError(2, "No such file or directory")))
            continue
        unlisted: list[OSError] = []
        files = folder_files(path, unlisted) if not explicit else [path]
        for file in files:
            source = name if explicit else str(file)
            try:
                suffix = file.suffix.lower()
                if suffix in CASSETTE_SUFFIXES | JSON_SUFFIXES and _cassette_file(
                    coverage, file, source, explicit, notes, errors
                ):
                    continue
                for item in file_items(file, source, ndjson=False, explicit=explicit):
                    if isinstance(item, Document):
                        _body(coverage, item, notes)
            except OSError as error:
                errors.append(cannot_read(source, error))
        errors += [cannot_read(str(error.filename or name), error) for error in unlisted]


def run(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """Count the inputs, print the report, and return the exit code."""
    from batch_contract.coverage.report import render_json, render_markdown, render_text

    profile: Profile = args.profile
    check_item_names(args.require, profile)
    coverage = Coverage(profile, load_levels())
    errors: list[str] = []
    notes: list[str] = []
    count(coverage, args.paths, errors, notes)
    for line in notes + errors:
        stderr.write(f"{PROG}: {mask_env(line)}\n")
    if coverage.bodies == 0 and coverage.responses == 0:
        if errors:
            return ExitCode.USAGE
        raise UsageError(f"no documents found in {' '.join(args.paths)}")
    report = coverage.report()
    render = {"json": render_json, "markdown": render_markdown}.get(args.format, render_text)
    stdout.write(mask_env(render(report)))
    if errors:
        return ExitCode.USAGE
    unmet = report.unmet(args.require, args.fail_under)
    for line in unmet:
        stderr.write(f"{PROG}: {mask_env(line)}\n")
    return ExitCode.VIOLATION if unmet else ExitCode.OK


def main(
    argv: Sequence[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    """Entry point: parse, run, and turn a user's mistake into one line on stderr (exit 2)."""
    out, err = stdout or sys.stdout, stderr or sys.stderr
    try:
        return run(build_parser().parse_args(argv), out, err)
    except BatchContractError as error:
        err.write(f"{PROG}: {mask_env(str(error))}\n")
        return ExitCode.USAGE
    except SystemExit as done:  # --help has been printed
        return int(done.code or 0)
