"""Assessment forms: parsing and field validation. One-row rules (side rules, a sign's
tests, joint movements, ranges) live in the models' clean(), which ModelForm runs and
reports next to the field; nothing here writes."""

from __future__ import annotations

import json

from django import forms
from django.utils import timezone

from assessments import selectors
from assessments.models import (
    JOINT_MOVEMENTS,
    Assessment,
    Muscle,
    RangeOfMotion,
    Segment,
    Side,
    Sign,
    SignFinding,
    SignTest,
    TautBand,
)
from clinic.bodychart import BodyChartField
from clinic.inputs import parse_id
from clinic.widgets import MemoSelect

SIDE_CHOICES = [("", "Side…"), *Side.choices]


class MuscleSelect(MemoSelect):
    """A muscle <select> that the page's script makes searchable (Tom Select); options
    are grouped, the segment's own muscles first (their markup memoised per process)."""

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__({"data-searchable": "", **(attrs or {})})


def _group_muscles(field: forms.ModelChoiceField, segment: Segment | None) -> None:
    groups = selectors.muscle_choices(segment)
    field.widget.choices = [
        ("", "Muscle…"),
        *((label, [(m.pk, m.name) for m in muscles]) for label, muscles in groups if muscles),
    ]


class AssessmentHeaderForm(forms.ModelForm):
    """The parts of an assessment that are not rows: date, complaint, observations and
    the body chart. Saved as the physiotherapist types."""

    body_marks = BodyChartField(
        label="Body chart: choose a kind of mark, then tap the outline",
        kinds={"pain", "paraesthesia", "taut_band", "skin_sign"},
        required=False,
    )

    class Meta:
        model = Assessment
        fields = [
            "assessed_on",
            "chief_complaint",
            "posture",
            "movement",
            "visceral_note",
            "impression",
            "body_marks",
        ]
        widgets = {
            "assessed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "chief_complaint": forms.Textarea(attrs={"rows": 2}),
            "posture": forms.Textarea(attrs={"rows": 2}),
            "movement": forms.Textarea(attrs={"rows": 2}),
            "visceral_note": forms.Textarea(attrs={"rows": 1}),
            "impression": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assessed_on"].widget.attrs["max"] = timezone.localdate().isoformat()
        bootstrap_style(self)


def bootstrap_style(form: forms.BaseForm) -> None:
    """Bootstrap classes on every widget; is-invalid on the ones with errors."""
    for name, field in form.fields.items():
        widget = field.widget
        if not isinstance(widget, forms.widgets.Input | forms.Select | forms.Textarea):
            continue  # e.g. the body chart, which styles itself
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        # form._errors: not form.errors, which would run validation from __init__.
        if form._errors and name in form._errors:
            css += " is-invalid"
        widget.attrs["class"] = css


class _FindingForm(forms.ModelForm):
    """Shared by the finding row forms: Bootstrap styling, the muscle picker grouped by
    segment, and (given refresh_url) pickers that re-render when the segment or sign
    changes."""

    refreshing_fields: tuple[str, ...] = ()

    def __init__(
        self, *args, segment: Segment | None = None, refresh_url: str = "", **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        if "side" in self.fields:
            self.fields["side"].choices = SIDE_CHOICES
        if "muscle" in self.fields:
            self.fields["muscle"].queryset = Muscle.objects.filter(active=True)
            self.fields["muscle"].widget = MuscleSelect()
            _group_muscles(self.fields["muscle"], segment)
        bootstrap_style(self)
        if refresh_url:
            for name in self.refreshing_fields:
                self.fields[name].widget.attrs.update(
                    {"hx-post": refresh_url, "hx-trigger": "change", "hx-swap": "none"}
                )

    def full_clean(self) -> None:
        super().full_clean()
        bootstrap_style(self)


class SignFindingForm(_FindingForm):
    refreshing_fields = ("segment", "sign")

    class Meta:
        model = SignFinding
        fields = ["segment", "region", "sign", "test", "side", "muscle", "severity", "note"]
        widgets = {"note": forms.TextInput(attrs={"placeholder": "Note (optional)"})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["segment"].queryset = Segment.objects.order_by("position")
        self.fields["segment"].empty_label = "Segment…"
        self.fields["sign"].queryset = Sign.objects.filter(active=True)
        self.fields["sign"].widget.choices = [
            ("", "Sign…"),
            *(
                (group, [(s.pk, s.name) for s in signs])
                for group, signs in selectors.signs_by_group()
            ),
        ]
        self.fields["test"].empty_label = "Test…"
        if not self.is_bound:
            # Offer only the chosen sign's tests (the model's clean() checks bound data).
            sign_id = parse_id(self.initial.get("sign") or self.instance.sign_id)
            if sign_id is not None:
                tests = SignTest.objects.filter(signs=sign_id)
                self.fields["test"].queryset = tests
                # A test chosen for another sign does not carry over; a sign with one
                # test chooses it.
                test_id = parse_id(self.initial.get("test"))
                if test_id is not None and all(t.pk != test_id for t in tests):
                    self.initial.pop("test")
                if len(tests) == 1 and not self.initial.get("test"):
                    self.initial["test"] = tests[0].pk
        self.fields["region"].choices = [("", "Region…"), *self.fields["region"].choices[1:]]
        self.fields["severity"].choices = [("", "Severity…"), *self.fields["severity"].choices[1:]]


class TautBandForm(_FindingForm):
    refreshing_fields = ("muscle_segment",)
    muscle_segment = forms.ModelChoiceField(
        label="Segment",
        queryset=Segment.objects.order_by("position"),
        required=False,
        empty_label="Any",
        help_text="Lists that segment's muscles first.",
    )

    class Meta:
        model = TautBand
        fields = ["muscle_segment", "muscle", "side", "tenderness", "twitch", "note"]
        widgets = {"note": forms.TextInput(attrs={"placeholder": "Note (optional)"})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tenderness"].choices = [
            ("", "Tenderness…"),
            *self.fields["tenderness"].choices[1:],
        ]


class RangeOfMotionForm(_FindingForm):
    class Meta:
        model = RangeOfMotion
        fields = ["joint", "movement", "side", "degrees", "percent_of_normal", "painful", "note"]
        widgets = {
            # min -90: an elbow or knee extension deficit (the model says where); no
            # inputmode="numeric", whose phone keypads have no minus sign.
            "degrees": forms.NumberInput(attrs={"min": -90, "max": 360}),
            "percent_of_normal": forms.NumberInput(
                attrs={"min": 0, "max": 200, "inputmode": "numeric"}
            ),
            "note": forms.TextInput(attrs={"placeholder": "Note (optional)"}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["joint"].choices = [("", "Joint…"), *self.fields["joint"].choices[1:]]
        self.fields["movement"].choices = [
            ("", "Movement…"),
            *self.fields["movement"].choices[1:],
        ]
        movements_by_joint(self)


def movements_by_joint(form: forms.BaseForm) -> None:
    """Let the movement list follow the chosen joint: the joint picker carries each joint's
    movements (JOINT_MOVEMENTS, which the model's clean() enforces), and static/js/clinic.js
    hides the others. Without JavaScript every movement stays listed and the model refuses
    a wrong pair with a message."""
    form.fields["joint"].widget.attrs["data-movements"] = MOVEMENTS_JSON


MOVEMENTS_JSON = json.dumps(JOINT_MOVEMENTS, separators=(",", ":"))


FINDING_FORMS: dict[str, type[_FindingForm]] = {
    "sign": SignFindingForm,
    "band": TautBandForm,
    "range": RangeOfMotionForm,
}


class AddendumForm(forms.Form):
    text = forms.CharField(
        label="Addendum",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        help_text="Dated and signed with your name; the original note stays as it was.",
    )
