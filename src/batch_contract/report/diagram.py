"""The life-cycle diagram: the statuses of the schema as nodes, the transitions the rules allow as
arrows (`allowed_transitions`, so the drawing cannot drift from the rules), each with how often it
was observed; a status never seen is grey, a legal transition never seen is dashed, and an
observed transition that breaks a rule is red and links to its violation.

Non-terminal statuses stand in a left column, terminal ones in a right column, each in schema
order. Text is escaped by the caller's `esc`; every node and arrow carries its meaning in text
(`<title>`, the count label) as well as in colour."""

from __future__ import annotations

import math
from collections.abc import Callable

from batch_contract.core.lifecycle import TERMINAL
from batch_contract.report.gather import ReportData

WIDTH, ROW, TOP = 800, 110, 56
NODE_W, NODE_H = 150, 44
LEFT_X, RIGHT_X = 190, 630
Esc = Callable[[str], str]


def _positions(statuses: tuple[str, ...]) -> dict[str, tuple[float, float]]:
    left = [s for s in statuses if s not in TERMINAL]
    right = [s for s in statuses if s in TERMINAL]
    rows = max(len(left), len(right), 1)
    place: dict[str, tuple[float, float]] = {}
    for column, x in ((left, LEFT_X), (right, RIGHT_X)):
        offset = (rows - len(column)) * ROW / 2
        for index, status in enumerate(column):
            place[status] = (x, TOP + offset + index * ROW + NODE_H / 2)
    return place


def _path(a: tuple[float, float], b: tuple[float, float]) -> tuple[str, float, float]:
    """A curved path from node a to node b (the two directions curve apart), and where its label
    goes (about a third of the way, so the labels of arrows fanning out of one node part)."""
    (ax, ay), (bx, by) = a, b
    if ax == bx:  # same column: an arc bulging outwards, wider for a longer jump
        side = -1 if ax == LEFT_X else 1
        rows = abs(by - ay) / ROW
        bulge = side * (NODE_W / 2 + 18 + 34 * rows + (14 if by < ay else 0))
        sx, sy = ax + side * NODE_W / 2, ay + (8 if by > ay else -8)
        ex, ey = bx + side * (NODE_W / 2 + 6), by
        cx, cy = ax + bulge, (ay + by) / 2
        lx, ly = ax + bulge * 0.8, (ay + by) / 2
        return f"M{sx:.1f},{sy:.1f} Q{cx:.1f},{cy:.1f} {ex:.1f},{ey:.1f}", lx, ly
    toward = 1 if bx > ax else -1  # across the columns: from side to facing side
    rows = (by - ay) / ROW
    sx, sy = ax + toward * NODE_W / 2, ay + rows * 7
    ex, ey = bx - toward * (NODE_W / 2 + 4), by - rows * 7
    dx, dy = ex - sx, ey - sy
    length = math.hypot(dx, dy) or 1
    nx, ny = -dy / length, dx / length
    cx, cy = (sx + ex) / 2 + nx * 18, (sy + ey) / 2 + ny * 18
    t = 0.22
    lx = (1 - t) ** 2 * sx + 2 * (1 - t) * t * cx + t * t * ex
    ly = (1 - t) ** 2 * sy + 2 * (1 - t) * t * cy + t * t * ey
    return f"M{sx:.1f},{sy:.1f} Q{cx:.1f},{cy:.1f} {ex:.1f},{ey:.1f}", lx, ly


def arrows(data: ReportData) -> list[tuple[str, str, int, str]]:
    """Every arrow drawn: (from, to, times observed, kind), kind being `seen`, `unseen` (a legal
    transition never observed) or `broken` (observed, and not allowed by the rules)."""
    counts = {
        row.item.name: row.seen for row in data.coverage.items if row.item.area == "transitions"
    }
    drawn = [
        (a, b, counts.get(f"transition={a}->{b}", 0), "")
        for a, b in data.allowed
        if f"transition={a}->{b}" in counts
    ]
    known = set(data.statuses)
    drawn += [
        (a, b, times, "broken")
        for (a, b), times in sorted(data.moves.items())
        if (a, b) not in data.allowed and a in known and b in known
    ]
    return [(a, b, n, kind or ("seen" if n else "unseen")) for a, b, n, kind in drawn]


def status_counts(data: ReportData) -> dict[str, int]:
    """How many bodies showed each status."""
    return {
        row.item.name.split("=", 1)[1]: row.seen
        for row in data.coverage.items
        if row.item.name.startswith("job.status=")
    }


def render(data: ReportData, esc: Esc) -> str:
    """The diagram as inline SVG, then its text equivalent (a table of every arrow)."""
    place = _positions(data.statuses)
    seen = status_counts(data)
    height = int(max(y for _, y in place.values()) + NODE_H / 2 + 40) if place else 120
    out = [
        f'<svg class="lifecycle" viewBox="0 0 {WIDTH} {height}" role="img" '
        'aria-labelledby="lc-title lc-desc" xmlns="http://www.w3.org/2000/svg">',
        '<title id="lc-title">Job life-cycle: statuses and transitions</title>',
        '<desc id="lc-desc">Each box is a job status with how many bodies showed it; each arrow a '
        "change of status between two polls of one job, with how often it was observed. The "
        "table after the diagram lists the same.</desc>",
        "<defs>",
    ]
    for kind in ("seen", "unseen", "broken"):
        out.append(
            f'<marker id="head-{kind}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
            f'markerHeight="7" orient="auto-start-reverse"><path class="head {kind}" '
            'd="M0,0 L10,5 L0,10 z"/></marker>'
        )
    out.append("</defs>")
    out.append(f'<text class="column" x="{LEFT_X}" y="24">in progress</text>')
    out.append(f'<text class="column" x="{RIGHT_X}" y="24">terminal</text>')
    rows = []
    for a, b, times, kind in arrows(data):
        if a not in place or b not in place:
            continue
        d, lx, ly = _path(place[a], place[b])
        what = {
            "seen": f"observed {times} time{'s' if times != 1 else ''}",
            "unseen": "allowed, never observed",
            "broken": f"breaks a rule, observed {times} time{'s' if times != 1 else ''}",
        }[kind]
        label = f"{a} → {b}: {what}"
        arrow = (
            f'<g class="arrow {kind}" data-from="{esc(a)}" data-to="{esc(b)}" '
            f'data-count="{times}" data-kind="{kind}"><title>{esc(label)}</title>'
            f'<path class="line {kind}" d="{d}" marker-end="url(#head-{kind})"/>'
            f'<rect class="label-bg" x="{lx - 13:.1f}" y="{ly - 9:.1f}" width="26" height="18" '
            f'rx="4"/><text class="count {kind}" x="{lx:.1f}" y="{ly + 4:.1f}">'
            f"{times if kind != 'broken' else f'✗{times}'}</text></g>"
        )
        anchor = data.move_groups.get((a, b))
        if kind == "broken" and anchor:
            arrow = f'<a href="#{anchor}" aria-label="{esc(label)}: see its violation">{arrow}</a>'
        out.append(arrow)
        target = f'<a href="#{anchor}">the violation</a>' if kind == "broken" and anchor else ""
        rows.append(
            f'<tr class="{kind}"><td>{esc(a)} → {esc(b)}</td><td class="num">{times}</td>'
            f"<td>{esc(what)} {target}</td></tr>"
        )
    for status, (x, y) in place.items():
        times = seen.get(status, 0)
        kind = "seen" if times else "unseen"
        note = f"{times} bod{'ies' if times != 1 else 'y'}" if times else "not seen"
        out.append(
            f'<g class="node {kind}" data-status="{esc(status)}" data-seen="{times}">'
            f"<title>{esc(status)}: {note}</title>"
            f'<rect x="{x - NODE_W / 2}" y="{y - NODE_H / 2}" width="{NODE_W}" height="{NODE_H}" '
            f'rx="10"/><text class="name" x="{x}" y="{y - 3}">{esc(status)}</text>'
            f'<text class="note" x="{x}" y="{y + 13}">{note}</text></g>'
        )
    out.append("</svg>")
    table = [
        '<table class="transitions"><caption>The diagram as text: each transition the rules '
        "allow, and each observed one they forbid</caption>",
        '<thead><tr><th scope="col">transition</th><th scope="col">observed</th>'
        '<th scope="col">meaning</th></tr></thead><tbody>',
        *rows,
        "</tbody></table>",
    ]
    return "\n".join(out) + "\n" + "\n".join(table)
