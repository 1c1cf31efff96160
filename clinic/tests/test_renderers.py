"""The fast form renderer writes exactly what Django's widget templates write."""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil

import pytest
from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils.safestring import mark_safe

from clinic.renderers import FastWidgetRenderer


class _Everything(forms.Form):
    text = forms.CharField(initial='a "quoted" <b>&', widget=forms.TextInput(attrs={"x": True}))
    empty = forms.CharField(required=False, widget=forms.TextInput(attrs={"off": False}))
    number = forms.IntegerField(initial=3, widget=forms.NumberInput(attrs={"min": 0}))
    day = forms.DateField(
        initial=dt.date(2026, 1, 2), widget=forms.DateInput(attrs={"type": "date"})
    )
    when = forms.DateTimeField(initial=dt.datetime(2026, 1, 2, 3, 4))
    hidden = forms.CharField(initial="h", widget=forms.HiddenInput)
    email = forms.EmailField(required=False)
    flag = forms.BooleanField(initial=True, required=False)
    off = forms.BooleanField(initial=False, required=False)
    notes = forms.CharField(initial="one\n<two>", widget=forms.Textarea(attrs={"rows": 2}))
    blank = forms.CharField(required=False, widget=forms.Textarea)
    pick = forms.ChoiceField(
        initial="b",
        choices=[("", "Pick…"), ("Group <1>", [("a", "A & a"), ("b", "B")]), (3, 3)],
    )
    safe = forms.ChoiceField(choices=[(mark_safe("<s>"), mark_safe("<i>x</i>")), ("1", 1000)])
    many = forms.MultipleChoiceField(
        initial=["a", "c"], choices=[("a", "A"), ("b", "B"), ("c", "C")]
    )
    radio = forms.ChoiceField(
        initial="b",
        choices=[("a", "A"), ("b", "B <b>")],
        widget=forms.RadioSelect(attrs={"class": "form-check-input", "form": "f"}),
    )
    grouped_radio = forms.ChoiceField(
        choices=[("G", [("a", "A"), ("b", "B")]), ("c", "C")], widget=forms.RadioSelect
    )
    boxes = forms.MultipleChoiceField(
        initial=["a"], choices=[("a", "A"), ("b", "B")], widget=forms.CheckboxSelectMultiple
    )


def _forms():
    """One of each form in the project, unbound, plus the widget zoo above."""
    from assessments import forms as assessment_forms
    from clinic import forms as clinic_forms
    from treatments import forms as treatment_forms

    found = [_Everything(), _Everything({"text": "<x>", "pick": "zz", "radio": "a"})]
    modules = []
    for package in (clinic_forms, assessment_forms, treatment_forms):
        modules.append(package)
        # A forms package (clinic.forms): its forms live in the submodules.
        for info in pkgutil.iter_modules(getattr(package, "__path__", [])):
            modules.append(importlib.import_module(f"{package.__name__}.{info.name}"))
    for module in modules:
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, forms.BaseForm)
                and value.__module__ == module.__name__
                and not value.__name__.startswith("_")
            ):
                try:
                    found.append(value())
                except (TypeError, ValueError, KeyError, AttributeError):
                    continue  # needs arguments
    return found


def _render(bound, renderer) -> str:
    attrs = bound.build_widget_attrs({"id": bound.auto_id} if bound.auto_id else {})
    return str(bound.field.widget.render(bound.html_name, bound.value(), attrs, renderer))


@pytest.mark.django_db
def test_fast_renderer_matches_the_templates():
    stock, fast = TemplatesSetting(), FastWidgetRenderer()
    compared = 0
    for form in _forms():
        for bound in form:
            try:
                expected = _render(bound, stock)
            except Exception:  # noqa: BLE001, S112 - a widget that cannot render unbound
                continue
            assert _render(bound, fast) == expected, (type(form).__name__, bound.name)
            for sub in bound.subwidgets:
                sub.renderer = stock
                tag = sub.tag(wrap_label=True)
                sub.renderer = fast
                assert sub.tag(wrap_label=True) == tag
                sub.renderer = fast
                assert sub.tag() == sub.parent_widget._render(
                    sub.template_name, {"widget": {**sub.data, "wrap_label": False}}, stock
                )
            compared += 1
    assert compared > 40
