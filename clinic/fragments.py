"""The Jinja2 environment for the few hot HTML fragments (issue 18), and how to render them.

Most of the app's pages are Django templates. The fragments that repeat a few hundred times
per page (the desk's day grid: a cell per practitioner per 15 minutes; the patient search's
rows) are Jinja2 templates in clinic/jinja2/, rendered here: Jinja2 compiles a template to
Python once per process, so a cell costs about what a hand-written f-string did, and the
HTML stays in a template with autoescaping on (an undefined name is an error, not a blank).

Only data goes in: each view prepares plain values, and the result is marked safe for the
Django page around it because every value was escaped by Jinja2.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

import jinja2
from django.template import engines
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe


def hh_mm(moment: dt.datetime) -> str:
    """The clock time of an already clinic-local date-time, as the grid shows it."""
    return f"{moment.hour:02d}:{moment.minute:02d}"


def local_datetime(moment: dt.datetime, format_name: str) -> str:
    """`moment` in the clinic's time zone, in Django's date format (as |date does)."""
    return date_format(timezone.localtime(moment), format_name)


@functools.cache
def intake_badge(state: str | None) -> SafeString:
    """clinic/patients/_intake_badge.html (the Django template the patient page includes)
    for one intake state, rendered once per process: a list has a row per patient but only
    three badges, and the badge's markup stays in one place."""
    return mark_safe(  # noqa: S308 (a Django template's own, escaped output)
        render_to_string("clinic/patients/_intake_badge.html", {"state": state}).strip()
    )


def environment(**options: Any) -> jinja2.Environment:
    """TEMPLATES' "jinja2" backend (settings.py): autoescaping on, strict about names."""
    options["undefined"] = jinja2.StrictUndefined
    options.setdefault("autoescape", True)
    # A block tag takes its line's newline and indentation with it: fewer, longer strings.
    options.update(trim_blocks=True, lstrip_blocks=True)
    env = jinja2.Environment(**options)  # noqa: S701 (autoescape is set just above)
    env.filters.update(hh_mm=hh_mm, local_datetime=local_datetime)
    env.globals.update(intake_badge=intake_badge)
    return env


def render(name: str, context: dict[str, Any]) -> SafeString:
    """The fragment `name` (under clinic/jinja2/) rendered with `context`, safe to put in a
    Django template as it is."""
    template = engines["jinja2"].env.get_template(name)
    return mark_safe(template.render(context))  # noqa: S308 (autoescaped by Jinja2)
