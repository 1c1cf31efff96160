"""The clinic dashboard's charts: grouped horizontal bars per practitioner, as inline SVG
drawn on the server in the progress chart's house style (treatments/charts.py: no
JavaScript, no style attributes, no external references, a <title> and a <desc> that say
every figure in words, so a screen reader gets the numbers; the table below the charts
holds them too). Its own module because clinic imports nothing from treatments.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape  # the standard library's: Django's lazy-aware one cost a third

from django.utils.safestring import SafeString, mark_safe

# Narrower than the progress chart: two charts share a row, and the text stays readable.
WIDTH = 480
LABEL_WIDTH, RIGHT, TOP = 116, 44, 8
BAR, GAP, LEGEND = 14, 14, 30
# The progress chart's palette (colour-blind safe Okabe-Ito hues).
COLOURS = ("#0072b2", "#d55e00", "#007a5a", "#8e3b8a")


@dataclass(frozen=True)
class Bars:
    label: str
    values: Sequence[float | Decimal | None]  # one per category; None: nothing to show

    def floats(self) -> list[float | None]:
        return [None if v is None else float(v) for v in self.values]


def _n(value: float) -> str:
    return f"{value:.1f}"


def _value(value: float, unit: str) -> str:
    return f"{value:g}{unit}"


def bar_chart(
    title: str, categories: Sequence[str], series: Sequence[Bars], *, unit: str = ""
) -> SafeString:
    """One band per category (a practitioner), one bar per series in it, the value written
    at the bar's end. Scaled to the largest value (100 for percentages)."""
    if not categories:
        return mark_safe(  # noqa: S308 - constant
            '<p class="text-body-secondary small mb-0">Nothing in this range.</p>'
        )
    values = [s.floats() for s in series]
    largest = max((v for row in values for v in row if v), default=0)
    top = 100.0 if unit == "%" else max(largest, 1)
    band = len(series) * BAR + GAP
    height = TOP + band * len(categories) + LEGEND
    span = WIDTH - LABEL_WIDTH - RIGHT
    body = []
    for i, category in enumerate(categories):
        y0 = TOP + i * band
        body.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{_n(y0 + len(series) * BAR / 2 + 4)}" '
            f'font-size="12" text-anchor="end" fill="#1f2a2e">{escape(category[:17])}</text>'
        )
        for j in range(len(series)):
            value = values[j][i]
            y = y0 + j * BAR
            length = 0.0 if not value else span * value / top
            colour = COLOURS[j % len(COLOURS)]
            body.append(
                f'<rect x="{LABEL_WIDTH}" y="{_n(y)}" width="{_n(length)}" '
                f'height="{BAR - 2}" fill="{colour}"/>'
                f'<text x="{_n(LABEL_WIDTH + length + 4)}" y="{_n(y + BAR - 3)}" font-size="11" '
                f'fill="#4a585d">{"-" if value is None else _value(value, escape(unit))}</text>'
            )
    body.append(
        f'<line x1="{LABEL_WIDTH}" x2="{LABEL_WIDTH}" y1="{TOP}" '
        f'y2="{TOP + band * len(categories)}" stroke="#8a979c"/>'
    )
    body.extend(
        f'<g transform="translate({8 + j * 130},{height - 18})"><rect width="12" '
        f'height="12" rx="1" fill="{COLOURS[j % len(COLOURS)]}"/>'
        f'<text x="17" y="10" font-size="12" fill="#1f2a2e">{escape(s.label)}</text></g>'
        for j, s in enumerate(series)
    )
    desc = "; ".join(
        f"{category}: "
        + ", ".join(
            f"{s.label.lower()} {'none' if values[j][i] is None else _value(values[j][i], unit)}"
            for j, s in enumerate(series)
        )
        for i, category in enumerate(categories)
    )
    slug = "chart-" + "".join(c if c.isalnum() else "-" for c in title.lower())
    return mark_safe(  # noqa: S308 - built from numbers, constants and escaped text
        f'<svg class="dashboard-chart" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        f'aria-labelledby="{slug}-t {slug}-d" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{slug}-t">{escape(title)}</title><desc id="{slug}-d">{escape(desc)}</desc>'
        f"{''.join(body)}</svg>"
    )
