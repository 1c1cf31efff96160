"""Reads for weekly series of visits (clinic.services.series): how many visits of a plan
are left to book, and "this and later ones" of a series."""

from __future__ import annotations

from django.db.models import QuerySet

from clinic.models import Appointment, CarePlan


def series_remaining(plan: CarePlan) -> int:
    """The plan's planned sessions less its visits already booked or attended (booked,
    checked in or completed; cancelled visits and no-shows leave their place in the
    course free). Never below zero. One query."""
    taken = plan.appointments.filter(status__in=Appointment.COUNTS_FOR_SPACING).count()
    return max(plan.sessions_planned - taken, 0)


def series_this_and_later(appointment: Appointment) -> QuerySet[Appointment]:
    """The visit and the later visits of its series that are still booked, in time order
    (none when the visit is not part of a series). Visits already attended, cancelled or
    missed are history and are left alone."""
    if appointment.series is None:
        return Appointment.objects.none()
    return (
        Appointment.objects.filter(
            series=appointment.series,
            start__gte=appointment.start,
            status=Appointment.Status.BOOKED,
        )
        .select_related("patient", "practitioner", "location", "type", "room", "plan")
        .order_by("start")
    )
