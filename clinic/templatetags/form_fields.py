"""One form field with its label and errors, written in Python (issue 18).

`finding_field` writes what templates/assessments/_field.html writes (keep the two in
step); `session_field` what treatments/_session_field.html wrote for the session form's
cards (the template is gone). The session form showed 27 of them through {% include %},
~0.2 ms each in the template engine, the largest part of its rendering; the session form's
golden test compares the page's content with what the includes wrote."""

from __future__ import annotations

from django import template
from django.forms import BoundField
from django.utils.html import format_html
from django.utils.safestring import SafeData, SafeString, mark_safe
from django.utils.text import capfirst

register = template.Library()


def _errors(field: BoundField, html: str) -> SafeString:
    return mark_safe("".join(format_html(html, error) for error in field.errors))  # noqa: S308


def _capfirst(label) -> str:
    """The capfirst filter: the first letter upper-cased, a safe label kept safe."""
    out = capfirst(str(label))
    return mark_safe(out) if isinstance(label, SafeData) else out  # noqa: S308


@register.simple_tag(takes_context=True)
def finding_field(context, field: BoundField, col: str = "") -> SafeString:
    """{% include "assessments/_field.html" with field=... col=... %}; `oob` is read from
    the context, as the include reads it."""
    oob = ' hx-swap-oob="true"' if context.get("oob") else ""
    return format_html(
        '<div class="{} finding-field"\n     id="{}-wrap"\n    {}>\n'
        '  <label class="form-label small mb-1" for="{}">{}</label>\n  {}\n  {}\n</div>',
        col or "col-12",
        field.auto_id,
        mark_safe(oob),  # noqa: S308 - a constant
        field.id_for_label,
        field.label,
        field,
        _errors(field, '<div class="invalid-feedback d-block">{}</div>'),
    )


@register.simple_tag
def session_field(field: BoundField, col: str = "") -> SafeString:
    """A session field in its column: a checkbox before its label, anything else after it;
    its help text under it (if the model gives one); the error line (err-<name>) that
    autosave fills."""
    label = _capfirst(field.label)
    if getattr(field.field.widget, "input_type", None) == "checkbox":
        inner = format_html(
            '<div class="form-check">\n      {}\n      <label class="form-check-label" '
            'for="{}">{}</label>\n    </div>',
            field,
            field.id_for_label,
            label,
        )
    else:
        inner = format_html(
            '<label class="form-label" for="{}">{}</label>\n    {}',
            field.id_for_label,
            label,
            field,
        )
    if field.help_text:
        # Django points the widget's aria-describedby at <id>_helptext.
        inner = format_html(
            '{}\n    <div id="{}_helptext" class="form-text">{}</div>',
            inner,
            field.auto_id,
            field.help_text,
        )
    return format_html(
        '<div class="{}">\n    {}\n  <div id="err-{}" class="invalid-feedback d-block">{}</div>'
        "\n</div>",
        col or "col-12",
        inner,
        field.name,
        _errors(field, "{}"),
    )


def _choices(field: BoundField, html: str, text=lambda choice: "") -> SafeString:
    """Each of the field's radios or checkboxes (BoundWidget) in `html`, with its tag, the
    id its label points at, its label and `text(choice)`."""
    return mark_safe(  # noqa: S308 (each part from format_html)
        "".join(
            format_html(html, choice.tag(), choice.id_for_label, choice.choice_label, text(choice))
            for choice in field
        )
    )


@register.simple_tag
def yes_no_field(field: BoundField) -> SafeString:
    """A re-screen question of the session form: its Yes/No radios inline under the
    question, and the error line (err-<name>) that autosave fills; what
    treatments/_yes_no.html wrote through {% include %} and {% for %} (the template is
    gone). Issue 18, rendered in process on the bench draft, CPU, median of 300: the
    form's five questions 0.55 -> 0.37 ms."""
    choices = _choices(
        field,
        '\n    <div class="form-check form-check-inline">\n      {}\n'
        '      <label class="form-check-label" for="{}">{}</label>{}\n    </div>',
    )
    return format_html(
        '<fieldset class="col-sm-6 yes-no">\n  <legend class="form-label fs-6 mb-1">{}</legend>'
        '{}\n  <div id="err-{}" class="invalid-feedback d-block">{}</div>\n</fieldset>',
        field.label,
        choices,
        field.name,
        _errors(field, "{}"),
    )


def _advice_text(choice) -> str:
    instance = getattr(choice.data["value"], "instance", None)
    return getattr(instance, "text", "") or ""


@register.simple_tag
def home_care_field(field: BoundField) -> SafeString:
    """The session form's home-care advice: a checkbox per snippet, its title and its text
    under it, and the error line (err-<name>) that autosave fills; what the page's
    {% for %} over the field wrote. Issue 18, rendered in process on the bench draft
    (seven snippets), CPU, median of 300: 0.29 -> 0.22 ms."""
    choices = _choices(
        field,
        '\n    <div class="form-check">\n      {}\n      <label class="form-check-label" '
        'for="{}">\n        <strong>{}</strong>\n        <span class="d-block small '
        'text-body-secondary">{}</span>\n      </label>\n    </div>',
        _advice_text,
    )
    return format_html(
        '<fieldset class="col-12">\n  <legend class="form-label fs-6 mb-1">{}</legend>{}\n'
        '  <div id="err-{}" class="invalid-feedback d-block"></div>\n</fieldset>',
        field.label,
        choices,
        field.name,
    )
