"""`batch-contract serve`: run the reference server, or list its jobs and breaks."""

from __future__ import annotations

import argparse
import logging
import math
import sys
from collections.abc import Sequence
from typing import TextIO

from batch_contract import ENDPOINT_PATH
from batch_contract.cli.serve_options import PROG, build_parser
from batch_contract.errors import BatchContractError, UsageError
from batch_contract.exitcodes import ExitCode
from batch_contract.secret import Secret
from batch_contract.server.access_log import LOGGER
from batch_contract.server.app import create_app
from batch_contract.server.breaks import BREAKS, check_breaks
from batch_contract.server.jobs import build_jobs
from batch_contract.server.running import base_url, bind_socket, development_key, uvicorn_server


def list_jobs(seed: int, out: TextIO) -> None:
    """One line per job: id, job_type, status (first -> last for movers), moving or static."""
    for job_id, job in build_jobs(seed).items():
        first, last = job.steps[0].status, job.steps[-1].status
        status = f"{first}->{last}" if job.moving else last
        kind = "moving" if job.moving else "static"
        out.write(f"{job_id}  {job.job_type:<8}  {status:<18}  {kind}\n")


def list_breaks(out: TextIO) -> None:
    """One line per break: its name, then what it does."""
    width = max(map(len, BREAKS))
    for name, summary in BREAKS.items():
        out.write(f"{name:<{width}}  {summary}\n")


def _log_to(stream: TextIO) -> None:
    """Send the access lines to `stream`, one per request, with a timestamp."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    LOGGER.addHandler(handler)
    LOGGER.setLevel(logging.INFO)
    LOGGER.propagate = False


def serve(args: argparse.Namespace, err: TextIO) -> int:
    """Bind, announce and serve until Ctrl-C."""
    breaks = check_breaks(args.breaks)
    key = Secret.from_env(args.api_key_env)
    generated = key is None
    if key is None:
        key = Secret(development_key())
    app = create_app(seed=args.seed, breaks=breaks, api_key=key, step_seconds=args.step_seconds)
    try:
        sock = bind_socket(args.host, args.port)
    except OSError as exc:
        raise UsageError(f"cannot listen on {args.host}:{args.port}: {exc.strerror}") from None
    jobs = app.state.book.jobs
    moving = sum(job.moving for job in jobs.values())
    err.write(
        f"{PROG}: {base_url(sock)}{ENDPOINT_PATH} with {len(jobs)} jobs ({moving} moving), "
        f"seed {args.seed}, breaks: {', '.join(breaks) or 'none'}; Ctrl-C stops\n"
    )
    if generated:
        err.write(f"{PROG}: {args.api_key_env} is not set; development key for this run: ")
        err.write(key.get_secret_value() + "\n")
    err.flush()
    _log_to(err)
    try:
        uvicorn_server(app).run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
    err.write(f"{PROG}: stopped\n")
    return ExitCode.OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run `batch-contract serve`; returns the exit code (2 with one line for bad usage)."""
    out, err = sys.stdout, sys.stderr
    try:
        args = build_parser().parse_args(argv)
        if args.step_seconds is not None and not 0 < args.step_seconds < math.inf:
            raise UsageError(
                f"--step-seconds must be a positive finite number, got {args.step_seconds}"
            )
        if not 0 <= args.port <= 65535:
            raise UsageError(f"--port must be between 0 and 65535, got {args.port}")
        if args.list_breaks:
            list_breaks(out)
            return ExitCode.OK
        if args.list_jobs:
            list_jobs(args.seed, out)
            return ExitCode.OK
        return serve(args, err)
    except BatchContractError as exc:
        err.write(f"{PROG}: error: {exc}\n")
        return ExitCode.USAGE


if __name__ == "__main__":
    sys.exit(main())
