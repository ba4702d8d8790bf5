"""The results of the one check, as plain data: a `Violation` (where, what was expected, what was
found, how severe), the `Result` for one document, and the `Tally` of a run. Reporters and faces
read them; nothing here renders text or decides a verdict."""

from __future__ import annotations

from typing import Literal, NamedTuple

from batch_contract.core.reading import Document

Severity = Literal["error", "warning"]


class Violation(NamedTuple):
    """One way a document breaks the contract: where, what kind, what was expected and found."""

    path: str
    keyword: str
    expected: str
    found: str
    severity: Severity = "error"

    @property
    def message(self) -> str:
        """`expected X, found Y`: the human sentence of the violation."""
        return f"expected {self.expected}, found {self.found}"


class Result(NamedTuple):
    """The verdict on one document: its violations (errors and warnings) or the parse problem."""

    document: Document
    violations: tuple[Violation, ...] = ()
    problem: str | None = None
    """Why the input is not one well-formed JSON document (then there are no violations)."""

    def is_valid(self, warnings_as_errors: bool = False) -> bool:
        """Whether the document honours the contract (warnings count only when asked)."""
        if self.problem is not None:
            return False
        if warnings_as_errors:
            return not self.violations
        return not any(v.severity == "error" for v in self.violations)


class Tally:
    """Running counts over a run: documents, valid, invalid and warnings, and the inputs that
    could not be read."""

    __slots__ = ("documents", "invalid", "unreadable", "valid", "warnings")

    def __init__(self) -> None:
        self.documents = self.valid = self.invalid = self.warnings = 0
        self.unreadable: list[str] = []

    def add(self, item: Result, warnings_as_errors: bool = False) -> None:
        """Count one verdict."""
        self.documents += 1
        violations = item.violations
        warnings = sum(v.severity == "warning" for v in violations) if violations else 0
        self.warnings += warnings
        # `item.is_valid(warnings_as_errors)`, from the one pass over the violations just made
        if item.problem is None and (
            not violations or (not warnings_as_errors and warnings == len(violations))
        ):
            self.valid += 1
        else:
            self.invalid += 1

    def add_valid(self, count: int) -> None:
        """Count documents that passed with no violation at all."""
        self.documents += count
        self.valid += count

    @property
    def counts(self) -> tuple[int, int, int, int]:
        """(documents, valid, invalid, warnings)."""
        return self.documents, self.valid, self.invalid, self.warnings

    def add_counts(self, counts: tuple[int, int, int, int]) -> None:
        """Add the `counts` of another tally (a `--jobs` worker's)."""
        self.documents += counts[0]
        self.valid += counts[1]
        self.invalid += counts[2]
        self.warnings += counts[3]
