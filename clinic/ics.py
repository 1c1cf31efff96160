"""iCalendar (RFC 5545) files of appointments, built with the `icalendar` package: the
reminder's and the booking confirmation's attachment, the portal's "Add to calendar", and
the subscribed calendar feeds (interop.views.calendar_feeds), the practitioner's schedule
and the patient's own visits. This module is the one place that builds events.

What a patient's event carries is what their calendar may show on a shared screen or a lock
screen: the visit's type, the clinic, the place, the practitioner and the clinic's phone
number; no clinical details. A practitioner's event carries the visit's type, the place and
the patient's initials: never a name, the booking note or anything clinical, since a
subscribed calendar is synced to phones and cloud services outside the clinic.

The UID is stable per appointment and the same in every file and feed, so a calendar that
imports a file twice (a confirmation, then a reminder), or sees the visit again in a feed,
updates one event instead of adding another.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from clinic.models import Appointment, Patient


def appointment_uid(appointment: Appointment) -> str:
    return f"appointment-{appointment.pk}@{settings.SITE_URL.split('//')[-1]}"


def patient_initials(patient: Patient) -> str:
    """The patient's initials, e.g. "J.S.": from the name they go by and their last name,
    the first letter or digit of each (an apostrophe or a space in front is skipped), "?"
    for an empty part."""

    def initial(name: str) -> str:
        return next((char.upper() for char in name if char.isalnum()), "?")

    return f"{initial(patient.first_name)}.{initial(patient.legal_last_name)}."


def _calendar(name: str = "") -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.CLINIC_NAME}//Appointments//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    if name:
        # Apple, Google and Outlook show this as the subscribed calendar's name.
        calendar.add("x-wr-calname", name)
    return calendar


def _event(appointment: Appointment, stamp: dt.datetime) -> Event:
    event = Event()
    event.add("uid", appointment_uid(appointment))
    # In UTC ("Z"): every calendar reads it without a VTIMEZONE block to ship.
    event.add("dtstamp", stamp.astimezone(dt.UTC))
    event.add("dtstart", appointment.start.astimezone(dt.UTC))
    event.add("dtend", appointment.end.astimezone(dt.UTC))
    if appointment.status == Appointment.Status.CANCELLED:
        event.add("status", "CANCELLED")
    else:
        event.add("status", "CONFIRMED")
    return event


def patient_event(appointment: Appointment, stamp: dt.datetime | None = None) -> Event:
    """The patient's view of a visit (the caller loads its type, location and
    practitioner)."""
    event = _event(appointment, stamp or timezone.now())
    event.add("summary", f"{appointment.type.name} at {settings.CLINIC_NAME}")
    event.add("location", appointment.location.address or appointment.location.name)
    event.add("description", f"With {appointment.practitioner}. Questions: {settings.CLINIC_PHONE}")
    return event


def practitioner_event(appointment: Appointment, stamp: dt.datetime | None = None) -> Event:
    """The practitioner's view of a visit: type, place (and room) and the patient's
    initials only (the caller loads its type, location, room and patient's names)."""
    event = _event(appointment, stamp or timezone.now())
    event.add("summary", f"{appointment.type.name} · {patient_initials(appointment.patient)}")
    place = appointment.location.name
    if appointment.room_id is not None:
        place = f"{appointment.room.name}, {place}"
    event.add("location", place)
    return event


def appointment_ics(appointment: Appointment) -> bytes:
    """One appointment as a calendar file (the caller loads its type, location and
    practitioner)."""
    calendar = _calendar()
    calendar.add_component(patient_event(appointment))
    return calendar.to_ical()


def feed_ics(events: Iterable[Event], *, name: str) -> bytes:
    """A subscribed calendar: the given events under one calendar name."""
    calendar = _calendar(name)
    for event in events:
        calendar.add_component(event)
    return calendar.to_ical()
