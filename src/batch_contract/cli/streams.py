"""The standard streams of a console script, as its commands may find them: closed when it
started (`cmd >&-`, `cmd <&-`, `cmd 2>&-`), on a full disk (`cmd >/dev/full`), or read by a
reader that has gone (`cmd 2>&1 | head -0`).

The console scripts (`cli.main.validate_script`, `cli.main.script`) put `Output` and
`Diagnostics` in place of `sys.stdout` and `sys.stderr`; a library call keeps its own streams.
"""

from __future__ import annotations

import contextlib
import errno
import io
from typing import IO, Any, BinaryIO


class OutputLost(BrokenPipeError):
    """Standard output cannot take what a command writes (it is closed, or its disk is full): the
    run stops as it does when the reader of its output has gone, and the console script then
    says why in one line, with exit code 2."""


class _Standard:
    """A standard stream, or None where it was closed when the process started; what it does
    not define is the stream's own."""

    def __init__(self, stream: IO[str] | None) -> None:
        self._stream = stream

    def isatty(self) -> bool:
        """Whether the stream is a terminal (a closed one is not)."""
        return self._stream is not None and _isatty(self._stream)

    def __getattr__(self, name: str) -> Any:
        if self._stream is None:
            raise AttributeError(name)
        return getattr(self._stream, name)


class Output(_Standard):
    """Standard output that turns a write it cannot make into `OutputLost` and keeps the reason
    (`failure`). A reader that has gone (`BrokenPipeError`) is not a failure of the output: it
    is raised as it is, and the exit code still tells the verdict."""

    def __init__(self, stream: IO[str] | None) -> None:
        super().__init__(stream)
        self.failure: str | None = None

    def _lost(self, reason: str) -> OutputLost:
        if self.failure is None:
            self.failure = reason
        return OutputLost(errno.EIO, reason)

    def write(self, text: str) -> int:
        """Write `text`, or raise `OutputLost` (`BrokenPipeError` for a reader gone)."""
        if self.failure is not None:
            raise self._lost(self.failure)
        if self._stream is None:
            if not text:
                return 0
            raise self._lost("it is closed")
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            raise
        except (OSError, ValueError) as error:  # ValueError: a file object closed meanwhile
            if isinstance(error, UnicodeError):  # a bug of ours, not of the output
                raise
            raise self._lost(_reason(error)) from None

    def flush(self) -> None:
        """Flush what is buffered, or raise as `write` does."""
        if self._stream is None or self.failure is not None:
            return
        try:
            self._stream.flush()
        except BrokenPipeError:
            raise
        except (OSError, ValueError) as error:
            raise self._lost(_reason(error)) from None


class Diagnostics(_Standard):
    """Standard error that never raises: a message that cannot be written (stderr closed, its
    reader gone, a full disk) is dropped, so that it can never change the run's exit code."""

    def write(self, text: str) -> int:
        """Write `text` if the stream takes it."""
        if self._stream is not None:
            with contextlib.suppress(OSError, ValueError):
                return self._stream.write(text)
        return len(text)

    def flush(self) -> None:
        """Flush if the stream can."""
        if self._stream is not None:
            with contextlib.suppress(OSError, ValueError):
                self._stream.flush()


class ClosedInput(io.RawIOBase):
    """Standard input that was closed when the command started (`cmd <&-`): reading it fails as
    a path that cannot be read does."""

    def readable(self) -> bool:
        """It is an input."""
        return True

    def readinto(self, buffer: Any) -> int:
        """Fail: there is nothing to read from."""
        raise OSError(errno.EBADF, "standard input is closed")


def closed_input() -> BinaryIO:
    """A `ClosedInput`, as a binary stream."""
    return io.BufferedReader(ClosedInput())


def _isatty(stream: IO[str]) -> bool:
    try:
        return bool(stream.isatty())
    except (OSError, ValueError):
        return False


def _reason(error: OSError | ValueError) -> str:
    if isinstance(error, OSError):
        return error.strerror or str(error)
    return "it is closed"
