"""MemoSelect: a <select> whose options are rendered once per process for the same choices
and selection, and whose output is exactly what forms.Select renders (issue 18)."""

from __future__ import annotations

import pytest
from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils.safestring import mark_safe

from clinic import widgets
from clinic.renderers import FastWidgetRenderer
from clinic.widgets import MemoSelect

CHOICES = [
    ("", "Muscle…"),
    ("Suggested <first>", [(7, "Supinator"), (3, "Brachialis & co")]),
    ("Other muscles", [(1, "Biceps"), (2, '"Quoted"')]),
]


@pytest.mark.parametrize("renderer", [FastWidgetRenderer(), TemplatesSetting()])
@pytest.mark.parametrize("value", [None, "", 3, "2", [7]])
def test_renders_what_select_renders(renderer, value):
    attrs = {"id": "id_m", "class": "form-select", "hx-post": "/a?b=1&c=<2>", "required": True}
    memo = MemoSelect(attrs={"data-searchable": ""}, choices=CHOICES)
    plain = forms.Select(attrs={"data-searchable": ""}, choices=CHOICES)
    expected = plain.render("m", value, attrs, renderer)
    assert memo.render("m", value, attrs, renderer) == expected
    # Again, from the memo (the second render must not differ either).
    assert memo.render("m", value, attrs, renderer) == expected


def test_options_are_rendered_once_per_choices_and_selection(monkeypatch):
    widgets._OPTIONS.clear()
    calls = []
    original = forms.Select.render

    def counted(self, *args, **kwargs):
        calls.append(len(self.choices))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(forms.Select, "render", counted)
    renderer = FastWidgetRenderer()
    memo = MemoSelect(choices=CHOICES)
    first = memo.render("a", 3, {"id": "id_a"}, renderer)
    # A second picker with other attributes (another session's URLs): the options are reused;
    # only the empty <select> tag is rendered again.
    second = memo.render("b", 3, {"id": "id_b", "hx-post": "/x/"}, renderer)
    assert calls == [len(CHOICES), 0, 0]
    assert second.startswith('<select name="b" id="id_b" hx-post="/x/">')
    assert first.partition(">")[2] == second.partition(">")[2]
    # Another selection, or other choices, is rendered anew.
    assert 'value="7" selected' in memo.render("a", 7, {}, renderer)
    memo.choices = [*CHOICES, (9, "New muscle")]
    assert "New muscle" in memo.render("a", 3, {}, renderer)
    assert calls == [len(CHOICES), 0, 0, len(CHOICES), 0, len(CHOICES) + 1, 0]


def test_escapes_labels_and_values_once():
    memo = MemoSelect(choices=[(mark_safe("<s>"), mark_safe("<i>x</i>")), ("<v>", "<l>")])
    html = memo.render("m", None, {}, FastWidgetRenderer())
    assert '<option value="<s>"><i>x</i></option>' in html
    assert '<option value="&lt;v&gt;">&lt;l&gt;</option>' in html


def test_choices_from_a_queryset_are_not_memoised(db):
    from assessments.models import Segment

    widgets._OPTIONS.clear()
    field = forms.ModelChoiceField(queryset=Segment.objects.order_by("position"))
    widget = MemoSelect(choices=field.choices)
    html = widget.render("segment", None, {}, FastWidgetRenderer())
    assert "C6" in html
    assert widgets._OPTIONS == {}
