"""iCalendar (RFC 5545) files of appointments, built with the `icalendar` package: the
reminder's and the booking confirmation's attachment, and the portal's "Add to calendar".

What goes in is what a patient's calendar may show on a shared screen or a lock screen: the
visit's type, the clinic, the place, the practitioner and the clinic's phone number; no
clinical details. The UID is stable per appointment, so a calendar that imports the file
twice (a confirmation, then a reminder) updates one event instead of adding another.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from clinic.models import Appointment


def appointment_uid(appointment: Appointment) -> str:
    return f"appointment-{appointment.pk}@{settings.SITE_URL.split('//')[-1]}"


def appointment_ics(appointment: Appointment) -> bytes:
    """One appointment as a calendar file (the caller loads its type, location and
    practitioner)."""
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.CLINIC_NAME}//Appointments//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", appointment_uid(appointment))
    event.add("dtstamp", timezone.now())
    event.add("dtstart", appointment.start)
    event.add("dtend", appointment.end)
    event.add("summary", f"{appointment.type.name} at {settings.CLINIC_NAME}")
    event.add("location", appointment.location.address or appointment.location.name)
    event.add("description", f"With {appointment.practitioner}. Questions: {settings.CLINIC_PHONE}")
    if appointment.status == Appointment.Status.CANCELLED:
        event.add("status", "CANCELLED")
    else:
        event.add("status", "CONFIRMED")
    calendar.add_component(event)
    return calendar.to_ical()
