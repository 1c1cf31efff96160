"""Privacy and audit: emergency access, its review and the access-log filter."""

from __future__ import annotations

import datetime as dt

from django import forms

from clinic.models import AccessLog, User


class EmergencyAccessForm(forms.Form):
    reason = forms.CharField(
        label="Why do you need this record now?",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        help_text="For example: the treating physiotherapist is away and the patient is here "
        "with a possible adverse reaction.",
    )


class AccessReviewForm(forms.Form):
    """The privacy officer's note on a reviewed emergency access (optional)."""

    note = forms.CharField(label="Review note", max_length=300, required=False)


# The years a date filter may name: the log has nothing before, and past year 9999 the
# day arithmetic overflows.
AUDIT_FIRST_DAY = dt.date(2000, 1, 1)
AUDIT_LAST_DAY = dt.date(2100, 12, 31)


class AuditFilterForm(forms.Form):
    user = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True).order_by("username"),
        required=False,
        empty_label="Anyone",
    )
    patient = forms.CharField(label="Patient name", max_length=100, required=False)
    action = forms.ChoiceField(
        choices=[("", "Any action"), *AccessLog.Action.choices], required=False
    )
    date_from = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = css

    def _in_range(self, name: str) -> dt.date | None:
        day = self.cleaned_data[name]
        if day is not None and not AUDIT_FIRST_DAY <= day <= AUDIT_LAST_DAY:
            raise forms.ValidationError(
                f"Choose a date between {AUDIT_FIRST_DAY:%Y-%m-%d} and {AUDIT_LAST_DAY:%Y-%m-%d}."
            )
        return day

    def clean_date_from(self) -> dt.date | None:
        return self._in_range("date_from")

    def clean_date_to(self) -> dt.date | None:
        return self._in_range("date_to")

    def clean(self) -> dict:
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date must be on or after the start date.")
        return cleaned
