"""The intake steps (pain, history, screening, function) and the screening follow-ups:
clearing a flagged item and answering items added after the intake."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from django import forms

from clinic import outcomes
from clinic.bodychart import BodyChartField
from clinic.forms.common import IdMultipleChoiceField
from clinic.models import Intake, ScreeningItem
from clinic.services.intake import STEP_BY_SLUG
from clinic.validators import NOTE_MAX
from clinic.widgets import ScaleWidget

NPRS_CHOICES = [(value, str(value)) for value in range(11)]


def _nprs_field(label: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=NPRS_CHOICES,
        coerce=int,
        required=False,
        empty_value=None,
        widget=ScaleWidget(low_label="0 no pain", high_label="10 worst imaginable"),
        error_messages={"invalid_choice": "Choose a number from 0 (no pain) to 10 (worst)."},
    )


class IntakeStepForm(forms.ModelForm):
    """Base of the intake steps. With `complete=True` ("Save and continue") the step's
    required answers must be there; otherwise ("Save and finish later") blanks are fine."""

    step: str = ""

    def __init__(self, *args, complete: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.complete = complete
        if complete:
            for name in STEP_BY_SLUG[self.step].required:
                if name in self.fields:
                    self.fields[name].required = True
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def step_data(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in STEP_BY_SLUG[self.step].fields
            if name in self.cleaned_data
        }


class PainStepForm(IntakeStepForm):
    step = "pain"
    nprs_now = _nprs_field("Your pain right now")
    nprs_best = _nprs_field("Your pain at its best in the last week")
    nprs_worst = _nprs_field("Your pain at its worst in the last week")
    pain_marks = BodyChartField(
        label="Where does it hurt? Tap the body outline to mark each area.",
        kinds={"pain", "paraesthesia"},
        required=False,
    )

    class Meta:
        model = Intake
        fields = [
            "presenting_complaint",
            "pain_marks",
            "onset",
            "onset_notes",
            "duration",
            "nprs_now",
            "nprs_best",
            "nprs_worst",
            "aggravating_factors",
            "easing_factors",
        ]
        widgets = {
            "presenting_complaint": forms.Textarea(attrs={"rows": 3}),
            "onset": forms.RadioSelect,
            "onset_notes": forms.Textarea(attrs={"rows": 2}),
            "duration": forms.RadioSelect,
            "aggravating_factors": forms.Textarea(attrs={"rows": 2}),
            "easing_factors": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {"presenting_complaint": "What brings you to the clinic?"}
        help_texts = {
            "presenting_complaint": (
                "In your own words: the problem, and what you hope to get back to."
            ),
            "aggravating_factors": "Positions, activities or times of day.",
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Radio buttons need no "---------" answer: leaving them unticked is blank.
        self.fields["onset"].choices = Intake.Onset.choices
        self.fields["duration"].choices = Intake.Duration.choices

    def clean(self):
        cleaned = super().clean()
        best, worst = cleaned.get("nprs_best"), cleaned.get("nprs_worst")
        if best is not None and worst is not None and best > worst:
            self.add_error("nprs_best", "Your best pain should not be higher than your worst.")
        return cleaned


class HistoryStepForm(IntakeStepForm):
    step = "history"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["anticoagulants"].choices = Intake.Answer.choices

    class Meta:
        model = Intake
        fields = [
            "past_treatments",
            "medical_history",
            "medications",
            "anticoagulants",
            "anticoagulant_details",
        ]
        widgets = {
            "past_treatments": forms.Textarea(attrs={"rows": 2}),
            "medical_history": forms.Textarea(attrs={"rows": 3}),
            "medications": forms.Textarea(attrs={"rows": 3}),
            "anticoagulants": forms.RadioSelect,
        }
        labels = {
            "past_treatments": "What treatments have you tried for this problem?",
            "medical_history": "Past and current health conditions, operations and injuries",
            "medications": "Medications and supplements you take",
            "anticoagulants": (
                "Do you take blood thinners (for example warfarin, apixaban, rivaroxaban, "
                "dabigatran, heparin or daily aspirin)?"
            ),
        }

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("anticoagulants") == Intake.Answer.YES
            and not cleaned.get("anticoagulant_details")
            and self.complete
        ):
            self.add_error("anticoagulant_details", "Tell us which blood thinner you take.")
        return cleaned


class ScreeningStepForm(IntakeStepForm):
    step = "screening"
    # Blood thinners are asked explicitly in the "Your health" step, not ticked twice.
    screening_items = IdMultipleChoiceField(
        # "Under 18" is worked out from the date of birth, not asked (selectors.screening_for).
        queryset=ScreeningItem.objects.filter(active=True)
        .exclude(code__in=("anticoagulants", *ScreeningItem.COMPUTED_CODES))
        .order_by("order", "label"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Tick everything that applies to you",
    )

    class Meta:
        model = Intake
        fields = ["screening_items", "screening_reviewed", "screening_notes"]
        widgets = {"screening_notes": forms.Textarea(attrs={"rows": 2})}
        error_messages = {
            "screening_reviewed": {
                "required": "Please confirm that you have read the whole list.",
            },
        }
        labels = {
            "screening_reviewed": "I have read the whole list and ticked everything that applies.",
            "screening_notes": "Anything you would like to add about the items you ticked",
        }


class FunctionStepForm(IntakeStepForm):
    """PSFS activities and the region questionnaire (its items depend on the region)."""

    step = "function"
    region = forms.ChoiceField(
        label="Which area is your main problem?",
        # A callable, read each time: the registry is the one list of regions and labels.
        choices=lambda: [("", "Choose an area"), *outcomes.registry.region_choices()],
        required=False,
    )

    class Meta:
        model = Intake
        fields = ["region"]

    def __init__(self, *args, region: str | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        instance = kwargs.get("instance")
        initial_psfs = list(getattr(instance, "psfs", None) or [])
        for index in range(outcomes.PSFS_MAX_ACTIVITIES):
            row = initial_psfs[index] if index < len(initial_psfs) else {}
            self.fields[f"psfs_activity_{index}"] = forms.CharField(
                label=f"Activity {index + 1}",
                required=False,
                max_length=120,
                initial=row.get("activity", ""),
            )
            self.fields[f"psfs_rating_{index}"] = forms.TypedChoiceField(
                label=f"How well can you do activity {index + 1}?",
                choices=NPRS_CHOICES,
                coerce=int,
                empty_value=None,
                required=False,
                initial=row.get("rating"),
                widget=ScaleWidget(low_label="0 unable", high_label="10 as before"),
            )
        if region is None:
            region = self.data.get(self.add_prefix("region")) if self.is_bound else None
            region = region or getattr(instance, "region", "") or ""
        self.region = region
        self.instrument = outcomes.registry.intake_instrument(region)
        answers = getattr(instance, "region_answers", None) or {}
        if self.instrument:
            for item in self.instrument.items:
                self.fields[item.key] = forms.TypedChoiceField(
                    label=item.label,
                    choices=[(o.value, o.label) for o in item.options],
                    coerce=int,
                    empty_value=None,
                    required=False,
                    initial=answers.get(item.key),
                    widget=forms.RadioSelect,
                )

    @property
    def psfs_rows(self):
        return [
            (self[f"psfs_activity_{i}"], self[f"psfs_rating_{i}"])
            for i in range(outcomes.PSFS_MAX_ACTIVITIES)
        ]

    @property
    def region_fields(self):
        return [self[item.key] for item in self.instrument.items] if self.instrument else []

    def clean(self):
        cleaned = super().clean()
        rows = []
        for index in range(outcomes.PSFS_MAX_ACTIVITIES):
            activity = (cleaned.get(f"psfs_activity_{index}") or "").strip()
            rating = cleaned.get(f"psfs_rating_{index}")
            if activity and rating is None:
                self.add_error(f"psfs_rating_{index}", "Rate how well you can do this activity.")
            elif rating is not None and not activity:
                self.add_error(f"psfs_activity_{index}", "Name the activity you rated.")
            elif activity:
                rows.append({"activity": activity, "rating": rating})
        if self.complete and not rows:
            self.add_error(
                "psfs_activity_0",
                "Name at least one activity you find hard because of this problem, and rate it.",
            )
        cleaned["psfs"] = rows
        answers = {}
        if self.instrument:
            for item in self.instrument.items:
                if cleaned.get(item.key) is not None:
                    answers[item.key] = cleaned[item.key]
            if self.complete and self.instrument.score(answers) is None:
                unanswered = [i.key for i in self.instrument.items if i.key not in answers]
                for key in unanswered:
                    self.add_error(key, "Please answer this question.")
        cleaned["region_answers"] = answers
        return cleaned

    def step_data(self) -> dict:
        return {
            "region": self.cleaned_data.get("region", ""),
            "region_answers": self.cleaned_data["region_answers"],
            "psfs": self.cleaned_data["psfs"],
        }


INTAKE_STEP_FORMS: dict[str, type[IntakeStepForm]] = {
    form.step: form for form in (PainStepForm, HistoryStepForm, ScreeningStepForm, FunctionStepForm)
}


class ClearanceForm(forms.Form):
    reason = forms.CharField(
        label="Clinical reason for clearing",
        widget=forms.Textarea(attrs={"rows": 2}),
        min_length=10,
        max_length=NOTE_MAX,
        error_messages={"min_length": "Give the clinical reason (at least a sentence)."},
    )


class OutstandingScreeningForm(forms.Form):
    """Answers to checklist items added after the intake: tick those that apply; the rest
    are recorded as answered "no"."""

    applies = IdMultipleChoiceField(
        queryset=ScreeningItem.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Tick every item that applies; the others are recorded as not applying",
    )
    asked = forms.BooleanField(
        label="I asked the patient about every item listed",
        error_messages={"required": "Confirm that you asked about every item."},
    )

    def __init__(self, *args, items: list[ScreeningItem] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        pks = [item.pk for item in items or []]
        self.fields["applies"].queryset = ScreeningItem.objects.filter(pk__in=pks).order_by(
            "order", "label"
        )
