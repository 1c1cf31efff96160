"""The progress chart: pain before and after each signed session, and outcome scores over
time, as inline SVG drawn on the server. No JavaScript, no style attributes and no external
references, so the same markup serves the chart page (under a strict CSP) and WeasyPrint.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 40, 32, 16, 44
BEFORE_COLOUR, AFTER_COLOUR = "#d55e00", "#0e6e6b"
SCORE_COLOURS = ("#0072b2", "#8e3b8a", "#007a5a", "#b8860b", "#5d6b70", "#d55e00")


@dataclass(frozen=True)
class PainPoint:
    day: dt.date
    before: int | None
    after: int | None


@dataclass(frozen=True)
class ScoreSeries:
    label: str
    points: Sequence[tuple[dt.date, float]]  # (date, % of the scale's maximum)
    higher_is_worse: bool


def _n(value: float) -> str:
    """A coordinate as text (format_html escapes its arguments before formatting)."""
    return f"{value:.1f}"


def _x(index: int, count: int) -> float:
    span = WIDTH - LEFT - RIGHT
    return LEFT + (span / 2 if count == 1 else span * index / (count - 1))


def _y(value: float, maximum: float) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - value / maximum)


def _axes(maximum: float, ticks: Sequence[float], unit: str) -> SafeString:
    return format_html_join(
        "",
        '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#e3e8ea"/>'
        '<text x="{}" y="{}" font-size="11" text-anchor="end" fill="#4a585d">{}{}</text>',
        (
            (LEFT, WIDTH - RIGHT, _n(_y(t, maximum)), _n(_y(t, maximum)), LEFT - 6,
             _n(_y(t, maximum) + 4), f"{t:g}", unit)
            for t in ticks
        ),
    )  # fmt: skip


def _date_labels(days: Sequence[dt.date]) -> SafeString:
    step = max(1, len(days) // 8)  # at most ~8 labels
    return format_html_join(
        "",
        '<text x="{}" y="{}" font-size="11" text-anchor="middle" fill="#4a585d">{}</text>',
        (
            (_n(_x(i, len(days))), HEIGHT - BOTTOM + 16, f"{day:%-d %b}")
            for i, day in enumerate(days)
            if i % step == 0 or i == len(days) - 1
        ),
    )


def _line(points: list[tuple[float, float]], colour: str, dash: str = "") -> SafeString:
    if len(points) < 2:
        return mark_safe("")  # noqa: S308 - constant
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    return format_html(
        '<polyline points="{}" fill="none" stroke="{}" stroke-width="2"{}/>',
        path,
        colour,
        format_html(' stroke-dasharray="{}"', dash) if dash else "",
    )


def _legend(items: Sequence[tuple[str, str, str]]) -> SafeString:
    return format_html_join(
        "",
        '<g transform="translate({},{})"><rect width="12" height="12" rx="{}" fill="{}"/>'
        '<text x="17" y="10" font-size="12" fill="#1f2a2e">{}</text></g>',
        (
            (LEFT + i * 190, HEIGHT - 14, 6 if shape == "circle" else 1, colour, label)
            for i, (label, colour, shape) in enumerate(items)
        ),
    )


def _svg(title: str, desc: str, body: SafeString) -> SafeString:
    return format_html(
        '<svg class="progress-chart" viewBox="0 0 {} {}" width="100%" role="img" '
        'aria-labelledby="{}-t {}-d" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{}-t">{}</title><desc id="{}-d">{}</desc>{}</svg>',
        WIDTH, HEIGHT, _slug(title), _slug(title), _slug(title), title, _slug(title), desc, body,
    )  # fmt: skip


def _slug(text: str) -> str:
    return "chart-" + "".join(c if c.isalnum() else "-" for c in text.lower())


def pain_chart(points: Sequence[PainPoint]) -> SafeString:
    """NPRS before (orange circles) and after (teal squares) each session, oldest left."""
    shown = [p for p in points if p.before is not None or p.after is not None]
    if not shown:
        return mark_safe(  # noqa: S308 - constant
            '<p class="text-body-secondary small mb-0">No session pain scores yet: the chart '
            "starts with the first signed IMS session.</p>"
        )
    count = len(shown)
    before = [(_x(i, count), _y(p.before, 10)) for i, p in enumerate(shown) if p.before is not None]
    after = [(_x(i, count), _y(p.after, 10)) for i, p in enumerate(shown) if p.after is not None]
    marks = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="4.5" fill="{}"/>',
        ((_n(x), _n(y), BEFORE_COLOUR) for x, y in before),
    ) + format_html_join(
        "",
        '<rect x="{}" y="{}" width="8" height="8" fill="{}"/>',
        ((_n(x - 4), _n(y - 4), AFTER_COLOUR) for x, y in after),
    )
    desc = "; ".join(
        f"{p.day:%Y-%m-%d}: before {p.before if p.before is not None else '-'}, "
        f"after {p.after if p.after is not None else '-'}"
        for p in shown
    )
    body = (
        _axes(10, (0, 2, 4, 6, 8, 10), "")
        + _date_labels([p.day for p in shown])
        + _line(before, BEFORE_COLOUR)
        + _line(after, AFTER_COLOUR, "5 3")
        + marks
        + _legend(
            [("Pain before", BEFORE_COLOUR, "circle"), ("Pain after", AFTER_COLOUR, "square")]
        )
    )
    return _svg("Pain before and after each session (0-10)", desc, body)


def scores_chart(series: Sequence[ScoreSeries]) -> SafeString:
    """Outcome scores over time, each as % of its scale's maximum."""
    series = [s for s in series if s.points]
    if not series:
        return mark_safe(  # noqa: S308 - constant
            '<p class="text-body-secondary small mb-0">No outcome scores yet.</p>'
        )
    days = sorted({day for s in series for day, _ in s.points})
    index = {day: i for i, day in enumerate(days)}
    body = _axes(100, (0, 25, 50, 75, 100), "%") + _date_labels(days)
    legend = []
    desc = []
    for n, s in enumerate(series):
        colour = SCORE_COLOURS[n % len(SCORE_COLOURS)]
        coords = [(_x(index[day], len(days)), _y(value, 100)) for day, value in s.points]
        body += _line(coords, colour) + format_html_join(
            "",
            '<circle cx="{}" cy="{}" r="4" fill="{}"/>',
            ((_n(x), _n(y), colour) for x, y in coords),
        )
        direction = "lower is better" if s.higher_is_worse else "higher is better"
        legend.append((f"{s.label} ({direction})", colour, "circle"))
        desc.append(f"{s.label}: " + ", ".join(f"{d:%Y-%m-%d} {v:.0f}%" for d, v in s.points))
    body += _legend(legend[:3])
    return _svg("Outcome scores over time (% of scale)", "; ".join(desc), body)
