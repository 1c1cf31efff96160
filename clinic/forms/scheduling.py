"""Booking, rescheduling, cancelling, online booking and IMS spacing alerts."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

from clinic.forms.common import DateInput, TimeInput
from clinic.models import (
    Appointment,
    AppointmentType,
    CarePlan,
    Location,
    Patient,
    Practitioner,
)
from clinic.selectors.scheduling import BOOKING_HORIZON, CARE_PLAN_REASON_PREFIX, SLOT_MINUTES
from clinic.services.scheduling import Slot
from clinic.validators import NOTE_MAX


def booking_last_day() -> dt.date:
    """The last clinic-local date that can be booked (BOOKING_HORIZON from today)."""
    return timezone.localdate() + BOOKING_HORIZON


def bookable_day(day: dt.date) -> dt.date:
    """`day` if a visit can be booked on it (today up to the booking horizon), else a
    ValidationError saying which end it missed."""
    if day < timezone.localdate():
        raise forms.ValidationError("Choose today or a later date.")
    last = booking_last_day()
    if day > last:
        raise forms.ValidationError(f"Choose a date on or before {last:%Y-%m-%d}.")
    return day


class SlotForm(forms.Form):
    """When, with whom and what: shared by booking and rescheduling."""

    practitioner = forms.ModelChoiceField(queryset=Practitioner.objects.filter(active=True))
    location = forms.ModelChoiceField(queryset=Location.objects.filter(active=True))
    type = forms.ModelChoiceField(
        label="Appointment type",
        queryset=AppointmentType.objects.filter(active=True),
        empty_label="Choose a type",
    )
    date = forms.DateField(widget=DateInput())
    time = forms.TimeField(widget=TimeInput())
    override_reason = forms.CharField(
        label="Override the IMS spacing rule: clinical reason",
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Physiotherapists only. Leave empty unless you mean to book IMS early.",
    )

    @staticmethod
    def initial_for(appointment: Appointment) -> dict:
        """A move's starting values: the visit as booked. A care plan's reason on the visit
        is the plan's, not an override to carry into the move."""
        local = timezone.localtime(appointment.start)
        reason = appointment.spacing_override_reason
        return {
            "practitioner": appointment.practitioner_id,
            "location": appointment.location_id,
            "type": appointment.type_id,
            "date": local.date(),
            "time": local.time(),
            "override_reason": "" if reason.startswith(CARE_PLAN_REASON_PREFIX) else reason,
        }

    def slot(self) -> Slot:
        """The chosen slot (after is_valid())."""
        data = self.cleaned_data
        return Slot(
            practitioner=data["practitioner"],
            location=data["location"],
            start=data["start"],
            type=data["type"],
        )

    def __init__(self, *args, can_override: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not can_override:
            del self.fields["override_reason"]
        self.fields["date"].widget.attrs["max"] = booking_last_day().isoformat()
        locations = list(self.fields["location"].queryset[:2])
        if len(locations) == 1:  # a single clinic: nothing to choose
            self.fields["location"].empty_label = None
            self.initial.setdefault("location", locations[0].pk)

    def clean_date(self) -> dt.date:
        day = self.cleaned_data["date"]
        last = booking_last_day()
        if day > last:
            raise forms.ValidationError(
                f"Appointments can be booked up to two years ahead: choose a date on or "
                f"before {last:%Y-%m-%d}."
            )
        return day

    def clean_time(self) -> dt.time:
        """Snap to the schedule's grid (SLOT_MINUTES): 10:07 becomes 10:00, 10:08 becomes
        10:15, so visits line up with the day view's rows and leave no unusable gaps. The
        time input steps by the grid already; this covers typed times and old browsers."""
        time = self.cleaned_data["time"]
        minutes = time.hour * 60 + time.minute + (1 if time.second >= 30 else 0)
        snapped = round(minutes / SLOT_MINUTES) * SLOT_MINUTES
        snapped = min(snapped, 24 * 60 - SLOT_MINUTES)  # 23:53 stays on the same day
        return dt.time(snapped // 60, snapped % 60)

    def clean(self):
        cleaned = super().clean()
        day, time = cleaned.get("date"), cleaned.get("time")
        if day and time:
            start = dt.datetime.combine(day, time, tzinfo=timezone.get_current_timezone())
            if start < timezone.now():
                self.add_error(
                    "time" if day == timezone.localdate() else "date",
                    "That time has already passed; choose a time in the future.",
                )
            cleaned["start"] = start
        return cleaned


class BookingForm(SlotForm):
    patient = forms.ModelChoiceField(
        queryset=Patient.objects.all(),
        widget=forms.HiddenInput,
        error_messages={
            "required": "Choose the patient: search by name, phone or date of birth.",
            "invalid_choice": "That patient is not on file; search again and pick from the list.",
        },
    )
    note = forms.CharField(label="Note for the front desk", required=False, max_length=200)
    # The patient's active care plan, ticked by default in the patient panel
    # (clinic/schedule/_patient_panel.html); the desk clears it for a visit outside the
    # course. The booking service checks that the plan is the patient's and active.
    plan = forms.ModelChoiceField(
        queryset=CarePlan.objects.filter(status=CarePlan.Status.ACTIVE),
        required=False,
        widget=forms.HiddenInput,
        error_messages={
            "invalid_choice": "That care plan is no longer active: book without it or ask "
            "the physiotherapist."
        },
    )
    care_team = forms.BooleanField(
        label="Add the practitioner to the patient's care team",
        required=False,
        help_text="Lets them open the patient's clinical record. Logged on the audit page.",
    )

    def __init__(self, *args, can_assign_care_team: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Only the front desk and clinic admins assign the care team: a physiotherapist
        # booking with themselves must not enrol themselves.
        if not can_assign_care_team:
            del self.fields["care_team"]

    field_order = [
        "patient",
        "type",
        "practitioner",
        "location",
        "date",
        "time",
        "note",
        "override_reason",
    ]


class SpacingAlertResolveForm(forms.Form):
    """The front desk's note on a reviewed IMS spacing alert (optional)."""

    note = forms.CharField(label="Resolution note", max_length=200, required=False)


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Reason for cancelling",
        max_length=200,
        error_messages={"required": "Give a reason for cancelling."},
    )


class OnlineBookingForm(forms.Form):
    type = forms.ModelChoiceField(
        label="Type of visit",
        queryset=AppointmentType.objects.filter(active=True, bookable_online=True),
        empty_label=None,
        widget=forms.RadioSelect,
    )
    date = forms.DateField(widget=DateInput())
    practitioner = forms.ModelChoiceField(
        label="With",
        queryset=Practitioner.objects.filter(active=True).order_by("display_name"),
        required=False,
        empty_label="Anyone",
    )
    location = forms.ModelChoiceField(
        label="Where",
        queryset=Location.objects.filter(active=True).order_by("name"),
        required=False,
        empty_label="Any location",
    )

    def clean_date(self):
        return bookable_day(self.cleaned_data["date"])


class SlotFinderForm(forms.Form):
    """Staff's free-slot finder: for a patient and a type of visit, from a date, with one or
    more practitioners (or anyone) at a location (or any)."""

    type = forms.ModelChoiceField(
        label="Type of visit",
        queryset=AppointmentType.objects.filter(active=True),
        empty_label=None,
    )
    from_date = forms.DateField(label="From", widget=DateInput())
    practitioners = forms.ModelMultipleChoiceField(
        label="With",
        queryset=Practitioner.objects.filter(active=True).order_by("display_name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: anyone.",
    )
    location = forms.ModelChoiceField(
        label="Where",
        queryset=Location.objects.filter(active=True).order_by("name"),
        required=False,
        empty_label="Any location",
    )

    def clean_from_date(self):
        return bookable_day(self.cleaned_data["from_date"])
