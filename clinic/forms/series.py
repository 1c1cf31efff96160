"""A weekly series of visits for a plan of care: what to propose, and the visits ticked."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone

from clinic.forms.scheduling import SlotForm
from clinic.models.care import SESSIONS_PLANNED_MAX


class StartsField(forms.Field):
    """The visits ticked on the proposal: their start times as the page sent them (ISO
    8601, clinic-local). Every one is judged again by the booking service."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value) -> list[dt.datetime]:
        if not value:
            return []
        if len(value) > SESSIONS_PLANNED_MAX:
            raise forms.ValidationError(f"A series has at most {SESSIONS_PLANNED_MAX} visits.")
        starts = []
        for raw in value:
            try:
                moment = dt.datetime.fromisoformat(str(raw))
            except ValueError:
                raise forms.ValidationError(
                    "The ticked visits could not be read; show the proposal again."
                ) from None
            if timezone.is_naive(moment):
                moment = moment.replace(tzinfo=timezone.get_current_timezone())
            starts.append(moment)
        return starts


class SeriesForm(SlotForm):
    """The first visit (date, time, with whom, where, what) and how many weekly visits.
    On the confirmation POST, `visit` carries the ticked proposals."""

    count = forms.IntegerField(
        label="Number of visits",
        validators=[MinValueValidator(1), MaxValueValidator(SESSIONS_PLANNED_MAX)],
        help_text="By default the plan's sessions not yet booked.",
    )
    visit = StartsField(required=False)

    def __init__(self, *args, **kwargs) -> None:
        kwargs["can_override"] = False  # no spacing override for a whole series
        super().__init__(*args, **kwargs)
        self.fields["date"].label = "First visit"
        self.fields["time"].label = "Time"
