"""Jobs over time: for each job polled more than once, a small SVG chart of `progress_percentage`
(0 to 100) and the item counts against poll number, over bands that name the status of each poll.
A count that goes backwards, or progress that stalls, shows at a glance; a table under each chart
gives the same numbers as text."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from batch_contract.report.gather import COUNTS, Poll, ReportData

W, H = 360, 150
PAD_L, PAD_R, PAD_T, PAD_B = 34, 10, 22, 24
SERIES = ("progress", *COUNTS)
Esc = Callable[[str], str]


def _x(index: int, polls: int) -> float:
    span = W - PAD_L - PAD_R
    return PAD_L + (span * index / (polls - 1) if polls > 1 else span / 2)


def _y(value: float, top: float) -> float:
    span = H - PAD_T - PAD_B
    return PAD_T + span * (1 - (value / top if top else 0))


def _points(values: Sequence[float | None], top: float) -> str:
    return " ".join(
        f"{_x(i, len(values)):.1f},{_y(v, top):.1f}" for i, v in enumerate(values) if v is not None
    )


def chart(name: str, polls: Sequence[Poll], index: int, esc: Esc) -> str:
    """One job's chart and its table."""
    n = len(polls)
    top = max((p.counts.get(c, 0.0) for p in polls for c in COUNTS), default=0.0) or 1.0
    step = (W - PAD_L - PAD_R) / (n - 1) if n > 1 else W - PAD_L - PAD_R
    out = [
        f'<figure class="job"><svg class="chart" viewBox="0 0 {W} {H}" role="img" '
        f'aria-labelledby="job-{index}-t" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="job-{index}-t">{esc(name)}: progress and counts over {n} polls '
        "(the table under the chart gives the numbers)</title>"
    ]
    for i, poll in enumerate(polls):  # status bands
        x = max(PAD_L, _x(i, n) - step / 2)
        right = min(W - PAD_R, _x(i, n) + step / 2)
        status = poll.status or "no status"
        band = poll.status if poll.status in ("pending", "running", "dispatched") else "end"
        out.append(
            f'<rect class="band {esc(band)}" x="{x:.1f}" y="{PAD_T}" width="{right - x:.1f}" '
            f'height="{H - PAD_T - PAD_B}"><title>poll {i + 1}: {esc(status)}</title></rect>'
        )
        if i == 0 or polls[i - 1].status != poll.status:
            room = sum(1 for p in polls[i:] if p.status == poll.status) * step
            shown = status if room >= 6.5 * len(status) else status[: max(1, int(room // 7))]
            out.append(f'<text class="band-label" x="{x + 2:.1f}" y="14">{esc(shown)}</text>')
    for value, label in ((0, "0"), (1, "top")):
        out.append(f'<text class="axis" x="2" y="{_y(value, 1) + 4:.1f}">{label}</text>')
    for i in range(n):
        out.append(f'<text class="axis" x="{_x(i, n) - 3:.1f}" y="{H - 8}">{i + 1}</text>')
    progress = [p.progress for p in polls]
    out.append(f'<polyline class="series progress" points="{_points(progress, 100.0)}"/>')
    for name_ in COUNTS:
        values = [p.counts.get(name_) for p in polls]
        out.append(f'<polyline class="series {name_}" points="{_points(values, top)}"/>')
    out.append("</svg>")
    head = "".join(f'<th scope="col">{c.replace("_items", "")}</th>' for c in COUNTS)
    rows = []
    for i, poll in enumerate(polls):
        cells = "".join(f'<td class="num">{_num(poll.counts.get(c))}</td>' for c in COUNTS)
        rows.append(
            f'<tr><td class="num">{i + 1}</td><td>{esc(poll.status or "no status")}</td>'
            f'<td class="num">{_num(poll.progress)}</td>{cells}</tr>'
        )
    source, _, job = name.rpartition("#")
    out.append(
        f"<figcaption><strong>{esc(job or name)}</strong> <small>{esc(source)}</small> "
        f"<small>(top: progress 100%, counts {_num(top)})</small></figcaption>"
        f'<details><summary>numbers</summary><table><thead><tr><th scope="col">poll</th>'
        f'<th scope="col">status</th><th scope="col">progress</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></details></figure>"
    )
    return "".join(out)


def _num(value: float | None) -> str:
    if value is None:
        return "-"
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def render(data: ReportData, esc: Esc) -> str:
    """Every job's chart, in the order the jobs were first seen."""
    if not data.jobs:
        return "<p>No job was polled more than once.</p>"
    charts = [chart(name, polls, i, esc) for i, (name, polls) in enumerate(data.jobs.items())]
    legend = (
        '<p class="legend">Lines: <span class="key progress">progress %</span> '
        '<span class="key total_items">total items</span> <span class="key processed_items">'
        'processed</span> <span class="key failed_items">failed</span> <span class="key '
        'skipped_items">skipped</span>; the shaded bands name the status of each poll.</p>'
    )
    return legend + '<div class="jobs">' + "\n".join(charts) + "</div>"
