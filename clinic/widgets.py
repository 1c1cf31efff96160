"""Form widgets of the clinic's own."""

from __future__ import annotations

from django import forms
from django.forms.renderers import get_default_renderer
from django.utils.safestring import mark_safe


class ScaleWidget(forms.widgets.ChoiceWidget):
    """A row of large, tappable buttons for a 0-10 (or any short) scale.

    Deliberately not a RadioSelect subclass: crispy-forms renders RadioSelect with its own
    template, and this one needs to fit a phone screen in one row.
    """

    input_type = "radio"
    template_name = "clinic/widgets/scale.html"
    option_template_name = "django/forms/widgets/radio_option.html"

    def __init__(self, attrs=None, choices=(), low_label: str = "", high_label: str = ""):
        super().__init__(attrs, choices)
        self.low_label = low_label
        self.high_label = high_label

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["low_label"] = self.low_label
        context["widget"]["high_label"] = self.high_label
        return context

    def id_for_label(self, id_, index=None):
        # The group as a whole has no single input for <label for>; each option does.
        if index is None:
            return ""
        return super().id_for_label(id_, index)


# Options markup of MemoSelect, per process: {(renderer class, choices, selected): markup}.
# Keys hold reference data only (ids and names of muscles, segments, needles, fixed choice
# lists), never patient data; bounded, oldest out first.
_OPTIONS: dict[tuple, str] = {}
_OPTIONS_MAX = 512


def _choices_key(choices) -> tuple:
    key = []
    for value, label in choices:
        if isinstance(label, list | tuple):
            key.append((str(value), tuple((str(v), str(text)) for v, text in label)))
        else:
            key.append((str(value), str(label)))
    return tuple(key)


class MemoSelect(forms.Select):
    """A <select> whose <option>s are rendered once per process for the same choices and
    selection, then reused: a picker of 100+ options (the muscles) cost milliseconds of
    every page that showed it. The <select> tag itself (name, id, htmx attributes) is
    rendered each time; the output is what forms.Select renders.

    Its choices must be a plain list (values and labels), not a ModelChoiceIterator,
    which would query the database to build the key."""

    def render(self, name, value, attrs=None, renderer=None):
        if not isinstance(self.choices, list | tuple):  # e.g. a queryset's: no memo
            return super().render(name, value, attrs, renderer)
        renderer = renderer or get_default_renderer()
        key = (type(renderer), _choices_key(self.choices), tuple(self.format_value(value)))
        options = _OPTIONS.get(key)
        if options is None:
            whole = str(super().render(name, value, attrs, renderer))
            options = whole[whole.index(">") + 1 : whole.rindex("</select>")]
            if len(_OPTIONS) >= _OPTIONS_MAX:  # another thread may have just made room
                _OPTIONS.pop(next(iter(_OPTIONS), None), None)
            _OPTIONS[key] = options
        choices, self.choices = self.choices, []
        try:
            empty = str(super().render(name, value, attrs, renderer))
        finally:
            self.choices = choices
        tag = empty[: empty.index(">") + 1]
        return mark_safe(tag + options + "</select>")  # noqa: S308 - both parts rendered escaped
