"""A progress line on stderr for long runs on a terminal: documents done, rate, invalid so far.

Nothing is shown when stderr is not a terminal (piped, redirected, captured) or with `--quiet`, nor
during the first `DELAY` seconds, so short runs and scripts never see it. The line is redrawn in
place at most every `INTERVAL` seconds and erased at the end; when stdout is the same terminal,
`Progress.wrap` erases it before each report line so the two never mix.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import IO, Any

DELAY = 2.0
"""Seconds of work before the line first appears."""
INTERVAL = 0.25
"""Seconds between redraws."""
_ERASE = "\r\x1b[K"


def _is_tty(stream: Any) -> bool:
    """Whether a stream says it is a terminal (streams without `isatty` are not)."""
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


class Progress:
    """Draws `N documents, R/s, I invalid` on a terminal stream."""

    def __init__(self, stream: IO[str], clock: Callable[[], float] = time.monotonic) -> None:
        self._stream = stream
        self._clock = clock
        self._started = clock()
        self._next = self._started + DELAY
        self._shown = False

    @classmethod
    def for_run(cls, stderr: IO[str], *, quiet: bool) -> Progress | None:
        """A progress line for this run, or None when it must stay silent."""
        if quiet or not _is_tty(stderr):
            return None
        return cls(stderr)

    def update(self, documents: int, invalid: int) -> None:
        """Redraw the line if it is time to."""
        now = self._clock()
        if now < self._next:
            return
        self._next = now + INTERVAL
        rate = documents / max(now - self._started, 1e-9)
        self._stream.write(
            f"{_ERASE}{documents:,} documents, {rate:,.0f}/s, {invalid:,} invalid so far"
        )
        self._stream.flush()
        self._shown = True

    def clear(self) -> None:
        """Erase the line (before other output, and at the end)."""
        if self._shown:
            self._stream.write(_ERASE)
            self._stream.flush()
            self._shown = False

    def wrap(self, out: IO[str]) -> IO[str]:
        """`out` itself, or, when it is a terminal too, a stream that erases the line first."""
        return _Erasing(out, self) if _is_tty(out) else out  # type: ignore[return-value]


class _Erasing:
    """A text stream that erases the progress line before writing."""

    def __init__(self, out: IO[str], progress: Progress) -> None:
        self._out = out
        self._progress = progress

    def write(self, text: str) -> int:
        """Erase the progress line, then write."""
        self._progress.clear()
        return self._out.write(text)

    def flush(self) -> None:
        """Flush the underlying stream."""
        self._out.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._out, name)
