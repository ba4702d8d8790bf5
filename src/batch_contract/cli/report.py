"""Turns results into output: text lines, one JSON report, or GitHub Actions annotations.

Results never print themselves; a reporter receives each result as it comes and the tally at the
end, so output streams and memory stays flat.
"""

from __future__ import annotations

import json
from typing import IO, Protocol

from batch_contract.core.output import printable
from batch_contract.core.results import Result, Tally, Violation


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def summary_line(tally: Tally) -> str:
    """`N documents: V valid, I invalid[, W warnings]`."""
    line = f"{_plural(tally.documents, 'document')}: {tally.valid} valid, {tally.invalid} invalid"
    if tally.warnings:
        line += f", {_plural(tally.warnings, 'warning')}"
    return line


def violation_text(violation: Violation) -> str:
    """`$.path: [warning: ]expected X, found Y[ [rule]]`."""
    prefix = "warning: " if violation.severity == "warning" else ""
    rule = violation.keyword.removeprefix("rule:")
    suffix = f" [{rule}]" if rule != violation.keyword else ""
    return f"{violation.path}: {prefix}{violation.message}{suffix}"


class Reporter(Protocol):
    """Receives the lines rendered from every result (by `text_lines`, `github_lines` or
    `json_lines`), then the tally; writes to its stream."""

    def emit(self, lines: list[str]) -> None:
        """Write lines rendered from results."""

    def finish(self, tally: Tally) -> None:
        """Report the end of the run."""

    def stopped(self, tally: Tally, reason: str) -> None:
        """Report a run stopped before its end (interrupted, a worker died): what was seen."""


def text_lines(result: Result) -> list[str]:
    """`SOURCE[:LINE]: problem` and `SOURCE[:LINE]::$.json.path: message` lines of a result."""
    location = printable(result.document.location)
    return [location + tail for tail in text_tails(result)]


def text_tails(result: Result) -> list[str]:
    """What follows the location in each text line of a result (`: problem`, `::$.path: ...`)."""
    tails = [f": {printable(result.problem)}"] if result.problem is not None else []
    tails.extend(f"::{printable(violation_text(v))}" for v in result.violations)
    return tails


def github_lines(result: Result) -> list[str]:
    """One GitHub Actions workflow command per problem or violation of a result."""
    document = result.document
    props = [f"file={_escape_property(document.source)}"]
    if document.where is not None and document.where.isdigit():
        props.append(f"line={document.where}")
    title = (
        "batch-contract"
        if document.where is None or document.where.isdigit()
        else (f"batch-contract {document.where}")
    )
    props.append(f"title={_escape_property(title)}")
    head = ",".join(props)
    lines = []
    if result.problem is not None:
        lines.append(f"::error {head}::{_escape_data(result.problem)}")
    for violation in result.violations:
        level = "warning" if violation.severity == "warning" else "error"
        lines.append(f"::{level} {head}::{_escape_data(violation_text(violation))}")
    return lines


def json_lines(result: Result, warnings_as_errors: bool = False) -> list[str]:
    """The one JSON entry of a result in the `results` list (valid documents included)."""
    entry = {
        "source": _utf8(result.document.source),
        "where": result.document.where,
        "valid": result.is_valid(warnings_as_errors),
        "problem": result.problem,
        "violations": [_violation_json(v) for v in result.violations],
    }
    return [json.dumps(entry, ensure_ascii=False)]


def _utf8(text: str) -> str:
    """`text` as UTF-8 can hold it: a byte of a file name that is not UTF-8 (read as a lone
    surrogate, `\udcff`) is written as that escape's six characters, as the text report shows
    it; JSON has no way to carry the byte itself."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def reporter_for(
    fmt: str,
    out: IO[str],
    *,
    quiet: bool = False,
    max_errors: int | None = None,
) -> Reporter:
    """The reporter of output format `fmt`, writing to `out`."""
    if fmt == "json":
        return JsonReporter(out)
    return TextReporter(out, quiet=quiet, max_errors=max_errors)  # GitHub's are lines too


class TextReporter:
    """Rendered lines (text: `SOURCE[:LINE]::$.json.path: message` per violation; or GitHub
    annotations), as many as --max-errors allows, then one summary line."""

    def __init__(self, out: IO[str], *, quiet: bool = False, max_errors: int | None = None) -> None:
        self._out = out
        self._quiet = quiet
        self._budget = max_errors
        self._hidden = 0

    def _line(self, text: str) -> None:
        if self._quiet:
            return
        if self._budget is not None:
            if self._budget <= 0:
                self._hidden += 1
                return
            self._budget -= 1
        self._out.write(text + "\n")

    def emit(self, lines: list[str]) -> None:
        """Write rendered lines, as many as --max-errors leaves room for."""
        if self._budget is None and not self._quiet:  # every line: one write
            self._out.write("\n".join(lines) + "\n" if lines else "")
            return
        for line in lines:
            self._line(line)

    def finish(self, tally: Tally) -> None:
        """Write the summary line (and how many lines --max-errors held back)."""
        if self._hidden:
            self._out.write(f"... {_plural(self._hidden, 'more violation')} not shown\n")
        self._out.write(summary_line(tally) + "\n")

    def stopped(self, tally: Tally, reason: str) -> None:
        """Nothing more: the lines written stand, and the command says on stderr why it stopped."""


def _escape_data(text: str) -> str:
    return printable(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _violation_json(violation: Violation) -> dict[str, str]:
    return {
        "path": violation.path,
        "keyword": violation.keyword,
        "severity": violation.severity,
        "expected": violation.expected,
        "found": violation.found,
        "message": violation.message,
    }


class JsonReporter:
    """One JSON object: every document's verdict and violations, then the counts (streamed)."""

    def __init__(self, out: IO[str]) -> None:
        self._out = out
        self._first = True
        out.write('{"results": [')

    def emit(self, lines: list[str]) -> None:
        """Append rendered entries."""
        for line in lines:
            self._out.write(("\n  " if self._first else ",\n  ") + line)
            self._first = False

    def finish(self, tally: Tally, interrupted: str | None = None) -> None:
        """Close the list and write the counts (and, for a run stopped early, why)."""
        counts = {
            "documents": tally.documents,
            "valid": tally.valid,
            "invalid": tally.invalid,
            "warnings": tally.warnings,
            "unreadable": tally.unreadable,
        }
        stop = "" if interrupted is None else ', "interrupted": ' + json.dumps(interrupted)
        self._out.write(
            ("\n" if not self._first else "") + '], "summary": ' + json.dumps(counts) + stop + "}\n"
        )

    def stopped(self, tally: Tally, reason: str) -> None:
        """Close the document as `finish` does, with `"interrupted": reason` after the counts of
        what was checked: the report is one complete JSON document however the run ended."""
        self.finish(tally, interrupted=reason)
