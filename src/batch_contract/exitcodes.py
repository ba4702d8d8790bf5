"""The exit codes of every command, declared once."""

from enum import IntEnum


class ExitCode(IntEnum):
    """What a command's exit status means."""

    OK = 0
    """Every document honours the contract (or the command did what was asked)."""
    VIOLATION = 1
    """At least one document, response or comparison breaks the contract."""
    USAGE = 2
    """The command line is wrong, a named path cannot be read, or standard output cannot be
    written (closed, a full disk)."""
    INCOMPLETE = 3
    """The run stopped before it checked every document: a `--jobs` worker died, or the reader
    of the output went away before any invalid document was seen (after one, the run ends with
    `VIOLATION`), or before a `batch-contract` command finished."""
    INTERRUPTED = 130
    """Ctrl-C (SIGINT) stopped the run (128 + the signal's number, as shells report it)."""
    TERMINATED = 143
    """SIGTERM stopped the run (128 + 15); `--jobs` workers are ended first, as on Ctrl-C."""
