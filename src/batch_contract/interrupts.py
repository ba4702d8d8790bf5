"""Ctrl-C and SIGTERM held back from the calling thread for the length of a block: shared by the
CLI (a piece of the report written whole) and the `--jobs` engine (worker processes started with
the signals held)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator


@contextlib.contextmanager
def held() -> Iterator[None]:
    """Block Ctrl-C and SIGTERM on this thread inside the block; one sent meanwhile arrives as
    soon as the block is left. The thread's signal mask is as it was afterwards."""
    import signal

    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
