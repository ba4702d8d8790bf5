"""Runs the checks over documents: parse strictly, validate against the schema, apply the rules.

Results are plain data; reporters turn them into text (see `report`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import cached_property
from itertools import compress
from typing import TYPE_CHECKING, Any, BinaryIO, NamedTuple

from batch_contract.core.check import ContractCheck
from batch_contract.core.documents import iter_items
from batch_contract.core.jsondoc import parse_document, parser
from batch_contract.core.reading import Document, LineBlock, chop
from batch_contract.core.results import Result, Tally, Violation
from batch_contract.core.rules import Level
from batch_contract.core.schemas import Part, Profile
from batch_contract.errors import DocumentError

if TYPE_CHECKING:
    from batch_contract.engine.lightpath import LightPath


class Passed(NamedTuple):
    """NDJSON lines of one source that passed every check on the fast path: valid, no warning."""

    source: str
    numbers: list[int]
    base: int = 0
    """Added to each number: a `--jobs` worker numbers the lines of its byte range from 1."""

    def results(self) -> Iterator[Result]:
        """A `Result` without violations for each line, for reporters that list valid documents."""
        for number in self.numbers:
            yield Result(Document(self.source, str(number + self.base)))


class Rendering(NamedTuple):
    """How the caller's reporter wants verdicts rendered; plain functions, so that it travels to a
    worker however the worker was started."""

    render: Callable[[Result], list[str]]
    """The lines of one verdict."""
    tails: Callable[[Result], list[str]] | None = None
    """The same lines without their location (`source:line`), for reports whose lines start with
    it and hold the line number nowhere else; None when the line number is inside the lines."""
    warnings_as_errors: bool = False
    lists_valid: bool = False
    """Whether valid documents are rendered too (the JSON report lists them)."""


class Rendered(NamedTuple):
    """Verdicts a `--jobs` worker has already counted and rendered for the run's reporter."""

    counts: tuple[int, int, int, int]
    """(documents, valid, invalid, warnings), as `Tally.counts`."""
    lines: list[str]
    """What the reporter writes for them (`report.renderer`), in order."""


_UNBUILT: Any = object()
LIGHT_DOCUMENTS = 1000
"""Documents (single ones, or the lines of NDJSON blocks no longer than what is left of this) the
light path (`lightpath`) may clear before the engines load anyway. The engines check each
document faster but cost their import; up to this count, skipping that import still saves more
than the light path's slower checks cost."""

Item = Result | Passed
"""What the checker hands on: one verdict, or a run of lines that passed the fast path."""


class Checker:
    """Checks documents against one profile and part, with the semantic rules at given levels."""

    def __init__(
        self,
        profile: Profile = "documented",
        part: Part = "status",
        levels: Mapping[str, Level] | None = None,
    ) -> None:
        self._check = ContractCheck(profile, part, levels)
        self._part = part
        self._profile: Profile = profile
        self._lane: Any = _UNBUILT  # built on the first block: single documents never use it
        self._light_left = LIGHT_DOCUMENTS

    @cached_property
    def _light(self) -> LightPath | None:
        """The light path (`lightpath`), built on the first document or short block it is offered;
        None when the schema or the rules rule it out."""
        from batch_contract.engine import lightpath

        return lightpath.build(self._profile, self._part)

    def check_value(self, value: Any) -> tuple[Violation, ...]:
        """The one check's verdict on a parsed value (`ContractCheck.violations`)."""
        return self._check.violations(value)

    def prepare_lines(self) -> Any:
        """Build what checking NDJSON lines needs beyond single documents: the fast lane, and
        the one check listing invalid documents with the lister written from the schema
        (`codegen.lister`, deciding date-times as jsonschema-rs does)."""
        if self._lane is _UNBUILT:
            from batch_contract.engine import codegen, fastlane

            self._lane = fastlane.build(self._profile, self._part)
            lister = codegen.lister(self._profile, self._part, codegen.engine_date_time())
            check = self._check
            self._check = ContractCheck(check.profile, check.part, check.levels, lister)
        return self._lane

    def check_block(self, block: LineBlock) -> list[Item]:
        """Verdicts on the non-blank lines of a block, in order.

        Two passes, each running one kind of work over many lines in a row (interleaving the
        two costs about a fifth more, as each evicts the other from the processor's caches):
        first the fast lane (`fastlane`) over every line; then the lines it left, each parsed
        once by `jsondoc.parse` and judged by the one check. A compact one (it needs no check
        beyond orjson's parse) in which the check finds nothing passes (and the lane learns its
        key order); the others get the check's verdict on the value already parsed.
        Lines that passed are handed on as `Passed` runs between the results.

        Before the lane is built, a block of no more lines than the light path (`lightpath`) may
        still clear is offered to it first: a short stream of clean lines then loads no engine."""
        lines = block.lines
        if self._lane is _UNBUILT and len(lines) <= self._light_left:
            cleared = self._light_block(block)
            if cleared is not None:
                return cleared
        lane = self._lane if self._lane is not _UNBUILT else self.prepare_lines()
        passed = list(map(lane.clean, lines)) if lane is not None else [False] * len(lines)
        results = self._check_rest(block, passed, lane)
        source, first = block.source, block.first
        if not results and all(passed):
            return [Passed(source, list(range(first, first + len(lines))))]
        out: list[Item] = []
        start = 0
        for index, result in results.items():  # in line order
            if index > start:
                numbers = list(compress(range(first + start, first + index), passed[start:index]))
                if numbers:
                    out.append(Passed(source, numbers))
            out.append(result)
            start = index + 1
        numbers = list(compress(range(first + start, first + len(lines)), passed[start:]))
        if numbers:
            out.append(Passed(source, numbers))
        return out

    def _light_block(self, block: LineBlock) -> list[Item] | None:
        """`check_block` by the light path when it clears every non-blank line; None (and no more
        light path in this run) at the first line it cannot clear."""
        light = self._light
        numbers: list[int] = []
        if light is not None:
            for number, line in enumerate(block.lines, block.first):
                if not line.strip():
                    continue
                if not light.clears(chop(line)):
                    break
                numbers.append(number)
            else:
                self._light_left -= len(numbers)
                return [Passed(block.source, numbers)] if numbers else []
        self._light_left = 0
        return None

    def _check_rest(self, block: LineBlock, passed: list[bool], lane: Any) -> dict[int, Result]:
        """The second pass of `check_block`: a result for each line the lane left that is not
        blank and does not pass (marked in `passed`), by index in the block."""
        results: dict[int, Result] = {}
        source, first, lines = block.source, block.first, block.lines
        violations = self._check.violations
        parse = parser()
        for index in [index for index, hit in enumerate(passed) if not hit]:
            line = chop(lines[index])
            try:
                value, compact = parse(line)
            except DocumentError as error:
                if line.strip():  # a blank line is no document
                    document = Document(source, str(first + index), line)
                    results[index] = Result(document, problem=str(error))
                continue
            found = violations(value)
            if found:
                results[index] = Result(Document(source, str(first + index), line), found)
            elif compact:  # clean, and needs no check beyond orjson's parse: the lane learns it
                passed[index] = True
                if lane is not None:
                    lane.learn(value)
            else:
                results[index] = Result(Document(source, str(first + index), line))
        return results

    def check_items(self, items: Iterable[Document | LineBlock]) -> Iterator[Item]:
        """Verdicts for a stream of documents and blocks of lines, in order."""
        check, check_block = self.check, self.check_block
        for item in items:
            if isinstance(item, LineBlock):
                yield from check_block(item)
            else:
                yield check(item)

    def check(self, document: Document) -> Result:
        """The verdict on one document."""
        if document.problem is not None:
            return Result(document, problem=document.problem)
        if self._light_left:
            light = self._light
            if light is not None and light.clears(document.raw):
                self._light_left -= 1
                return Result(document)
            self._light_left = 0  # the engines load now, and check faster than the light path
        try:
            value = parse_document(document.raw)
        except DocumentError as error:
            return Result(document, problem=str(error))
        return Result(document, self.check_value(value))


def rendered(
    checker: Checker, parts: Iterable[Document | LineBlock], rendering: Rendering
) -> Iterator[Rendered]:
    """The verdicts on each document or block of lines, counted and rendered, as they come."""
    render, strict = rendering.render, rendering.warnings_as_errors
    lists_valid = rendering.lists_valid
    for part in parts:
        tally = Tally()
        lines: list[str] = []
        for item in checker.check_items((part,)):
            if isinstance(item, Passed):
                tally.add_valid(len(item.numbers))
                if lists_valid:
                    for result in item.results():
                        lines.extend(render(result))
            else:
                tally.add(item, strict)
                lines.extend(render(item))
        yield Rendered(tally.counts, lines)


def check_here(
    checker: Checker,
    paths: Sequence[str],
    *,
    stdin: BinaryIO,
    ndjson: bool,
    errors: list[str],
    rendering: Rendering,
    settings: tuple[str, str, Mapping[str, str]],
    jobs: int = 1,
) -> Iterator[Rendered]:
    """The verdicts on the inputs, counted and rendered, in input order, all in this process:
    `parallel.check_run` for a run of one process, without importing the `--jobs` engine. It
    takes the same arguments (`settings` and `jobs` serve only the workers there)."""
    items = iter_items(paths, stdin=stdin, ndjson=ndjson, errors=errors)
    return rendered(checker, items, rendering)
