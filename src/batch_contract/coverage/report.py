"""Renders a `CoverageReport`: a text table, Markdown for a pull-request comment, JSON, and the
one-paragraph summary that ends a contract-suite run."""

from __future__ import annotations

import json
from typing import Any

from batch_contract.coverage.counting import AREAS, CoverageReport, Seen

SUMMARY_MISSING = 5
"""How many missing items the suite's summary names."""


def _first(row: Seen) -> str:
    if row.first is not None:
        return row.first
    return "(counted only when seen)" if row.item.optional else "-"


def _headline(report: CoverageReport) -> str:
    return (
        f"coverage: {report.percent:.1f}% ({report.covered} of {report.total} items, "
        f"{report.profile} profile)"
    )


def _by_area(report: CoverageReport) -> list[tuple[str, list[Seen]]]:
    return [
        (area, rows)
        for area in AREAS
        if (rows := [row for row in report.items if row.item.area == area])
    ]


def render_text(report: CoverageReport) -> str:
    """A table grouped by area (item, times seen, first seen), the missing items, the headline."""
    width = max((len(row.item.name) for row in report.items), default=4)
    count = max((len(str(row.seen)) for row in report.items), default=1)
    lines = [f"{'item':<{width + 2}}  {'seen':>{max(count, 4)}}  first seen"]
    for area, rows in _by_area(report):
        lines.append(area)
        lines.extend(
            f"  {row.item.name:<{width}}  {row.seen:>{max(count, 4)}}  {_first(row)}"
            for row in rows
        )
    lines.append("")
    if report.missing:
        lines.append(f"missing ({len(report.missing)}):")
        lines.extend(f"  {name}" for name in report.missing)
    else:
        lines.append("missing: none")
    lines.append(_headline(report))
    return "\n".join(lines) + "\n"


def render_markdown(report: CoverageReport) -> str:
    """The same as `render_text`, as Markdown."""
    lines = [
        f"### Contract coverage: {report.percent:.1f}%",
        "",
        "| area | item | seen | first seen |",
        "| --- | --- | ---: | --- |",
    ]
    for area, rows in _by_area(report):
        lines.extend(
            f"| {area} | `{row.item.name}` | {row.seen} | "
            + (f"`{row.first}`" if row.first is not None else _first(row))
            + " |"
            for row in rows
        )
    lines.append("")
    if report.missing:
        names = ", ".join(f"`{name}`" for name in report.missing)
        lines.append(f"**Missing ({len(report.missing)}):** {names}")
    else:
        lines.append("**Missing:** none")
    lines.append("")
    lines.append(_headline(report).capitalize())
    return "\n".join(lines) + "\n"


def as_json(report: CoverageReport) -> dict[str, Any]:
    """The report as plain JSON data."""
    return {
        "profile": report.profile,
        "total": report.total,
        "covered": report.covered,
        "percent": round(report.percent, 2),
        "bodies": report.bodies,
        "responses": report.responses,
        "items": [
            {
                "item": row.item.name,
                "area": row.item.area,
                "seen": row.seen,
                "first": row.first,
                "optional": row.item.optional,
            }
            for row in report.items
        ],
        "missing": list(report.missing),
    }


def render_json(report: CoverageReport) -> str:
    """The report as one indented JSON document."""
    return json.dumps(as_json(report), indent=2) + "\n"


def summary(report: CoverageReport) -> str:
    """One paragraph for the end of a contract-suite run: the headline and the first missing."""
    text = (
        f"contract coverage: {report.percent:.1f}% of the {report.profile} profile's items "
        f"({report.covered} of {report.total}) from {report.responses} response(s)"
    )
    if not report.missing:
        return text + "; nothing missing"
    shown = ", ".join(report.missing[:SUMMARY_MISSING])
    more = len(report.missing) - SUMMARY_MISSING
    return text + f"; missing: {shown}" + (f" and {more} more" if more > 0 else "")
