"""The patient's consent signature."""

from __future__ import annotations

from django import forms

from clinic.models import Patient
from clinic.services.consent import typed_name_matches


class ConsentForm(forms.Form):
    """The signature. The typed name is checked here for an immediate message next to the
    field; the consent service checks it again before recording anything."""

    understood = forms.BooleanField(
        label="I have read the information above and my questions have been answered.",
        error_messages={"required": "Please confirm that you have read the information."},
    )
    typed_name = forms.CharField(
        label="Type your full legal name to sign",
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name", "autocapitalize": "words"}),
    )

    def __init__(self, *args, patient: Patient, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.patient = patient

    def clean_typed_name(self) -> str:
        typed = self.cleaned_data["typed_name"]
        if not typed_name_matches(self.patient, typed):
            raise forms.ValidationError(
                f"Type the full legal name on the record: {self.patient.legal_name}."
            )
        return typed
