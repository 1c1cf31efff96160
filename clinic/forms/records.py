"""Record corrections: the request and its settlement."""

from __future__ import annotations

from django import forms

from clinic.models import CorrectionRequest


class CorrectionRequestForm(forms.ModelForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [("patient", "Patient"), ("staff", "Staff")]

    class Meta:
        model = CorrectionRequest
        fields = ["record", "requested_change", "source"]
        widgets = {
            "record": forms.TextInput(attrs={"class": "form-control"}),
            "requested_change": forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
            "source": forms.Select(attrs={"class": "form-select"}),
        }


class SettleForm(forms.Form):
    status = forms.ChoiceField(
        choices=[
            (CorrectionRequest.Status.CORRECTED, "Corrected"),
            (CorrectionRequest.Status.DECLINED, "Declined"),
        ],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    resolution = forms.CharField(
        max_length=1000, widget=forms.TextInput(attrs={"class": "form-control form-control-sm"})
    )
