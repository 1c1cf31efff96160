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
    the error line (err-<name>) that autosave fills."""
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
    return format_html(
        '<div class="{}">\n    {}\n  <div id="err-{}" class="invalid-feedback d-block">{}</div>'
        "\n</div>",
        col or "col-12",
        inner,
        field.name,
        _errors(field, "{}"),
    )
