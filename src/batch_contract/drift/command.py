"""`batch-contract drift OLD NEW` (or `--against REV [NEW]`): the contract drift between two sets
of cassettes, as text, markdown (a pull-request comment) or JSON. Exit 0 without a breaking
change, 1 with one, 2 on a usage error or a cassette or entry that cannot be read."""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO, cast

from batch_contract.cli.argparsing import OneLineParser
from batch_contract.core.output import markdown_code, markdown_text, printable
from batch_contract.core.rules import load_levels, parse_rule_option
from batch_contract.core.schemas import PROFILES, Profile
from batch_contract.drift.compare import Drift, Finding, drift
from batch_contract.errors import BatchContractError, UsageError
from batch_contract.exitcodes import ExitCode
from batch_contract.secret import mask_env

PROG = "batch-contract drift"
FORMATS = ("text", "markdown", "json")


def build_parser() -> argparse.ArgumentParser:
    """The command line of `batch-contract drift`."""
    parser = OneLineParser(
        prog=PROG,
        description="Compare the response shapes recorded in two cassette folders (fields, "
        "types, nullability, enum values, status codes), classify each change as breaking or "
        "additive for clients, and check every 200 response of NEW against the schema and rules.",
    )
    parser.add_argument(
        "folders", nargs="*", metavar="FOLDER", help="OLD NEW, or NEW with --against"
    )
    parser.add_argument(
        "--against",
        metavar="REV",
        help="compare the cassettes of a git revision (OLD) with the working tree's (NEW, "
        "default: cassettes)",
    )
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format")
    parser.add_argument("--profile", choices=PROFILES, default="documented", help="schema profile")
    parser.add_argument(
        "--rule", action="append", default=[], metavar="NAME=LEVEL", help="set a rule's level"
    )
    return parser


def _git(args: Sequence[str], cwd: Path) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except OSError as error:
        raise UsageError(f"--against needs git: {error.strerror}") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise UsageError(f"git {args[0]}: {message[-1] if message else 'failed'}")
    return done.stdout


def checkout_folder(rev: str, folder: Path, into: Path) -> Path:
    """The cassette folder as it was at git revision `rev`, extracted under `into`."""
    if not folder.is_dir():
        raise UsageError(f"{folder}: no such folder of cassettes")
    root = Path(_git(["rev-parse", "--show-toplevel"], folder).decode().strip())
    relative = folder.resolve().relative_to(root.resolve()).as_posix()
    try:
        _git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], root)
    except UsageError:
        raise UsageError(
            f"--against {rev}: no such revision in the repository of {folder}"
        ) from None
    archive = _git(["archive", "--format=tar", rev, "--", relative], root)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        _extract(tar, into)
    return into / relative


def _extract(tar: tarfile.TarFile, into: Path) -> None:
    """Extract the archive under `into`: regular files and folders only, none of them outside
    `into` (a link, even one inside the folder, is refused in one line: a cassette is a file);
    with the "data" filter too where this Python has extraction filters."""
    for member in tar.getmembers():
        parts = Path(member.name).parts
        if not (member.isfile() or member.isdir()) or member.name.startswith("/") or ".." in parts:
            raise UsageError(f"git archive: {member.name}: not a plain file or folder")
    try:
        if hasattr(tarfile, "data_filter"):
            tar.extractall(into, filter="data")
        else:
            tar.extractall(into)
    except (tarfile.TarError, OSError) as error:  # whatever else the filter or the disk refuses
        raise UsageError(f"git archive: {error}") from None


def render_text(result: Drift) -> str:
    """One line per finding after a summary line (control and format characters escaped)."""
    lines = [_summary(result)]
    lines += [
        f"{f.impact}: {f.endpoint} {f.status} {f.path}: {f.kind}: {f.detail} ({f.where})"
        for f in result.findings
    ]
    return "\n".join(printable(line) for line in lines) + "\n"


def render_markdown(result: Drift) -> str:
    """A pull-request comment: a heading, the summary and a table of findings."""
    lines = ["### Contract drift of the cassettes", "", _summary(result, markdown_text)]
    if result.findings:
        lines += [
            "",
            "| Impact | Endpoint | Status | JSON path | Change | Seen in |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        lines += [
            f"| {'**breaking**' if f.impact == 'breaking' else f.impact} "
            f"| {markdown_code(f.endpoint)} | {f.status} | {markdown_code(f.path)} "
            f"| {markdown_text(f.kind)}: {markdown_text(f.detail)} | {markdown_code(f.where)} |"
            for f in result.findings
        ]
    return "\n".join(lines) + "\n"


def _finding(f: Finding) -> dict[str, object]:
    return {
        "impact": f.impact,
        "kind": f.kind,
        "endpoint": f.endpoint,
        "status": f.status,
        "path": f.path,
        "where": f.where,
        "detail": f.detail,
    }


def render_json(result: Drift) -> str:
    """The whole result as one JSON document."""
    document = {
        "old": result.old,
        "new": result.new,
        "responses": {"old": result.old_responses, "new": result.new_responses},
        "breaking": result.count("breaking"),
        "additive": result.count("additive"),
        "warnings": result.count("warning"),
        "findings": [_finding(f) for f in result.findings],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _summary(result: Drift, show: Callable[[str], str] = str) -> str:
    counts = (
        f"{result.count('breaking')} breaking, {result.count('additive')} additive, "
        f"{result.count('warning')} warning(s)"
    )
    return (
        f"drift {show(result.old)} -> {show(result.new)}: {counts} "
        f"({result.old_responses} responses in OLD, {result.new_responses} in NEW)"
    )


RENDERERS = {"text": render_text, "markdown": render_markdown, "json": render_json}


def run(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """Compare, print in the chosen format, and exit 1 on a breaking change; 2, after one line
    on stderr for each, when a cassette or entry could not be read (the rest still compared)."""
    levels = load_levels()
    for option in args.rule:
        name, level = parse_rule_option(option)
        levels[name] = level
    profile = cast(Profile, args.profile)
    if args.against is not None:
        if len(args.folders) > 1:
            raise UsageError("with --against give at most one folder (NEW, default: cassettes)")
        new = Path(args.folders[0] if args.folders else "cassettes")
        with tempfile.TemporaryDirectory(prefix="batch-contract-drift-") as scratch:
            old = checkout_folder(args.against, new, Path(scratch))
            result = drift(old, new, profile, levels, old_label=f"{args.against}:{new}")
    else:
        if len(args.folders) != 2:
            raise UsageError("give two cassette folders, OLD NEW (or --against REV [NEW])")
        result = drift(Path(args.folders[0]), Path(args.folders[1]), profile, levels)
    stdout.write(mask_env(RENDERERS[args.format](result)))
    for line in result.problems:
        stderr.write(f"{PROG}: {printable(mask_env(line))}\n")
    if result.problems:
        return ExitCode.USAGE
    return ExitCode.VIOLATION if result.breaking else ExitCode.OK


def main(
    argv: Sequence[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    """Entry point: parse, run, and turn a user's mistake into one line on stderr (exit 2)."""
    out, err = stdout or sys.stdout, stderr or sys.stderr
    try:
        return run(build_parser().parse_args(argv), out, err)
    except BatchContractError as error:
        err.write(f"{PROG}: {printable(mask_env(str(error)))}\n")
        return ExitCode.USAGE
    except SystemExit as done:  # --help has been printed
        return int(done.code or 0)
