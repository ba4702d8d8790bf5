"""The command line: `validate-status` and `batch-contract` with its subcommands.

Parsing is kept apart from running: `parse_validate_args` turns argv into options, `run_validate`
does the work against given streams and returns an exit code. User errors become one line on
stderr; a traceback means a bug in us.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import sys
from collections.abc import Callable, Sequence
from typing import IO, TYPE_CHECKING, Any, BinaryIO, NamedTuple, NoReturn

from batch_contract.cli import streams
from batch_contract.cli.argparsing import OneLineParser
from batch_contract.core.output import printable
from batch_contract.errors import BatchContractError, WorkerDied
from batch_contract.exitcodes import ExitCode
from batch_contract.interrupts import held

if TYPE_CHECKING:
    from batch_contract.engine.runner import Rendering


class _Parser(OneLineParser):
    """The parser of `validate-status`: its errors point at --help."""

    hint = " (see --help)"


class _Version(argparse.Action):
    """`--version`: print the version and end the command, reading the version only when asked
    (its lookup slows every start-up)."""

    def __init__(self, option_strings: Sequence[str], dest: str, help: str | None = None) -> None:
        super().__init__(
            option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, nargs=0, help=help
        )

    def __call__(self, parser: Any, namespace: Any, values: Any, option_string: Any = None) -> None:
        from batch_contract import __version__

        sys.stdout.write(f"{parser.prog} {__version__}\n")
        parser.exit()


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text}")
    return value


def build_validate_parser(prog: str = "validate-status") -> argparse.ArgumentParser:
    """The options of `validate-status` (also `batch-contract validate`)."""
    parser = _Parser(
        prog=prog,
        description="Check Get Batch Job Status response bodies against the contract.",
        epilog="Exit codes: 0 every document honours the contract; 1 at least one does not "
        "(anything that is not one well-formed JSON document counts); 2 usage errors, "
        "paths that cannot be read, and an output that cannot be written (closed, a full "
        "disk); 3 the run stopped before it checked every document (a --jobs worker died, or "
        "the reader of the output left before any invalid document); "
        "130 interrupted (Ctrl-C, SIGINT); 143 terminated (SIGTERM).",
    )
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="files, folders (recursively *.json, *.ndjson, *.jsonl, cassettes) "
        "or - for stdin (the default)",
    )
    parser.add_argument(
        "--ndjson",
        action="store_true",
        help="one document per line, whatever the file names (stdin included)",
    )
    parser.add_argument(
        "--profile",
        choices=("documented", "strict"),
        default="documented",
        help="documented (default): the documentation's shape, nulls and extra "
        "fields allowed; strict: the provider OpenAPI's nullability, no extra field",
    )
    parser.add_argument(
        "--part",
        choices=("status", "job"),
        default="status",
        help="status (default): the whole response; job: a bare job object",
    )
    parser.add_argument(
        "--format",
        choices=("text", "json", "github"),
        default="text",
        help="text (default), one json report, or github annotations",
    )
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="print the summary line only (text and github; a JSON report is always whole)",
    )
    parser.add_argument(
        "--max-errors",
        type=_positive_int,
        metavar="N",
        help="print at most N violation lines (all are still counted)",
    )
    parser.add_argument(
        "--rule",
        action="append",
        default=[],
        metavar="NAME=LEVEL",
        help="set a semantic rule to error, warning or off (repeatable); "
        "see `batch-contract rules`",
    )
    parser.add_argument(
        "--warnings-as-errors",
        action="store_true",
        help="a document with rule warnings counts as invalid (exit 1)",
    )
    parser.add_argument(
        "--jobs",
        type=_positive_int,
        default=1,
        metavar="N",
        help="check in N processes (a large NDJSON file is split by lines; output is the same)",
    )
    parser.add_argument("--version", action=_Version, help="print the version and exit")
    return parser


class ValidateOptions(NamedTuple):
    """What `validate-status` was asked to do."""

    paths: tuple[str, ...]
    ndjson: bool = False
    profile: str = "documented"
    part: str = "status"
    format: str = "text"
    quiet: bool = False
    max_errors: int | None = None
    rules: tuple[str, ...] = ()
    warnings_as_errors: bool = False
    jobs: int = 1


def parse_validate_args(argv: Sequence[str], prog: str = "validate-status") -> ValidateOptions:
    """Parse argv into options; a bad command line raises `UsageError`."""
    ns = build_validate_parser(prog).parse_args(list(argv))
    return ValidateOptions(
        paths=tuple(ns.paths),
        ndjson=ns.ndjson,
        profile=ns.profile,
        part=ns.part,
        format=ns.format,
        quiet=ns.quiet,
        max_errors=ns.max_errors,
        rules=tuple(ns.rule),
        warnings_as_errors=ns.warnings_as_errors,
        jobs=ns.jobs,
    )


def run_validate(
    options: ValidateOptions, *, stdin: BinaryIO, stdout: IO[str], stderr: IO[str]
) -> int:
    """Validate every document of the inputs, report, and return the exit code."""
    from batch_contract.cli.report import reporter_for
    from batch_contract.core import rules
    from batch_contract.core.results import Tally
    from batch_contract.engine.runner import Checker

    if options.jobs > 1:  # the --jobs engine, imported only when asked for
        from batch_contract.engine.parallel import check_run
    else:
        from batch_contract.engine.runner import check_here as check_run

    levels = rules.load_levels()
    for text in options.rules:
        name, level = rules.parse_rule_option(text)
        levels[name] = level
    checker = Checker(options.profile, options.part, levels)  # type: ignore[arg-type]
    progress = None
    if not options.quiet and _is_terminal(stderr):  # type: ignore[arg-type]
        from batch_contract.cli.progress import Progress

        progress = Progress.for_run(stderr, quiet=options.quiet)
    stdout, stderr = _masked(stdout), _masked(stderr)  # after the progress line took stderr
    if progress is not None:
        stdout = progress.wrap(stdout)
    reporter = reporter_for(
        options.format, stdout, quiet=options.quiet, max_errors=options.max_errors
    )
    tally = Tally()
    if not options.paths and _is_terminal(stdin):
        stderr.write(
            "validate-status: reading standard input (end it with Ctrl-D; --help lists the "
            "options)\n"
        )
    checked = False
    try:
        for counts, lines in check_run(
            checker,
            options.paths,
            stdin=stdin,
            ndjson=options.ndjson,
            errors=tally.unreadable,
            rendering=_rendering(options.format, options.warnings_as_errors),
            settings=(options.profile, options.part, dict(levels)),
            jobs=options.jobs,
        ):
            with held():  # a piece is written whole, and counted as written (Ctrl-C or SIGTERM
                # raised inside a write would lose what it had not passed on, and cut the line)
                tally.add_counts(counts)
                reporter.emit(lines)
                if progress is not None:
                    progress.update(tally.documents, tally.invalid)
        checked = True
        if progress is not None:
            progress.clear()
        with held():
            reporter.finish(tally)
    except (KeyboardInterrupt, WorkerDied) as stop:  # the report still ends whole, saying so
        if not checked:
            if progress is not None:
                progress.clear()
            with contextlib.suppress(BrokenPipeError, OSError, ValueError), held():
                reporter.stopped(tally, _stop_reason(stop))
        raise
    except BrokenPipeError:  # the reader has gone: the verdict still stands (the console
        # script's `end` drops what is still buffered; a library call changes no descriptor)
        if not checked:  # what was seen decides; with nothing invalid yet, the run is incomplete
            return ExitCode.VIOLATION if tally.invalid else ExitCode.INCOMPLETE
    for message in tally.unreadable:
        stderr.write(f"validate-status: {printable(message)}\n")
    if tally.unreadable:
        return ExitCode.USAGE
    if tally.documents == 0:
        names = printable(" ".join(options.paths) or "-")
        stderr.write(f"validate-status: no documents found in {names}\n")
        return ExitCode.USAGE
    return ExitCode.VIOLATION if tally.invalid else ExitCode.OK


class Terminated(KeyboardInterrupt):
    """SIGTERM, as the console scripts turn it (`_on_sigterm`): the run ends as on Ctrl-C (the
    `--jobs` workers finish their piece and end), with exit code 143."""


def _masked(stream: IO[str]) -> IO[str]:
    """`stream`, or, when `LLAMA_CLOUD_API_KEY` holds a key (`secret.env_secret`), a stream that
    writes every form of the key as `***` (a log of a deployment that echoed it); the masking is
    loaded only then."""
    import os

    if not os.environ.get("LLAMA_CLOUD_API_KEY", "").strip():
        return stream
    from batch_contract.secret import MaskedStream, env_secret

    secret = env_secret()
    return stream if secret is None else MaskedStream(stream, secret)  # type: ignore[return-value]


def _no_key_note(prog: str) -> None:
    """Say once, on stderr, that `LLAMA_CLOUD_API_KEY` is no key and is not masked
    (`secret.no_key_note`)."""
    import os

    if not os.environ.get("LLAMA_CLOUD_API_KEY", "").strip():
        return
    from batch_contract.secret import no_key_note

    note = no_key_note()
    if note is not None:
        sys.stderr.write(f"{prog}: {note}\n")


def _stop_reason(stop: BaseException) -> str:
    """What stopped a run, as its JSON report records it."""
    if isinstance(stop, Terminated):
        return "terminated (SIGTERM)"
    if isinstance(stop, KeyboardInterrupt):
        return "interrupted (SIGINT)"
    return printable(str(stop))


def _rendering(fmt: str, warnings_as_errors: bool) -> Rendering:
    """How the reporter of `fmt` wants results rendered (the lines its `emit` writes), for the
    checking to render them as it goes, in this process or in `--jobs` workers."""
    import functools

    from batch_contract.cli.report import github_lines, json_lines, text_lines, text_tails
    from batch_contract.engine.runner import Rendering

    if fmt == "json":
        render = functools.partial(json_lines, warnings_as_errors=warnings_as_errors)
        return Rendering(render, None, warnings_as_errors, lists_valid=True)
    if fmt == "github":
        return Rendering(github_lines, None, warnings_as_errors)
    return Rendering(text_lines, text_tails, warnings_as_errors)


def _is_terminal(stream: BinaryIO) -> bool:
    """Whether a stream is a terminal (False for one that cannot say)."""
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def _discard_output() -> None:
    """Point the process's standard output at the null device, so that what is still buffered for
    a reader that has gone is dropped without another error."""
    import contextlib
    import os

    # not a file (a test's StringIO): nothing is flushed to it
    with contextlib.suppress(AttributeError, ValueError, OSError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _guarded(run: object, prog: str) -> int:
    """Run a command, turning user errors into one line, and a broken pipe into a quiet exit
    with 3: the command did not finish (validate-status, which knows what it saw, says 1 itself
    when it had seen an invalid document)."""
    try:
        return int(run())  # type: ignore[operator]
    except BatchContractError as error:
        text = printable(str(error))
        _masked(sys.stderr).write(f"{prog}: {text}\n" if not text.startswith(prog) else f"{text}\n")
        return ExitCode.INCOMPLETE if isinstance(error, WorkerDied) else ExitCode.USAGE
    except Terminated:
        sys.stderr.write(f"{prog}: terminated\n")
        return ExitCode.TERMINATED
    except KeyboardInterrupt:
        sys.stderr.write(f"{prog}: interrupted\n")
        return ExitCode.INTERRUPTED
    except BrokenPipeError:  # the reader of the output left before the command finished
        _discard_output()
        return ExitCode.INCOMPLETE


def validate_main(argv: Sequence[str] | None = None, prog: str = "validate-status") -> int:
    """Entry point of `validate-status`."""
    args = sys.argv[1:] if argv is None else argv
    _no_key_note(prog)
    return _guarded(
        lambda: run_validate(
            parse_validate_args(args, prog),
            stdin=sys.stdin.buffer if sys.stdin is not None else streams.closed_input(),
            stdout=sys.stdout,
            stderr=sys.stderr,
        ),
        prog,
    )


_SUBCOMMANDS = {
    "validate": (
        "batch_contract.cli.main",
        "check response bodies against the contract (validate-status)",
    ),
    "serve": ("batch_contract.server.command", "run the reference server of the endpoint"),
    "rules": ("batch_contract.cli.rules_command", "list the semantic rules and their levels"),
    "drift": ("batch_contract.drift.command", "compare two sets of cassettes for contract drift"),
    "coverage": ("batch_contract.coverage.command", "which parts of the contract were exercised"),
    "watch": ("batch_contract.watch.command", "has the provider's spec, SDK or docs moved?"),
    "report": ("batch_contract.report.command", "one offline HTML page of recorded responses"),
    "test": ("batch_contract.cli.suite_command", "run the installed contract suite with pytest"),
}

_MASKING = ("drift", "coverage", "watch", "report")
"""The commands (besides validate) that mask the key in `LLAMA_CLOUD_API_KEY` in what they print."""


def _usage() -> str:
    lines = ["usage: batch-contract COMMAND [OPTIONS]", "       batch-contract --version"]
    lines += ["", "commands:"]
    lines += [f"  {name:<9} {help_}" for name, (_, help_) in _SUBCOMMANDS.items()]
    lines += ["", "`batch-contract COMMAND --help` describes each command."]
    lines += [
        "",
        "Exit codes: 0 ok; 1 a document, response or comparison breaks the contract; 2 usage",
        "errors, paths that cannot be read, and an output that cannot be written (closed, a",
        "full disk); 3 the run stopped before it checked every document (a --jobs worker",
        "died), or the reader of the output left before the command finished; 130",
        "interrupted (SIGINT); 143 terminated (SIGTERM).",
    ]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `batch-contract`."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        sys.stdout.write(_usage())
        return ExitCode.OK if args else ExitCode.USAGE
    if args[0] == "--version":
        from batch_contract import __version__

        sys.stdout.write(f"batch-contract {__version__}\n")
        return ExitCode.OK
    command, rest = args[0], args[1:]
    if command not in _SUBCOMMANDS:
        sys.stderr.write(f"batch-contract: unknown command {command!r} (see --help)\n")
        return ExitCode.USAGE
    if command == "validate":
        return validate_main(rest, prog="batch-contract validate")
    if command == "serve" and {"-h", "--help"}.intersection(rest):  # any install, no server
        from batch_contract.cli.serve_options import build_parser

        sys.stdout.write(build_parser().format_help())
        return ExitCode.OK
    module = _SUBCOMMANDS[command][0]  # imported inside: a light install has no server
    if command in _MASKING:
        _no_key_note(f"batch-contract {command}")
    return _guarded(lambda: importlib.import_module(module).main(rest), f"batch-contract {command}")


def end(code: int) -> NoReturn:
    """End a console script's process with `code` as soon as its output is flushed, skipping the
    interpreter's teardown: unloading the 400-odd modules a run imports is a large part of a
    one-file run, and does nothing a finished command needs (every file it wrote is closed, every
    worker reaped). A reader that has gone leaves
    `code` as is."""
    import contextlib
    import os

    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(BrokenPipeError, ValueError):  # a reader gone, a stream closed
            stream.flush()
    os._exit(code)


def _any_encoding() -> None:
    """Let the console script's output take any encoding: what the encoding cannot hold is
    written as a backslash escape (`PYTHONIOENCODING=ascii`), never a UnicodeEncodeError."""
    for stream in (sys.stdout, sys.stderr):
        if getattr(stream, "errors", None) == "strict" and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")


def _on_sigterm() -> None:
    """Make SIGTERM end the console script as Ctrl-C does (raising `Terminated` once; a second
    one while the run winds down is ignored, so its workers are still reaped). Only the console
    scripts do this: the process is theirs."""
    import signal

    def terminated(signum: int, frame: object) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise Terminated

    signal.signal(signal.SIGTERM, terminated)


def _console(entry: Callable[[], int], prog: str) -> NoReturn:
    """Run a console script's `entry` on standard streams that cannot end it with a traceback
    (`streams`): a message stderr cannot take is dropped and the exit code stays the one the run
    earned; an output that cannot be written (`>&-`, `>/dev/full`) stops the run with one line
    and exit code 2, whatever the run had found."""
    _any_encoding()
    _on_sigterm()
    output = streams.Output(sys.stdout)
    sys.stdout, sys.stderr = output, streams.Diagnostics(sys.stderr)
    try:
        code = entry()
    except SystemExit as done:  # --help and --version, once printed
        code = done.code if isinstance(done.code, int) else int(done.code is not None)
    except BrokenPipeError:  # `batch-contract --help`, which no command guards
        code = ExitCode.INCOMPLETE
    with contextlib.suppress(BrokenPipeError):  # a reader gone: the verdict stands
        output.flush()
    if output.failure is not None:
        sys.stderr.write(f"{prog}: cannot write standard output: {output.failure}\n")
        _discard_output()  # what is still buffered goes nowhere
        code = ExitCode.USAGE
    end(code)


def validate_script() -> NoReturn:
    """The `validate-status` console script."""
    _console(validate_main, "validate-status")


def script() -> NoReturn:
    """The `batch-contract` console script (and `python -m batch_contract`)."""
    command = sys.argv[1] if len(sys.argv) > 1 and sys.argv[1] in _SUBCOMMANDS else None
    _console(main, f"batch-contract {command}" if command else "batch-contract")
