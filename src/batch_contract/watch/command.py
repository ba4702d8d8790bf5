"""`batch-contract watch`: compare the provider's OpenAPI document, its SDK and a copy of its
documentation page with the baseline the contract was derived from. Exit 0 when no finding
reaches `--fail-on`, 1 when one does, 2 with one line for a usage error or unreadable input."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn, TextIO

from batch_contract.core.output import printable
from batch_contract.core.rules import load_levels
from batch_contract.errors import BatchContractError, InputError, UsageError
from batch_contract.exitcodes import ExitCode
from batch_contract.secret import mask_env
from batch_contract.watch import sources
from batch_contract.watch.compare import Finding, compare
from batch_contract.watch.docs_page import read_docs
from batch_contract.watch.operations import Facts, Operation, spec_facts
from batch_contract.watch.render import RENDERERS
from batch_contract.watch.sdk import open_sdk, read_sdk

PROG = "batch-contract watch"
FAIL_ON = ("error", "warning", "info", "never")
_RANK = {"error": 0, "warning": 1, "info": 2}
DEFAULT_TIMEOUT = 30.0


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError(f"must be above 0 and at most 3600: {text}")
    return value


class _Parser(argparse.ArgumentParser):
    """A bad command line is one `UsageError` line, not a usage dump."""

    def error(self, message: str) -> NoReturn:
        """Raise argparse's complaint as a `UsageError`."""
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    """The command line of `batch-contract watch`."""
    parser = _Parser(
        prog=PROG,
        description="Compare the provider's OpenAPI document, the official SDK and a copy of the "
        "documentation page with the baseline this contract was derived from; judge each change "
        "by what it does to this contract (error: the documented profile would fail; warning: "
        "only the strict profile, or a rule's assumption weakens; info: anything else).",
        epilog="Exit codes: 0 no finding reaches --fail-on; 1 one does; 2 usage errors and "
        "input that cannot be read. docs/watch.md lists the finding ids.",
    )
    parser.add_argument("--spec", metavar="PATH_OR_URL", help="OpenAPI 3.0/3.1, JSON or YAML")
    parser.add_argument(
        "--sdk",
        metavar="WHEEL|DIR|installed",
        help="a llama-cloud wheel, an unpacked tree, or `installed`: read as files, never imported",
    )
    parser.add_argument("--docs", metavar="PATH", help="a copy of the documentation page")
    parser.add_argument(
        "--recordings",
        nargs="+",
        action="extend",
        default=[],
        metavar="PATH",
        help="cassettes, JSON or NDJSON bodies, or folders: how often each change was recorded",
    )
    parser.add_argument(
        "--baseline", metavar="DIR", help="another baseline folder (default: the shipped one)"
    )
    parser.add_argument("--format", choices=tuple(RENDERERS), default="text")
    parser.add_argument(
        "--fail-on",
        choices=FAIL_ON,
        default="error",
        help="exit 1 from this severity (default: error)",
    )
    parser.add_argument(
        "--timeout",
        type=_seconds,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"for a --spec URL: the longest wait for an answer and for the whole body "
        f"(default: {DEFAULT_TIMEOUT:g})",
    )
    return parser


def _baseline_spec(folder: Path | None) -> Facts:
    path = sources.baseline_file(folder, sources.SPEC_FILE)
    document = sources.openapi_document(
        sources.parse_structured(sources.read_file(path, str(path)), str(path)), str(path)
    )
    return spec_facts(document, str(path))


def _baseline_sdk(folder: Path | None) -> Facts:
    path = sources.baseline_file(folder, sources.SDK_FILE)
    data = sources.parse_structured(sources.read_file(path, str(path)), str(path))
    try:
        operation = Operation(**data["operation"])
    except (KeyError, TypeError) as error:
        raise InputError(f"{path}: not the SDK facts of a baseline ({error})") from None
    return Facts("sdk", str(path), operation, version=data.get("version"))


def _baseline_docs(folder: Path | None) -> Facts:
    path = sources.baseline_file(folder, sources.DOCS_FILE)
    return read_docs(sources.read_text(path, str(path)), str(path))


def sdk_facts_json(facts: Facts) -> str:
    """The SDK facts of a baseline (`sdk.json`), as `--sdk` reads them from a release."""
    operation = facts.operation
    if operation is None:
        raise InputError(f"{facts.label}: the SDK has no call of the endpoint")
    data = {
        "distribution": "llama-cloud",
        "version": facts.version,
        "operation": {
            "method": operation.method,
            "path": operation.path,
            "call": operation.call,
            "parameters": operation.parameters,
            "response": operation.response,
        },
    }
    return json.dumps(data, indent=2, sort_keys=False) + "\n"


def watch(
    *,
    spec: str | None = None,
    sdk: str | None = None,
    docs: str | None = None,
    recordings: Sequence[str] = (),
    baseline: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    start: Path | None = None,
    unread: list[str] | None = None,
) -> tuple[list[Finding], list[str]]:
    """The judged findings of the named sources, and what was compared (for the summary). Each
    recording that cannot be read is one line in `unread` (the rest still counted); without
    `unread`, the first is an `InputError`."""
    from batch_contract.watch.seen import count_seen
    from batch_contract.watch.severity import assess, load_overrides

    if spec is None and sdk is None and docs is None:
        raise UsageError("nothing to compare: give --spec, --sdk or --docs")
    folder = Path(baseline) if baseline is not None else None
    overrides = load_overrides(start)
    findings: list[Finding] = []
    compared: list[str] = []
    if spec is not None:
        new = spec_facts(sources.load_spec(spec, timeout), spec)
        findings += compare(_baseline_spec(folder), new)
        compared.append(f"spec {spec}")
    if sdk is not None:
        new = read_sdk(open_sdk(sdk))
        findings += compare(_baseline_sdk(folder), new)
        compared.append(f"sdk {new.label}" + (f" {new.version}" if new.version else ""))
    if docs is not None:
        text = sources.read_text(Path(docs), docs)
        findings += compare(_baseline_docs(folder), read_docs(text, docs))
        compared.append(f"docs {docs}")
    findings = assess(findings, load_levels(start), overrides)
    if recordings:
        lines: list[str] = [] if unread is None else unread
        count_seen(findings, recordings, lines)
        if unread is None and lines:
            raise InputError(lines[0])
    findings.sort(key=lambda f: (_RANK[f.severity], f.source, f.path, f.id, str(f.new)))
    return findings, compared


def fails(findings: Sequence[Finding], fail_on: str) -> bool:
    """Whether a finding reaches the `--fail-on` severity."""
    if fail_on == "never":
        return False
    return any(_RANK[f.severity] <= _RANK[fail_on] for f in findings)


def run(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """Watch, print in the chosen format, and return the exit code (2, after one line on stderr
    for each, when a recording cannot be read)."""
    unread: list[str] = []
    findings, compared = watch(
        spec=args.spec,
        sdk=args.sdk,
        docs=args.docs,
        recordings=args.recordings,
        baseline=args.baseline,
        timeout=args.timeout,
        unread=unread,
    )
    stdout.write(mask_env(RENDERERS[args.format](findings, compared)))
    for line in unread:
        stderr.write(f"{PROG}: {printable(mask_env(line))}\n")
    if unread:
        return ExitCode.USAGE
    return ExitCode.VIOLATION if fails(findings, args.fail_on) else ExitCode.OK


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
