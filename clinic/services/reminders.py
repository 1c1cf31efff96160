"""Scheduled work around appointments: reminders, the IMS spacing audit, recalls.

Each job is safe to run twice, even at the same moment: a reminder is claimed with a
conditional UPDATE before it is sent, an alert and a recall are unique per pair/eligibility.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import EmailMessage, send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from clinic.ics import appointment_ics
from clinic.models import (
    Appointment,
    ClinicPolicy,
    Patient,
    RecallInvitation,
    RecallPlan,
    SpacingAlert,
    User,
)
from clinic.permissions import Role
from clinic.selectors.scheduling import (
    Needling,
    ims_next_eligible,
    min_interval,
    needling_days,
    needlings,
)
from clinic.services.reminder_links import reminder_link_url
from clinic.services.scheduling import clinic_phone

logger = logging.getLogger(__name__)


# --- Reminders -------------------------------------------------------------------------------


def appointment_reminders_send(*, now: dt.datetime | None = None) -> int:
    """E-mail a reminder (with an .ics, and the "Confirm" / "I can't come" links of
    clinic.services.reminder_links) for each booked appointment starting within the
    policy's reminder window. Returns how many were sent by this run.

    Each appointment is claimed with UPDATE ... WHERE reminder_claimed_at IS NULL before
    sending, so concurrent runs never send the same reminder twice.
    """
    now = now or timezone.now()
    policy = ClinicPolicy.current()
    window = dt.timedelta(hours=policy.reminder_hours_before)
    due = Appointment.objects.filter(
        status=Appointment.Status.BOOKED,
        start__gt=now,
        start__lte=now + window,
        reminder_claimed_at__isnull=True,
    ).values_list("pk", flat=True)
    sent = 0
    for pk in list(due):
        claimed = Appointment.objects.filter(pk=pk, reminder_claimed_at__isnull=True).update(
            reminder_claimed_at=now
        )
        if not claimed:
            continue  # another run got there first
        appointment = Appointment.objects.select_related(
            "patient", "practitioner", "location", "type"
        ).get(pk=pk)
        if not appointment.patient.email:
            logger.info("reminder skipped: appointment %s has no e-mail on file", pk)
            continue
        message = EmailMessage(
            subject=f"Reminder: your appointment at {settings.CLINIC_NAME}",
            body=render_to_string(
                "clinic/email/appointment_reminder.txt",
                {
                    "appointment": appointment,
                    "clinic_name": settings.CLINIC_NAME,
                    "clinic_phone": clinic_phone(appointment),
                    "portal_url": settings.SITE_URL + "/",
                    "confirm_url": reminder_link_url(appointment, "confirm"),
                    "cancel_url": reminder_link_url(appointment, "cancel"),
                    "notice_hours": policy.cancellation_notice_hours,
                    # The reminder may go out inside the notice period (by default both
                    # are 24 hours): then the e-mail says to phone rather than promise.
                    "cancel_until": appointment.start
                    - dt.timedelta(hours=policy.cancellation_notice_hours),
                    "now": now,
                },
            ),
            to=[appointment.patient.email],
        )
        message.attach("appointment.ics", appointment_ics(appointment), "text/calendar")
        message.send()
        Appointment.objects.filter(pk=pk).update(reminder_sent_at=timezone.now())
        sent += 1
    return sent


def appointment_confirmation_send(appointment_id: int) -> bool:
    """E-mail the patient that their online booking is made, with the visit as an .ics
    file. Returns False when there is nothing to send (no address, or the visit was
    cancelled before the worker got to it)."""
    appointment = Appointment.objects.select_related(
        "patient", "practitioner", "location", "type"
    ).get(pk=appointment_id)
    if not appointment.patient.email or appointment.status == Appointment.Status.CANCELLED:
        return False
    message = EmailMessage(
        subject=f"Booked: your appointment at {settings.CLINIC_NAME}",
        body=render_to_string(
            "clinic/email/appointment_booked.txt",
            {
                "appointment": appointment,
                "clinic_name": settings.CLINIC_NAME,
                "clinic_phone": settings.CLINIC_PHONE,
                "portal_url": settings.SITE_URL + "/",
                "notice_hours": ClinicPolicy.current().cancellation_notice_hours,
            },
        ),
        to=[appointment.patient.email],
    )
    message.attach("appointment.ics", appointment_ics(appointment), "text/calendar")
    message.send()
    return True


# --- Spacing audit ---------------------------------------------------------------------------


def spacing_violations() -> list[tuple[Needling, Needling, int]]:
    """Pairs of counting needlings of one patient (booked IMS visits and signed sessions
    with needling sites, whatever the visit type: selectors.scheduling.needlings) closer
    than the minimum interval where neither carries a physiotherapist's override."""
    gap = min_interval()
    rows = needlings(overridden=False)
    pairs = []
    for index, first in enumerate(rows):
        for second in rows[index + 1 :]:
            if second.patient_id != first.patient_id:
                break
            days = (second.day - first.day).days
            if days >= gap:
                break
            pairs.append((first, second, days))
    return pairs


def spacing_audit(*, now: dt.datetime | None = None, notify: bool = True) -> list[SpacingAlert]:
    """Record an alert for each new violating pair (shown on the front desk's home page)
    and e-mail the clinic admins about them; resolve alerts whose pair no longer violates
    (one visit cancelled or moved). Returns the new alerts."""
    now = now or timezone.now()
    current = {f"{a.key}-{b.key}": (a, b, days) for a, b, days in spacing_violations()}
    new_alerts = []
    for pair, (first, second, days) in current.items():
        try:
            with transaction.atomic():
                alert, created = SpacingAlert.objects.get_or_create(
                    pair=pair,
                    defaults={
                        "patient_id": first.patient_id,
                        "first_id": first.appointment_id,
                        "second_id": second.appointment_id,
                        "first_needling_id": first.needling_day_id,
                        "second_needling_id": second.needling_day_id,
                        "first_date": first.day,
                        "second_date": second.day,
                        "days_apart": days,
                        "detected_at": now,
                    },
                )
        except IntegrityError:  # a concurrent run created it
            continue
        if created:
            new_alerts.append(alert)
    stale = [
        pk
        for pk, pair in SpacingAlert.objects.filter(resolved_at__isnull=True).values_list(
            "pk", "pair"
        )
        if pair not in current
    ]
    SpacingAlert.objects.filter(pk__in=stale).update(
        resolved_at=now, resolution="No longer a conflict (a visit was cancelled or moved)."
    )
    if new_alerts and notify:
        _email_admins_about(new_alerts)
    return new_alerts


def _email_admins_about(alerts: list[SpacingAlert]) -> None:
    recipients = list(
        User.objects.filter(groups__name=Role.CLINIC_ADMIN.group_name, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if not recipients:
        return
    lines = [
        f"- {alert.patient.display_name}: needling {alert.days_apart} day(s) apart "
        f"({alert.first_date:%Y-%m-%d} and {alert.second_date:%Y-%m-%d})"
        for alert in SpacingAlert.objects.filter(pk__in=[a.pk for a in alerts]).select_related(
            "patient"
        )
    ]
    send_mail(
        subject=f"{len(alerts)} IMS spacing alert(s) at {settings.CLINIC_NAME}",
        message=(
            "The nightly audit found needling (IMS visits or signed sessions with needling "
            f"sites, of any visit type) closer than "
            f"{min_interval()} days without a physiotherapist's override:\n\n"
            + "\n".join(lines)
            + "\n\nReview them on the front desk page: "
            + settings.SITE_URL
            + reverse("clinic:desk_today")
            + "\n"
        ),
        from_email=None,
        recipient_list=recipients,
    )


@transaction.atomic
def spacing_alert_resolve(*, alert: SpacingAlert, note: str, by: User) -> SpacingAlert:
    alert = SpacingAlert.objects.select_for_update().get(pk=alert.pk)
    if alert.resolved_at is None:
        alert.resolved_at = timezone.now()
        alert.resolved_by = by
        alert.resolution = note.strip()[:200] or "Reviewed"
        alert.save(update_fields=["resolved_at", "resolved_by", "resolution"])
    return alert


# --- Recall ----------------------------------------------------------------------------------


@transaction.atomic
def recall_plan_set(*, patient: Patient, active: bool, by: User, note: str = "") -> RecallPlan:
    plan, _ = RecallPlan.objects.update_or_create(
        patient=patient, defaults={"active": active, "started_by": by, "note": note[:200]}
    )
    return plan


def recall_send(*, today: dt.date | None = None) -> int:
    """Invite each patient on an active plan who is eligible for IMS again and has nothing
    booked, once per eligibility date. Returns how many invitations this run sent."""
    today = today or timezone.localdate()
    now = timezone.now()
    sent = 0
    plans = RecallPlan.objects.filter(active=True).select_related("patient")
    for plan in plans:
        patient = plan.patient
        if patient.appointments.filter(status=Appointment.Status.BOOKED, start__gte=now).exists():
            continue
        # The same rule as booking: the last needling of any visit type counts.
        past = needling_days(patient, counted_until=today)
        if not past:
            continue
        eligible = ims_next_eligible(patient, on_or_after=past[-1] + dt.timedelta(days=1))
        if eligible > today:
            continue
        try:
            with transaction.atomic():
                recall, created = RecallInvitation.objects.get_or_create(
                    patient=patient, eligible_from=eligible
                )
        except IntegrityError:
            continue
        if not created or not patient.email:
            continue
        send_mail(
            subject=f"Time to book your next IMS visit at {settings.CLINIC_NAME}",
            message=render_to_string(
                "clinic/email/recall.txt",
                {
                    "patient": patient,
                    "eligible": eligible,
                    "clinic_name": settings.CLINIC_NAME,
                    "clinic_phone": settings.CLINIC_PHONE,
                    "book_url": settings.SITE_URL + reverse("clinic:portal_book"),
                },
            ),
            from_email=None,
            recipient_list=[patient.email],
        )
        RecallInvitation.objects.filter(pk=recall.pk).update(sent_at=timezone.now())
        sent += 1
    return sent
