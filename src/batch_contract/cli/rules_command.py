"""`batch-contract rules`: lists the semantic rules with their levels and one line each."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from typing import TextIO

from batch_contract.cli.argparsing import OneLineParser
from batch_contract.core.rules import RULES, Level, load_levels, parse_rule_option
from batch_contract.errors import BatchContractError
from batch_contract.exitcodes import ExitCode

PROG = "batch-contract rules"


def build_parser() -> argparse.ArgumentParser:
    """The command line of `batch-contract rules`."""
    parser = OneLineParser(
        prog=PROG,
        description="List the semantic rules with their levels (pyproject.toml "
        "[tool.batch-contract.rules], then --rule options) and what each checks.",
    )
    parser.add_argument(
        "--rule",
        action="append",
        default=[],
        metavar="NAME=LEVEL",
        help="set a rule's level (error, warning or off); may be repeated",
    )
    return parser


def render(levels: Mapping[str, Level]) -> str:
    """One aligned line per rule, `NAME  LEVEL  summary`, in the order of RULES."""
    width = max(len(name) for name in RULES)
    return "".join(
        f"{name:<{width}}  {levels[name]:<7}  {rule.summary}\n" for name, rule in RULES.items()
    )


def run(args: argparse.Namespace, stdout: TextIO) -> int:
    """Print the rules with the levels in force."""
    levels = load_levels()
    for option in args.rule:
        name, level = parse_rule_option(option)
        levels[name] = level
    stdout.write(render(levels))
    return ExitCode.OK


def main(
    argv: Sequence[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    """Entry point: parse, run, and turn a user's mistake into one line on stderr (exit 2)."""
    out, err = stdout or sys.stdout, stderr or sys.stderr
    try:
        args = build_parser().parse_args(argv)
        return run(args, out)
    except BatchContractError as error:
        err.write(f"{PROG}: {error}\n")
        return ExitCode.USAGE
    except SystemExit as done:  # --help has been printed
        return int(done.code or 0)
