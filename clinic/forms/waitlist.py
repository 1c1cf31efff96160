"""The waitlist entry form (front desk)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

from clinic.forms.common import DateInput, TimeInput
from clinic.models import AppointmentType, Location, Practitioner, TimeWindow, WaitlistEntry
from clinic.models.waitlist import WEEKDAY_NAMES
from clinic.validators import BOOKING_HORIZON

WEEKDAY_CHOICES = [(str(number), name) for number, name in enumerate(WEEKDAY_NAMES)]


class WaitlistEntryForm(forms.ModelForm):
    """What the patient asks for; the service checks the fields that go together."""

    weekdays = forms.MultipleChoiceField(
        label="Days",
        choices=WEEKDAY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one day."},
    )
    windows = forms.MultipleChoiceField(
        label="Times of day",
        choices=TimeWindow.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="None ticked and no range: any time.",
    )

    class Meta:
        model = WaitlistEntry
        fields = [
            "type",
            "practitioners",
            "location",
            "weekdays",
            "windows",
            "time_from",
            "time_to",
            "earliest_date",
            "latest_date",
            "note",
        ]
        widgets = {
            "practitioners": forms.CheckboxSelectMultiple,
            "time_from": TimeInput(),
            "time_to": TimeInput(),
            "earliest_date": DateInput(),
            "latest_date": DateInput(),
        }
        labels = {
            "time_from": "Or from",
            "time_to": "to",
            "earliest_date": "Earliest date",
            "latest_date": "Latest date (optional)",
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["type"].queryset = AppointmentType.objects.filter(active=True)
        self.fields["type"].empty_label = "Choose a type"
        self.fields["type"].error_messages["required"] = "Choose the type of visit."
        self.fields["earliest_date"].error_messages["required"] = (
            "Give the first date the patient can come."
        )
        self.fields["practitioners"].queryset = Practitioner.objects.filter(active=True)
        self.fields["location"].queryset = Location.objects.filter(active=True)
        self.fields["location"].empty_label = "Any location"
        if self.instance.pk:
            self.initial["weekdays"] = list(self.instance.weekdays)
            self.initial["windows"] = self.instance.window_list
        else:
            self.initial.setdefault("weekdays", ["0", "1", "2", "3", "4"])
            self.initial.setdefault("earliest_date", timezone.localdate())
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple):
                widget.attrs["class"] = "form-check-input"
            elif isinstance(widget, forms.Select):
                widget.attrs["class"] = "form-select"
            else:
                widget.attrs["class"] = "form-control"

    def mark_errors(self) -> None:
        """Outline the fields with errors and tie each to its message (after validation)."""
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["class"] = attrs.get("class", "") + " is-invalid"
                attrs["aria-describedby"] = f"id_{name}_error"

    def clean_weekdays(self) -> str:
        return "".join(sorted(set(self.cleaned_data["weekdays"])))

    def clean_windows(self) -> str:
        return ",".join(w for w, _ in TimeWindow.choices if w in self.cleaned_data["windows"])

    def _clean_day(self, name: str):
        day = self.cleaned_data.get(name)
        if day is None:
            return day
        today = timezone.localdate()
        if day < today - dt.timedelta(days=366) or day > today + BOOKING_HORIZON:
            raise forms.ValidationError("Enter a date within the next two years.")
        return day

    def clean_earliest_date(self):
        return self._clean_day("earliest_date")

    def clean_latest_date(self):
        return self._clean_day("latest_date")

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["practitioners"] = list(data.pop("practitioners", []) or [])
        return data


class RemoveForm(forms.Form):
    reason = forms.CharField(max_length=100, required=False)
