"""Runs the checks over documents: parse strictly, validate against the schema, apply the rules.

Results are plain data; reporters turn them into text (see `report`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from batch_contract.documents import Document
from batch_contract.errors import DocumentError
from batch_contract.jsondoc import parse_document
from batch_contract.rules import Level
from batch_contract.schemas import Part, Profile
from batch_contract.validation import Violation, validator


@dataclass(frozen=True, slots=True)
class Result:
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


@dataclass(slots=True)
class Tally:
    """Running counts over a run: documents, valid, invalid and warnings."""

    documents: int = 0
    valid: int = 0
    invalid: int = 0
    warnings: int = 0
    unreadable: list[str] = field(default_factory=list)


class Checker:
    """Checks documents against one profile and part, with the semantic rules at given levels."""

    def __init__(
        self,
        profile: Profile = "documented",
        part: Part = "status",
        levels: Mapping[str, Level] | None = None,
    ) -> None:
        from batch_contract import rules

        self._validator = validator(profile, part)
        self._levels = dict(rules.default_levels() if levels is None else levels)
        self._rules = rules.check_job if part == "job" else rules.check_document

    def check_value(self, value: Any) -> tuple[Violation, ...]:
        """Schema violations of a parsed value, then rule findings when the shape is right."""
        found = self._validator.violations(value)
        if found:
            return found
        return self._rules(value, self._levels)

    def check(self, document: Document) -> Result:
        """The verdict on one document."""
        if document.problem is not None:
            return Result(document, problem=document.problem)
        try:
            value = parse_document(document.raw)
        except DocumentError as error:
            return Result(document, problem=str(error))
        return Result(document, self.check_value(value))

    def check_all(self, documents: Iterable[Document]) -> Iterator[Result]:
        """Verdicts for a stream of documents, in order."""
        check = self.check
        for document in documents:
            yield check(document)
