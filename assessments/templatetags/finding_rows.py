"""{% load finding_rows %}{% finding_rows "sign" findings assessment editable %}: an
assessment's finding rows (sign, band or range; one finding or a list), from the Jinja2
fragment assessments/jinja2/assessments/finding_rows.html (clinic/fragments.py).

The read page's ten rows as Django includes cost 0.75 ms of its 2.3 ms render, most of
the page's own rendering (issue 18, CPU on the bench assessment); the entry page and its
htmx row responses render the same fragment, so the markup stays in one place.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Model
from django.urls import reverse
from django.utils.safestring import SafeString

from clinic import fragments

register = template.Library()


@register.simple_tag
def finding_rows(kind: str, findings: Any, assessment: Any, editable: Any = False) -> SafeString:
    if isinstance(findings, Model):
        findings = [findings]

    def action_url(name: str, finding: Model) -> str:
        return reverse(f"assessments:{name}", args=[assessment.pk, kind, finding.pk])

    return fragments.render(
        "assessments/finding_rows.html",
        {
            "kind": kind,
            "findings": findings,
            "editable": bool(editable),
            "action_url": action_url,
        },
    )
