"""Errors that users can cause: caught at the top of each command and printed as one line."""


class BatchContractError(Exception):
    """Base of every error a user can cause; its message is one line, shown without traceback."""


class UsageError(BatchContractError):
    """A wrong command line or option value (exit code 2)."""


class InputError(BatchContractError):
    """A path that cannot be read (exit code 2)."""


class DocumentError(BatchContractError):
    """A document that is not one well-formed JSON value; counts as a violation (exit code 1)."""

    def __init__(self, message: str, *, keyword: str = "json") -> None:
        super().__init__(message)
        self.keyword = keyword


class RuleWarning(UserWarning):
    """A semantic rule at level `warning` found something (`batch-contract rules` lists them):
    issued by the contract suite and by `assert_batch_status`."""


class WorkerDied(BatchContractError):
    """A `--jobs` worker process ended before it finished its work (exit code 3)."""
