"""The argument parser every command shares: a bad command line is one line, not a usage dump."""

from __future__ import annotations

import argparse
from typing import NoReturn

from batch_contract.errors import UsageError


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors raise a one-line `UsageError` (exit code 2 at the top of
    each command) instead of printing the usage text and exiting."""

    hint = ""
    """Appended to every error message (for example " (see --help)")."""

    def error(self, message: str) -> NoReturn:
        """Raise argparse's complaint as a `UsageError`."""
        raise UsageError(message + self.hint)
