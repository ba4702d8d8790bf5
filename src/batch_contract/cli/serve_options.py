"""The options of `batch-contract serve`, apart from the server so that `serve --help` works on
any install (the light one has no Starlette)."""

from __future__ import annotations

import argparse

from batch_contract import ENDPOINT_PATH
from batch_contract.cli.argparsing import OneLineParser

PROG = "batch-contract serve"


def build_parser() -> argparse.ArgumentParser:
    """The options of `batch-contract serve`."""
    parser = OneLineParser(
        prog=PROG,
        description="Run the reference server for GET " + ENDPOINT_PATH + ".",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (0: any)")
    parser.add_argument("--seed", type=int, default=0, help="varies counts and timestamps")
    parser.add_argument(
        "--break",
        dest="breaks",
        action="append",
        default=[],
        metavar="NAME",
        help="violate the contract in this way (repeatable; see --list-breaks)",
    )
    parser.add_argument(
        "--api-key-env",
        default="LLAMA_CLOUD_API_KEY",
        metavar="VAR",
        help="environment variable holding the bearer key (default: LLAMA_CLOUD_API_KEY)",
    )
    parser.add_argument(
        "--step-seconds",
        type=float,
        default=None,
        metavar="S",
        help="moving jobs advance every S seconds instead of one step per GET",
    )
    parser.add_argument("--list-jobs", action="store_true", help="print the job ids and exit")
    parser.add_argument("--list-breaks", action="store_true", help="print the breaks and exit")
    return parser
