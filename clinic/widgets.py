"""Form widgets of the clinic's own."""

from __future__ import annotations

from django import forms


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
