"""The page: one self-contained HTML file, built by string building with `html.escape`.

Every text from the inputs passes `Scrubbed`: the API key in any form masked (the project's
`secret.mask`), control and format characters (bidi marks among them) shown as `\\uXXXX`, then
HTML-escaped, so a hostile recording is inert text. The page loads nothing: a Content-Security-
Policy meta tag allows no source at all but the page's own style sheet (by its hash), and no
script runs; it reads fully without JavaScript, in light and dark, on screen and on paper."""

from __future__ import annotations

import base64
import hashlib
import html
from collections.abc import Sequence
from dataclasses import dataclass

from batch_contract.core.output import printable
from batch_contract.coverage.counting import AREAS
from batch_contract.drift.compare import Drift
from batch_contract.report import charts, diagram
from batch_contract.report.gather import ReportData
from batch_contract.secret import Secret, mask

AREA_TITLES = {
    "values": "statuses and job types",
    "fields": "optional fields: present, null, absent",
    "bounds": "progress bounds",
    "http": "HTTP outcomes",
    "transitions": "transitions",
    "rules": "rules",
}


@dataclass(frozen=True)
class Scrubbed:
    """Makes any text from the inputs fit for the page (see the module's docstring)."""

    secret: Secret | None = None

    def __call__(self, text: str) -> str:
        return html.escape(printable(mask(text, self.secret)), quote=True)

    def block(self, text: str) -> str:
        """A multi-line text (a body) for a `<pre>`: each line as `__call__` makes it."""
        masked = mask(text, self.secret)
        return "\n".join(html.escape(printable(line), quote=True) for line in masked.split("\n"))


@dataclass(frozen=True)
class Context:
    """What the page says about its making: a title, what it was made from, and when."""

    title: str
    sources: Sequence[str]
    made: str
    run: str = ""
    """The contract run's outcome, for a page written by the pytest plugin."""
    failed: bool = False
    """Whether the run that made the page failed (a red verdict whatever the bodies show)."""


def unchecked(data: ReportData) -> str | None:
    """Why nothing of the endpoint was checked (no body at all: the page is red, whatever else
    it shows), or None when a body was checked. A response that is no 200 with a body (a 500, a
    204, a redirect, a 401) is counted and shown, but checks nothing: it is never a pass."""
    if data.documents:
        return None
    if not data.responses:
        return "no response of the endpoint was checked"
    seen = f"{data.responses} response{'s' if data.responses != 1 else ''} seen"
    return f"no body of the endpoint was checked ({seen}, none a 200 with a body)"


def _verdict(data: ReportData, context: Context, drift: Drift | None, esc: Scrubbed) -> str:
    nothing = unchecked(data)
    empty = data.documents == 0 and data.responses == 0
    red = bool(data.errors or data.unread) or context.failed or bool(drift and drift.breaking)
    red = red or nothing is not None
    word = "FAIL" if red else "PASS"
    why = "violations of the contract were found" if data.errors else "no error found"
    if context.failed and not data.errors:
        why = "the contract run failed"
    if nothing is not None:
        why = nothing
    if data.unread:
        unread = f"{len(data.unread)} part(s) of the input could not be read"
        why = unread if why == "no error found" or empty else f"{why}; {unread}"
    if drift is not None and drift.breaking:
        why += "; the drift has breaking changes"
    cov = data.coverage
    facts = [
        ("verdict", f"{word}: {why}"),
        ("bodies checked", str(data.documents)),
        ("responses of the endpoint", str(data.responses)),
        ("bodies that break the contract", str(data.invalid)),
        *([("cassettes or interactions not read", str(len(data.unread)))] if data.unread else []),
        ("errors", str(data.errors)),
        ("warnings", str(data.warnings)),
        ("coverage", f"{cov.percent:.1f}% ({cov.covered} of {cov.total} items)"),
        ("profile", data.profile),
    ]
    if context.run:
        facts.append(("contract run", context.run))
    facts += [("made", context.made), ("from", " ".join(context.sources) or "-")]
    rows = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in facts)
    return (
        f'<section id="verdict" class="verdict {"fail" if red else "pass"}" '
        f'aria-labelledby="verdict-h"><h2 id="verdict-h">'
        f'<span class="badge">{"✗" if red else "✓"} {word}</span> {esc(why)}</h2>'
        f"<dl>{rows}</dl></section>"
    )


def _unread(data: ReportData, esc: Scrubbed) -> str:
    """The cassettes (or interactions) that could not be read, each by name: nothing on the
    page may look checked that was not."""
    if not data.unread:
        return ""
    items = "".join(f"<li><code>{esc(line)}</code></li>" for line in data.unread)
    return (
        '<section id="unread" aria-labelledby="unread-h"><h2 id="unread-h">Not read '
        f"<small>({len(data.unread)})</small></h2><p>These inputs could not be read, so "
        f"nothing in them was checked:</p><ul>{items}</ul></section>"
    )


def _coverage(data: ReportData, esc: Scrubbed) -> str:
    out = []
    for area in AREAS:
        rows = [row for row in data.coverage.items if row.item.area == area]
        if not rows:
            continue
        cells = []
        for row in rows:
            if row.seen:
                kind, text = "covered", f"✓ seen {row.seen}"
            elif row.item.optional:
                kind, text = "optional", "counted only when seen"
            else:
                kind, text = "missing", "✗ missing"
            where = ""
            if row.first:  # the file name and place; the whole path on hover
                short = row.first.rsplit("/", 1)[-1]
                where = f'<small title="{esc(row.first)}">first: {esc(short)}</small>'

            cells.append(
                f'<li class="cell {kind}" data-item="{esc(row.item.name)}" data-seen="{row.seen}">'
                f"<code>{esc(row.item.name)}</code><span>{text}</span>{where}</li>"
            )
        seen = sum(1 for row in rows if row.seen)
        out.append(
            f"<h3>{esc(AREA_TITLES.get(area, area))} <small>({area}: {seen} of {len(rows)})"
            f'</small></h3><ul class="heat">{"".join(cells)}</ul>'
        )
    return "\n".join(out)


def _violations(data: ReportData, esc: Scrubbed) -> str:
    if not data.groups:
        return "<p>None: every body honours the schema and the rules.</p>"
    out = []
    for group in sorted(data.groups, key=lambda g: (g.severity != "error", g.path, g.keyword)):
        out.append(
            f'<article id="{group.anchor}" class="violation {group.severity}">'
            f'<h3><span class="sev">{group.severity}</span> <code>{esc(group.path)}</code> '
            f"· {esc(group.keyword)}</h3>"
            f"<p>expected {esc(group.expected)}, found {esc(group.found)}</p>"
            f"<p><strong>{group.count}</strong> time{'s' if group.count != 1 else ''}; first in "
            f"<code>{esc(group.first)}</code></p>"
            f"<details><summary>the offending body</summary><pre>{esc.block(group.body)}</pre>"
            "</details></article>"
        )
    return "\n".join(out)


def _drift(drift: Drift | None, esc: Scrubbed) -> str:
    if drift is None:
        return ""
    head = (
        f"<p>{esc(drift.old)} → {esc(drift.new)}: {drift.count('breaking')} breaking, "
        f"{drift.count('additive')} additive, {drift.count('warning')} warning(s) "
        f"({drift.old_responses} responses before, {drift.new_responses} after)</p>"
    )
    items = "".join(
        f'<li class="{f.impact}"><span class="sev">{f.impact}</span> {esc(f.endpoint)} '
        f"{f.status} <code>{esc(f.path)}</code>: {esc(f.kind)}: {esc(f.detail)} "
        f"<small>({esc(f.where)})</small></li>"
        for f in drift.findings
    )
    body = f'<ul class="drift">{items}</ul>' if items else "<p>No change.</p>"
    return (
        '<section id="drift" aria-labelledby="drift-h"><h2 id="drift-h">Drift</h2>'
        f"{head}{body}</section>"
    )


def render(
    data: ReportData, context: Context, secret: Secret | None = None, drift: Drift | None = None
) -> str:
    """The whole page."""
    esc = Scrubbed(secret)
    style = STYLE
    digest = base64.b64encode(hashlib.sha256(style.encode("utf-8")).digest()).decode("ascii")
    csp = (
        f"default-src 'none'; style-src 'sha256-{digest}'; img-src 'none'; script-src 'none'; "
        "base-uri 'none'; form-action 'none'"
    )
    nav = [("verdict", "Verdict")] + ([("unread", "Not read")] if data.unread else [])
    nav += [("lifecycle", "Life-cycle"), ("jobs", "Jobs over time")]
    nav += [("coverage", "Coverage"), ("violations", "Violations")]
    nav += [("drift", "Drift")] if drift is not None else []
    links = " ".join(f'<a href="#{i}">{t}</a>' for i, t in nav)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="color-scheme" content="light dark">',
        '<meta name="referrer" content="no-referrer">',
        f"<title>{esc(context.title)}</title>",
        f"<style>{style}</style></head><body>",
        f'<header><h1>{esc(context.title)}</h1><nav aria-label="sections">{links}</nav></header>',
        "<main>",
        _verdict(data, context, drift, esc),
        _unread(data, esc),
        '<section id="lifecycle" aria-labelledby="lifecycle-h"><h2 id="lifecycle-h">'
        "The life-cycle</h2><p>Arrows are the transitions the rules allow; dashed ones were "
        "never observed, red ones (✗) were observed and break a rule. Grey statuses were never "
        "seen.</p>",
        diagram.render(data, esc),
        "</section>",
        '<section id="jobs" aria-labelledby="jobs-h"><h2 id="jobs-h">Jobs over time</h2>'
        f"<p>{len(data.jobs)} job(s) polled more than once.</p>",
        charts.render(data, esc),
        "</section>",
        '<section id="coverage" aria-labelledby="coverage-h"><h2 id="coverage-h">Coverage</h2>',
        _coverage(data, esc),
        "</section>",
        '<section id="violations" aria-labelledby="violations-h"><h2 id="violations-h">'
        f"Violations <small>({len(data.groups)} by JSON path and rule)</small></h2>",
        _violations(data, esc),
        "</section>",
        _drift(drift, esc),
    ]
    if data.notes:
        notes = "".join(f"<li>{esc(note)}</li>" for note in data.notes)
        parts.append(
            f'<section id="notes" aria-labelledby="notes-h"><h2 id="notes-h">Skipped</h2>'
            f"<ul>{notes}</ul></section>"
        )
    parts.append("</main></body></html>\n")
    return mask("\n".join(parts), secret)


STYLE = """
:root{--bg:#fff;--fg:#1b1b1b;--muted:#555;--line:#c8c8c8;--card:#f5f6f8;--ok:#1b6e20;
--ok-bg:#e5f3e6;--bad:#b00020;--bad-bg:#fde7ea;--warn:#7a4f00;--warn-bg:#fff3d6;--accent:#1f4f9c;
--grey:#5f5f5f;--grey-bg:#ececec;--b1:#e8eef9;--b2:#eef6ea;--b3:#f6f0e6;--b4:#efefef}
@media (prefers-color-scheme:dark){:root{--bg:#121417;--fg:#e8e8e8;--muted:#b4b4b4;
--line:#44484f;--card:#1c1f24;--ok:#8fd694;--ok-bg:#17301a;--bad:#ff8f8f;--bad-bg:#3a1518;
--warn:#ffd27a;--warn-bg:#3a2e12;--accent:#9cc2ff;--grey:#a8a8a8;--grey-bg:#2a2d33;--b1:#1d2636;
--b2:#1d2b1e;--b3:#2e281d;--b4:#26282c}}
*{box-sizing:border-box}
html{background:var(--bg);color:var(--fg)}
body{margin:0 auto;max-width:1100px;padding:0 16px 48px;font:15px/1.5 system-ui,-apple-system,
"Segoe UI",Roboto,sans-serif;overflow-wrap:anywhere}
a{color:var(--accent)}
h1{font-size:1.5rem;margin:16px 0 4px}
h2{font-size:1.25rem;margin:28px 0 8px;border-bottom:1px solid var(--line)}
h3{font-size:1rem;margin:14px 0 6px}
nav a{margin-right:12px}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em}
pre{white-space:pre-wrap;background:var(--card);padding:8px;border-radius:6px;max-height:40em;
overflow:auto}
small{color:var(--muted)}
.verdict{border:2px solid;border-radius:10px;padding:4px 16px;margin-top:16px}
.verdict.pass{border-color:var(--ok);background:var(--ok-bg)}
.verdict.fail{border-color:var(--bad);background:var(--bad-bg)}
.verdict h2{border:0}
.badge{font-weight:700}
.pass .badge{color:var(--ok)}.fail .badge{color:var(--bad)}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:0 0 12px}
dt{color:var(--muted)}dd{margin:0}
svg{display:block;max-width:100%;height:auto}
svg text{fill:var(--fg);font:13px system-ui,sans-serif;text-anchor:middle}
svg .column{fill:var(--muted);font-weight:600}
.node rect{fill:var(--card);stroke:var(--accent);stroke-width:2}
.node.unseen rect{fill:var(--grey-bg);stroke:var(--grey);stroke-dasharray:4 3}
.node .name{font-weight:700}
.node .note{font-size:11px;fill:var(--muted)}
.node.unseen .name{fill:var(--grey)}
.line{fill:none;stroke-width:2}
.line.seen{stroke:var(--accent)}
.line.unseen{stroke:var(--grey);stroke-dasharray:6 5}
.line.broken{stroke:var(--bad);stroke-width:3}
.head.seen{fill:var(--accent)}.head.unseen{fill:var(--grey)}.head.broken{fill:var(--bad)}
.label-bg{fill:var(--bg);stroke:var(--line)}
.count{font-size:12px;font-weight:700}
.count.unseen{fill:var(--grey)}.count.broken{fill:var(--bad)}
table{border-collapse:collapse;margin:8px 0}
th,td{border:1px solid var(--line);padding:2px 8px;text-align:left}
.num{text-align:right}
tr.broken td{color:var(--bad);font-weight:600}
tr.unseen td{color:var(--grey)}
.jobs{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:16px}
figure{margin:0;background:var(--card);border-radius:8px;padding:8px}
figcaption{font-size:.85rem}
.band.pending{fill:var(--b1)}.band.running{fill:var(--b2)}.band.dispatched{fill:var(--b3)}
.band.end{fill:var(--b4)}
.band-label{font-size:10px;text-anchor:start;fill:var(--muted)}
.axis{font-size:10px;text-anchor:start;fill:var(--muted)}
.series{fill:none;stroke-width:2}
.progress{stroke:var(--accent)}.total_items{stroke:var(--grey);stroke-dasharray:3 3}
.processed_items{stroke:var(--ok)}.failed_items{stroke:var(--bad)}
.skipped_items{stroke:var(--warn)}
.legend{color:var(--muted)}
.key::before{content:"";display:inline-block;width:14px;height:0;border-top:3px solid;
margin-right:3px;vertical-align:middle}
.key.progress::before{border-color:var(--accent)}.key.total_items::before{border-color:var(--grey)}
.key.processed_items::before{border-color:var(--ok)}
.key.failed_items::before{border-color:var(--bad)}
.key.skipped_items::before{border-color:var(--warn)}
.heat{list-style:none;padding:0;margin:0;display:grid;
grid-template-columns:repeat(auto-fill,minmax(220px,1fr));gap:4px}
.cell{border-radius:6px;padding:2px 8px;border:1px solid var(--line);display:flex;
flex-direction:column;font-size:.9em}
.cell small{font-size:.8em}
.cell.covered{background:var(--ok-bg)}.cell.covered span{color:var(--ok);font-weight:600}
.cell.missing{background:var(--bad-bg)}.cell.missing span{color:var(--bad);font-weight:600}
.cell.optional{background:var(--grey-bg)}.cell.optional span{color:var(--muted)}
.violation{border-left:4px solid var(--bad);background:var(--card);padding:4px 12px;
margin:8px 0;border-radius:4px}
.violation.warning{border-left-color:var(--warn)}
.violation p{margin:4px 0}
.sev{text-transform:uppercase;font-size:.8em;font-weight:700;color:var(--bad)}
.warning .sev{color:var(--warn)}
.drift li.breaking .sev{color:var(--bad)}.drift li.additive .sev{color:var(--ok)}
:target{outline:3px solid var(--accent);outline-offset:2px}
@media print{:root{--bg:#fff;--fg:#000;--muted:#333;--card:#fff;--grey-bg:#f2f2f2}
nav{display:none}body{max-width:none;font-size:11pt}section,figure,article{break-inside:avoid}
pre{max-height:none;overflow:visible}}
"""
