"""Parsing and field validation for the custody pages."""

from __future__ import annotations

from django import forms

from custody.models import AccessRequest, Breach
from custody.models.retention import Province
from custody.services import EXTENSION_MAX_DAYS

TEXT = {"class": "form-control"}
AREA = {"class": "form-control", "rows": 3}


class ProvinceForm(forms.Form):
    province = forms.ChoiceField(
        choices=Province.choices, widget=forms.Select(attrs={"class": "form-select"})
    )


class PatientLookupForm(forms.Form):
    q = forms.CharField(
        label="Patient name, e-mail or phone", max_length=100, widget=forms.TextInput(attrs=TEXT)
    )


class LegalHoldForm(forms.Form):
    reason = forms.CharField(
        max_length=2000,
        widget=forms.Textarea(attrs=AREA),
        help_text="E.g. a claim served on the clinic, a College complaint, a court order.",
    )


class LiftForm(forms.Form):
    lift_reason = forms.CharField(
        label="Why it is lifted", max_length=2000, widget=forms.TextInput(attrs=TEXT)
    )


class DestroyForm(forms.Form):
    confirmation = forms.CharField(
        label="Type the patient's legal name to confirm",
        max_length=250,
        widget=forms.TextInput(attrs=TEXT | {"autocomplete": "off"}),
    )


class AccessRequestForm(forms.ModelForm):
    class Meta:
        model = AccessRequest
        fields = ["details", "received_on"]
        widgets = {
            "details": forms.Textarea(attrs=AREA),
            "received_on": forms.DateInput(attrs=TEXT | {"type": "date"}, format="%Y-%m-%d"),
        }


class PortalAccessRequestForm(forms.ModelForm):
    class Meta:
        model = AccessRequest
        fields = ["details"]
        widgets = {"details": forms.Textarea(attrs=AREA)}


class ExtendForm(forms.Form):
    days = forms.IntegerField(
        min_value=1,
        max_value=EXTENSION_MAX_DAYS,
        widget=forms.NumberInput(attrs=TEXT),
        help_text=f"At most {EXTENSION_MAX_DAYS} days, once.",
    )
    reason = forms.CharField(
        label="Reason (the patient is told)", max_length=2000, widget=forms.Textarea(attrs=AREA)
    )


class ReleaseForm(forms.Form):
    confirm = forms.BooleanField(
        label="Release the record and its PDFs to the patient's portal",
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label="Reason for the refusal", max_length=2000, widget=forms.Textarea(attrs=AREA)
    )


class BreachForm(forms.ModelForm):
    real_risk = forms.TypedChoiceField(
        label="Real risk of significant harm?",
        choices=[("", "Choose…"), ("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    class Meta:
        model = Breach
        fields = [
            "what",
            "category",
            "occurred_on",
            "discovered_on",
            "patients_affected",
            "real_risk",
            "risk_reasoning",
            "commissioner_notified_on",
            "patients_notified_on",
        ]
        date = forms.DateInput(attrs=TEXT | {"type": "date"}, format="%Y-%m-%d")
        widgets = {
            "what": forms.Textarea(attrs=AREA),
            "category": forms.Select(attrs={"class": "form-select"}),
            "occurred_on": date,
            "discovered_on": date,
            "patients_affected": forms.NumberInput(attrs=TEXT),
            "risk_reasoning": forms.Textarea(attrs=AREA),
            "commissioner_notified_on": date,
            "patients_notified_on": date,
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["real_risk"] = "yes" if self.instance.real_risk else "no"


class YearForm(forms.Form):
    year = forms.IntegerField(min_value=1900, max_value=2199)
