"""The findings rendered at the edge: text (one line a finding), markdown (a table for
`$GITHUB_STEP_SUMMARY`), JSON and GitHub annotations."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from batch_contract.core.output import markdown_code, markdown_text, printable
from batch_contract.watch.compare import Finding

TITLE = "batch-contract watch"


def counts(findings: Sequence[Finding]) -> dict[str, int]:
    """How many findings of each severity."""
    return {
        level: sum(f.severity == level for f in findings) for level in ("error", "warning", "info")
    }


def _value(value: Any) -> str:
    return "-" if value is None else json.dumps(value, ensure_ascii=False, default=str)


def _summary(findings: Sequence[Finding], compared: Sequence[str]) -> str:
    found = counts(findings)
    return (
        f"watch: {found['error']} error(s), {found['warning']} warning(s), {found['info']} info "
        f"({'; '.join(compared)})"
    )


def _line(finding: Finding) -> str:
    text = (
        f"{finding.severity}: {finding.id} [{finding.source}] {finding.path}: {finding.message} "
        f"(old: {_value(finding.old)}, new: {_value(finding.new)}"
    )
    if finding.seen is not None:
        text += f", seen: {finding.seen}"
    if finding.successor is not None:
        text += f", successor: {json.dumps(finding.successor, ensure_ascii=False)}"
    if finding.decision:
        text += f", decision: {finding.decision}"
    return text + ")"


def render_text(findings: Sequence[Finding], compared: Sequence[str]) -> str:
    """One line a finding, then a summary line."""
    lines = [_line(finding) for finding in findings] + [_summary(findings, compared)]
    return "\n".join(printable(line) for line in lines) + "\n"


def render_markdown(findings: Sequence[Finding], compared: Sequence[str]) -> str:
    """A heading, the summary and a table of the findings."""
    lines = ["### Contract watch", "", markdown_text(_summary(findings, compared))]
    if findings:
        lines += [
            "",
            "| Severity | Id | Source | Path | Old | New | Seen | Message |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for f in findings:
            severity = f"**{f.severity}**" if f.severity == "error" else f.severity
            message = f.message
            if f.successor is not None:
                message += f" (successor: {json.dumps(f.successor, ensure_ascii=False)})"
            if f.decision:
                message += f" (decision: {f.decision})"
            seen = "-" if f.seen is None else str(f.seen)
            lines.append(
                f"| {severity} | {markdown_code(f.id)} | {f.source} | {markdown_code(f.path)} "
                f"| {markdown_code(_value(f.old))} | {markdown_code(_value(f.new))} | {seen} "
                f"| {markdown_text(message)} |"
            )
    return "\n".join(lines) + "\n"


def render_json(findings: Sequence[Finding], compared: Sequence[str]) -> str:
    """`{"findings": [...], "summary": {...}, "compared": [...]}`."""
    document = {
        "findings": [finding.as_dict() for finding in findings],
        "summary": counts(findings),
        "compared": list(compared),
    }
    return json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n"


def _escape(text: str, properties: bool = False) -> str:
    text = printable(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if properties else text


def render_github(findings: Sequence[Finding], compared: Sequence[str]) -> str:
    """A workflow command a finding (error, warning, notice), then the summary line."""
    command = {"error": "error", "warning": "warning", "info": "notice"}
    lines = [
        f"::{command[f.severity]} title={_escape(f'{TITLE}: {f.id}', True)}::{_escape(_line(f))}"
        for f in findings
    ]
    lines.append(printable(_summary(findings, compared)))
    return "\n".join(lines) + "\n"


RENDERERS = {
    "text": render_text,
    "markdown": render_markdown,
    "json": render_json,
    "github": render_github,
}
