"""Plans of care: writing or editing a plan, and discharging it."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.utils.formats import date_format

from clinic import outcomes
from clinic.forms.common import DateInput
from clinic.models import CarePlan, Practitioner
from clinic.services.care_plans import PLAN_FIELDS


class CarePlanForm(forms.ModelForm):
    """The plan's content; the service checks the rules across fields and rows."""

    class Meta:
        model = CarePlan
        fields = list(PLAN_FIELDS)  # the fields the service writes, one list
        widgets = {
            "goals": forms.Textarea(attrs={"rows": 3}),
            "frequency_reason": forms.Textarea(attrs={"rows": 2}),
            "started_on": DateInput(),
            "frequency": forms.RadioSelect,
        }
        labels = {"practitioner": "Physiotherapist", "started_on": "Starts on"}
        help_texts = {
            "goals": "In the patient's words where you can: what they want to be able to do.",
            "measure": "Re-measured every few sessions to show change against its MCID.",
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Choices from the registry (no migration when a measure or region is added).
        self.fields["region"] = forms.ChoiceField(
            label="Body region",
            choices=[("", "Choose a region"), *outcomes.registry.region_choices()],
        )
        self.fields["measure"] = forms.ChoiceField(
            label="Outcome measure",
            choices=[("", "Choose a measure")]
            + [(m.code, f"{m.short_label}: {m.label}") for m in outcomes.registry],
            help_text=self.Meta.help_texts["measure"],
        )
        self.fields["practitioner"].queryset = Practitioner.objects.filter(active=True)
        self.fields["practitioner"].empty_label = None
        for name in ("baseline_score", "target_score"):
            self.fields[name].widget.attrs["step"] = "0.1"
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(
                "The problem",
                Row(
                    Column("condition", css_class="col-md-6"),
                    Column("region", css_class="col-md-3"),
                    Column("practitioner", css_class="col-md-3"),
                ),
                "goals",
            ),
            Fieldset(
                "Outcome measure",
                Row(
                    Column("measure", css_class="col-md-6"),
                    Column("baseline_score", css_class="col-md-3"),
                    Column("target_score", css_class="col-md-3"),
                ),
            ),
            Fieldset(
                "Course",
                Row(
                    Column("sessions_planned", css_class="col-md-4"),
                    Column("remeasure_every", css_class="col-md-4"),
                    Column("started_on", css_class="col-md-4"),
                ),
                "frequency",
                "frequency_reason",
            ),
        )


class CarePlanDischargeForm(forms.Form):
    """Why and when the course ended."""

    reason = forms.ChoiceField(
        label="Reason for discharge",
        choices=[("", "Choose a reason"), *CarePlan.DischargeReason.choices],
        error_messages={"required": "Choose the reason for discharge."},
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required for 'Other'; otherwise optional (e.g. where you referred on).",
    )
    on = forms.DateField(label="Discharged on", widget=DateInput())
    cancel_booked = forms.BooleanField(required=False, initial=True)

    def __init__(self, *args, booked=(), **kwargs) -> None:
        """`booked`: the plan's visits still booked from now on; without any, the form
        has no "cancel them" box."""
        super().__init__(*args, **kwargs)
        if booked:
            dates = ", ".join(
                date_format(timezone.localtime(visit.start), "D j M") for visit in booked
            )
            count = len(booked)
            self.fields[
                "cancel_booked"
            ].label = f"Cancel the {count} visit{pluralize(count)} still booked ({dates})"
        else:
            del self.fields["cancel_booked"]
        self.initial.setdefault("on", timezone.localdate())
        self.fields["on"].widget.attrs["max"] = timezone.localdate().isoformat()
        self.helper = FormHelper()
        self.helper.form_tag = False


class RemeasureForm(forms.Form):
    """The plan's questionnaire, the same questions as the intake's (clinic.outcomes): one
    radio group per item. Unanswered items are allowed up to the instrument's published
    limit; the service scores and refuses too few answers."""

    def __init__(self, *args, instrument, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        for item in instrument.items:
            self.fields[item.key] = forms.TypedChoiceField(
                label=item.label,
                choices=[(o.value, o.label) for o in item.options],
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
            )

    @property
    def region_fields(self):
        return [self[item.key] for item in self.instrument.items]

    def answers(self) -> dict[str, int | None]:
        return {item.key: self.cleaned_data.get(item.key) for item in self.instrument.items}
