"""The argument parser every command shares: a bad command line is one line, not a usage dump."""

from __future__ import annotations

import argparse
from typing import Any, NoReturn

from batch_contract.errors import UsageError


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors raise a one-line `UsageError` (exit code 2 at the top of
    each command) instead of printing the usage text and exiting."""

    hint = ""
    """Appended to every error message (for example " (see --help)")."""
    shown = 40
    """How much of a long value a message quotes (argparse quotes the whole value)."""
    _adding = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", self._formatter)
        super().__init__(*args, **kwargs)

    def add_argument(self, *args: Any, **kwargs: Any) -> argparse.Action:
        """`ArgumentParser.add_argument`, whose check of the metavar gets a formatter of a fixed
        width (`_formatter`)."""
        self._adding = True
        try:
            return super().add_argument(*args, **kwargs)
        finally:
            self._adding = False

    def _formatter(self, prog: str) -> argparse.HelpFormatter:
        """The help formatter (the parser's `formatter_class`); while an argument is added
        (argparse makes one per argument only to check its metavar), one of a fixed width, which
        spares every run importing `shutil` (with `bz2` and `lzma`) to ask the terminal for its
        width."""
        return argparse.HelpFormatter(prog, width=80 if self._adding else None)

    def error(self, message: str) -> NoReturn:
        """Raise argparse's complaint as a `UsageError`, a value it quotes (after a colon:
        `invalid int value: '...'`) cut to its first `shown` characters when over 80."""
        import re  # the pattern is compiled only for a bad command line, never at start-up

        message = re.sub(
            r"""(?<=: )(['"])((?:(?!\1)[^\n]){81,})\1""",
            lambda found: (
                f"{found[1]}{found[2][: self.shown]}...{found[1]} ({len(found[2])} characters)"
            ),
            message,
        )
        raise UsageError(message + self.hint)
