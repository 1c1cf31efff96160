"""The form renderer: Django's stock widget templates, written out in Python.

Rendering a widget through the template engine costs an include per <option> and per
attribute loop; a muscle picker of 100+ options took milliseconds. This renderer produces
byte for byte what Django's own templates (django/forms/widgets/*.html) produce, for the
common widgets (inputs, textarea, select and its options, radio/checkbox lists), and
falls back to the templates for everything else. A project template overriding one of
those widgets (templates/django/forms/widgets/...) turns the fast path off for it.

Kept after issue 18 on its measured worth: with the session form's pickers memoised
(clinic.widgets.MemoSelect), the form still renders ~30 inputs, radios and checkboxes, and
switching this renderer off for Django's stock TemplatesSetting made the session form cost
7.7-7.9x the floor page instead of 5.7-5.9x (in-process, production settings, bench data,
25 requests each, two runs of each alternating, 2 Dec 2026), the assessment 3.3-3.5x
instead of 3.2-3.4x.
"""

from __future__ import annotations

from pathlib import Path

import django.forms
from django.forms.renderers import TemplatesSetting
from django.utils.formats import localize
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeData, mark_safe
from django.utils.timezone import template_localtime

_STOCK_DIR = Path(django.forms.__file__).parent / "templates"
_W = "django/forms/widgets/"
_INPUTS = [
    *("checkbox", "color", "date", "datetime", "email", "hidden", "number"),
    *("password", "search", "tel", "text", "time", "url"),
]


def _v(value) -> str:
    """{{ value }} with autoescaping (as render_value_in_context)."""
    value = localize(template_localtime(value))
    if not issubclass(type(value), str):
        value = str(value)
    return conditional_escape(value)


def _s(value) -> str:
    """{{ value|stringformat:'s' }} with autoescaping."""
    if isinstance(value, tuple):
        value = str(value)
    try:
        out = "%s" % value  # noqa: UP031 - exactly the filter's formatting
    except (ValueError, TypeError):
        out = ""
    # The filter keeps safe input safe; anything else is escaped on output.
    return mark_safe(out) if isinstance(value, SafeData) else escape(out)  # noqa: S308


def _attrs(attrs: dict) -> str:
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(f" {_v(name)}" if value is True else f' {_v(name)}="{_s(value)}"')
    return "".join(out)


def _input(widget: dict) -> str:
    value = "" if widget["value"] == None else f' value="{_s(widget["value"])}"'  # noqa: E711
    return (
        f'<input type="{_v(widget["type"])}" name="{_v(widget["name"])}"'
        f"{value}{_attrs(widget['attrs'])}>\n"
    )


def _input_option(widget: dict) -> str:
    if not widget.get("wrap_label"):
        return _input(widget) + "\n"
    label_id = widget["attrs"].get("id")
    for_id = f' for="{_v(label_id)}"' if label_id else ""
    return f"<label{for_id}>{_input(widget)} {_v(widget['label'])}</label>\n"


def _option_file(widget: dict) -> str:
    """radio_option.html / checkbox_option.html: input_option.html and a newline."""
    return _input_option(widget) + "\n"


def _input_file(widget: dict) -> str:
    """text.html, number.html...: input.html and a newline."""
    return _input(widget) + "\n"


def _textarea(widget: dict) -> str:
    value = _v(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{_v(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>\n'


def _select_option(widget: dict) -> str:
    return (
        f'<option value="{_s(widget["value"])}"{_attrs(widget["attrs"])}>'
        f"{_v(widget['label'])}</option>\n"
    )


class FastWidgetRenderer(TemplatesSetting):
    """TemplatesSetting (templates/ may override widget templates), with Django's stock
    widget templates rendered in Python."""

    def __init__(self) -> None:
        super().__init__()
        self._fast_cache: dict[str, object] = {}

    def _is_stock(self, template_name: str) -> bool:
        try:
            origin = self.get_template(template_name).template.origin.name
        except Exception:  # noqa: BLE001 - not found, or not a Django template: no fast path
            return False
        return Path(origin).is_relative_to(_STOCK_DIR)

    def _fast(self, template_name: str):
        try:
            return self._fast_cache[template_name]
        except KeyError:
            pass
        fragments = {
            **{f"{_W}{name}.html": (_input_file, f"{_W}input.html") for name in _INPUTS},
            f"{_W}input.html": (_input, None),
            f"{_W}textarea.html": (_textarea, None),
            f"{_W}select_option.html": (_select_option, None),
            f"{_W}input_option.html": (_input_option, f"{_W}input.html"),
            f"{_W}radio_option.html": (_option_file, f"{_W}input_option.html"),
            f"{_W}checkbox_option.html": (_option_file, f"{_W}input_option.html"),
            f"{_W}select.html": (self._select, None),
            f"{_W}multiple_input.html": (self._multiple_input, None),
            f"{_W}radio.html": (self._multiple_input, f"{_W}multiple_input.html"),
            f"{_W}checkbox_select.html": (self._multiple_input, f"{_W}multiple_input.html"),
        }
        function = None
        if template_name in fragments:
            function, needs = fragments[template_name]
            stock = self._is_stock(template_name) and self._is_stock(f"{_W}attrs.html")
            needs_ok = needs is None or self._fast(needs) is not None
            if not (stock and needs_ok):
                function = None
        self._fast_cache[template_name] = function
        return function

    def _fragment(self, template_name: str, widget: dict) -> str:
        """What {% include template_name with widget=widget %} writes."""
        function = self._fast(template_name)
        if function is None:
            return self.get_template(template_name).render({"widget": widget})
        return function(widget)

    def _select(self, widget: dict) -> str:
        out = [f'<select name="{_v(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, group_choices, _index in widget["optgroups"]:
            if group_name:
                out.append(f'\n  <optgroup label="{_v(group_name)}">')
            for option in group_choices:
                out.append("\n  ")
                out.append(self._fragment(option["template_name"], option))
            if group_name:
                out.append("\n  </optgroup>")
        out.append("\n</select>\n")
        return "".join(out)

    def _multiple_input(self, widget: dict) -> str:
        attrs = widget["attrs"]
        out = ["<div"]
        if attrs.get("id"):
            out.append(f' id="{_v(attrs["id"])}"')
        if attrs.get("class"):
            out.append(f' class="{_v(attrs["class"])}"')
        out.append(">")
        for group, options, _index in widget["optgroups"]:
            if group:
                out.append(f"\n  <div><label>{_v(group)}</label>")
            for option in options:
                out.append("<div>\n    ")
                out.append(self._fragment(option["template_name"], option))
                out.append("</div>")
            if group:
                out.append("\n  </div>")
        out.append("\n</div>")
        return "".join(out)

    def render(self, template_name, context, request=None):
        function = self._fast(template_name) if request is None else None
        widget = context.get("widget") if isinstance(context, dict) else None
        if function is None or not isinstance(widget, dict) or len(context) != 1:
            return super().render(template_name, context, request=request)
        # Every value was escaped as the template would have (_v, _s).
        return mark_safe(function(widget).strip())  # noqa: S308
