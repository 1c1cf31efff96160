"""{% load bodychart %}{% bodychart marks %}: a read-only body chart, front and back.

    {% bodychart intake.pain_marks %}                 both views, legend, numbered notes
    {% bodychart marks width=220 legend=False %}      a size per view (CSS px); no legend
    {% bodychart marks width=150 notes=False %}       in a PDF: give a width

Inline SVG with no JavaScript and no style attributes, so it works in a WeasyPrint PDF and
under a strict Content-Security-Policy. Marks that cannot be placed are skipped silently.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from clinic.bodychart import render_bodychart, render_bodychart_svg

register = template.Library()


@register.simple_tag
def bodychart(
    marks: Any, width: int | None = 160, legend: bool = True, notes: bool = True
) -> SafeString:
    return render_bodychart(marks, width=width, legend=legend, notes=notes)


@register.simple_tag
def bodychart_view(marks: Any, view: str, width: int | None = None) -> SafeString:
    """One view only: {% bodychart_view marks "back" width=200 %}."""
    return render_bodychart_svg(marks, view=view, width=width)
