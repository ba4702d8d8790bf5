"""`batch-contract report PATH... -o report.html`: one self-contained HTML page of what the inputs
(cassettes, JSON and NDJSON files, folders: what validate-status, coverage and drift read) show.
Exit 0 when the page shows no error, 1 when it shows one (or breaking drift, or names a cassette
that could not be read, or no body of the endpoint was checked), 2 on a usage error (an output
that is one of the inputs among them) or a path that cannot be read."""

from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
import sys
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from batch_contract.cli.argparsing import OneLineParser
from batch_contract.core.output import printable
from batch_contract.core.rules import load_levels
from batch_contract.core.schemas import PROFILES, Profile
from batch_contract.errors import BatchContractError, UsageError
from batch_contract.exitcodes import ExitCode
from batch_contract.secret import env_secret

PROG = "batch-contract report"
KEY_ENV = "LLAMA_CLOUD_API_KEY"


def build_parser() -> argparse.ArgumentParser:
    """The command line of `batch-contract report`."""
    parser = OneLineParser(
        prog=PROG,
        description="Write one self-contained, offline HTML page of a set of recorded responses: "
        "the verdict, the job life-cycle drawn, jobs over time, coverage and violations (and "
        f"drift with --against). Any form of ${KEY_ENV} is masked.",
        epilog="Exit codes: 0 the page shows no error; 1 it shows a violation, a breaking "
        "change, a cassette that could not be read, or that no body of the endpoint was "
        "checked; 2 usage errors (an output that is one of the inputs among them) and paths "
        "that cannot be read.",
    )
    parser.add_argument(
        "paths", nargs="+", metavar="PATH", help="cassettes, JSON or NDJSON bodies, or folders"
    )
    parser.add_argument(
        "-o", "--output", required=True, type=_page_file, metavar="FILE", help="the HTML file"
    )
    parser.add_argument("--profile", choices=PROFILES, default="documented", help="schema profile")
    parser.add_argument(
        "--against",
        nargs="+",
        metavar="OLD_PATH",
        help="earlier recordings (cassettes or folders of them): add the drift from them",
    )
    parser.add_argument("--title", default="Contract report", help="the page's title")
    return parser


def _page_file(name: str) -> str:
    """The name given to -o: a file, never `-` (a page is not written to standard output, and a
    file named `-` is not what `-` asks for)."""
    if name == "-":
        raise argparse.ArgumentTypeError(
            "the page is written to a file, not standard output: give a file name"
        )
    return name


def _refuse_overwriting_an_input(output: str, inputs: Sequence[str]) -> None:
    """A usage error when the page would be written over one of the inputs (the same file, by
    any name: a symlink, `./`, a relative or absolute path)."""
    for name in inputs:
        try:
            same = os.path.samefile(output, name)
        except OSError:  # one of them does not exist (yet): not the same file
            continue
        if same and not os.path.isdir(output):
            also = "" if name == output else f" (the same file as {name})"
            raise UsageError(
                f"{output} is one of the inputs{also}: the page would overwrite it; give "
                "another file name"
            )


def _folder(paths: Sequence[str], into: Path) -> Path:
    """One folder of cassettes holding `paths` (a lone folder is used as is; files and further
    folders are copied into a scratch folder), for the drift face, which reads folders."""
    if len(paths) == 1 and Path(paths[0]).is_dir():
        return Path(paths[0])
    into.mkdir()
    for index, name in enumerate(paths):
        path = Path(name).resolve()
        if not path.exists():
            raise UsageError(f"{name}: No such file or directory")
        if path.is_dir():
            shutil.copytree(path, into / f"{index}-{path.name}")
        else:
            shutil.copy(path, into / f"{index}-{path.name}")
    return into


def run(args: argparse.Namespace, stderr: TextIO) -> int:
    """Read, check, draw and write the page; return the exit code."""
    from batch_contract.drift.compare import drift
    from batch_contract.report.gather import gather, read_inputs
    from batch_contract.report.page import Context, render, unchecked

    _refuse_overwriting_an_input(args.output, [*args.paths, *(args.against or ())])
    profile: Profile = args.profile
    levels = load_levels()
    errors: list[str] = []
    notes: list[str] = []
    unread: list[str] = []
    data = gather(read_inputs(args.paths, errors, notes, unread), profile, levels, notes, unread)
    for line in notes + unread + errors:
        stderr.write(f"{PROG}: {printable(line)}\n")
    if errors:
        return ExitCode.USAGE
    if data.documents == 0 and data.responses == 0 and not data.unread:
        raise UsageError(f"no documents found in {' '.join(args.paths)}")
    found = None
    if args.against:
        with tempfile.TemporaryDirectory(prefix="batch-contract-report-") as scratch:
            old = _folder(args.against, Path(scratch) / "old")
            new = _folder(args.paths, Path(scratch) / "new")
            found = drift(old, new, profile, levels, old_label=" ".join(args.against))
            found = dataclasses.replace(found, new=" ".join(args.paths))
        for line in found.old_problems:  # NEW's were read above, each already in `unread`
            stderr.write(f"{PROG}: {printable(line)}\n")
        data.unread.extend(found.old_problems)
    nothing = unchecked(data)
    if nothing is not None and data.responses:
        stderr.write(f"{PROG}: {printable(' '.join(args.paths))}: {nothing}\n")
    made = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    context = Context(args.title, tuple(args.paths), made)
    page = render(data, context, env_secret(), found)
    try:
        Path(args.output).write_text(page, encoding="utf-8")
    except OSError as error:
        raise UsageError(f"cannot write {args.output}: {error.strerror or error}") from None
    bad = data.errors or data.unread or nothing or (found is not None and found.breaking)
    return ExitCode.VIOLATION if bad else ExitCode.OK


def main(
    argv: Sequence[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    """Entry point: parse, run, and turn a user's mistake into one line on stderr (exit 2)."""
    err = stderr or sys.stderr
    try:
        return run(build_parser().parse_args(argv), err)
    except BatchContractError as error:
        err.write(f"{PROG}: {printable(str(error))}\n")
        return ExitCode.USAGE
    except SystemExit as done:  # --help has been printed
        return int(done.code or 0)
