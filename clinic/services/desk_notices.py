"""What the front desk hears about patients acting online: a notice on the day view when a
patient confirms or cancels a visit from the reminder's links (or cancels in the portal),
and, if the clinic gave an address (ClinicPolicy.desk_notice_email), an e-mail to the desk
for those and for bookings made online. Online bookings are listed on the day view from the
appointment's own flag (online_booking_seen_at), as before.

The e-mail names the patient and the visit's time and links to the day view; it carries no
clinical content. It is sent by Celery after the write commits (clinic.queueing).
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from clinic.inputs import MAX_ID
from clinic.models import Appointment, ClinicPolicy, DeskNotice, User
from clinic.queueing import send_after_commit
from clinic.tasks import desk_notice_email_task

# What the e-mail's subject says for each kind of event.
EMAIL_KINDS = {
    "booked": "booked online",
    "confirmed": "confirmed from the reminder",
    "cancelled": "cancelled online",
}


def desk_email_queue(*, appointment: Appointment, kind: str) -> bool:
    """Queue the desk's e-mail about `appointment` (after commit) when the clinic asked for
    one. Returns whether it was queued."""
    if kind not in EMAIL_KINDS or not ClinicPolicy.current().desk_notice_email:
        return False
    send_after_commit(desk_notice_email_task, appointment.pk, kind)
    return True


def desk_notice_add(*, appointment: Appointment, kind: str) -> DeskNotice:
    """A notice for the day view (and the desk's e-mail, if any): the patient confirmed or
    cancelled `appointment` online. Runs inside the caller's transaction."""
    notice = DeskNotice.objects.create(appointment=appointment, kind=kind)
    desk_email_queue(appointment=appointment, kind=kind)
    return notice


def desk_notices_acknowledge(*, notice_ids: list[int], by: User) -> int:
    """The desk has seen these notices: stop listing them. Ids outside the database's
    integer range match nothing."""
    notice_ids = [pk for pk in notice_ids if 1 <= pk <= MAX_ID]
    return DeskNotice.objects.filter(pk__in=notice_ids, seen_at=None).update(
        seen_at=timezone.now(), seen_by=by
    )


def desk_notice_email_send(*, appointment_id: int, kind: str) -> bool:
    """E-mail the desk's address about one online booking, confirmation or cancellation.
    False when there is nothing to send (no address set any more, an unknown kind, the
    visit gone)."""
    address = ClinicPolicy.current().desk_notice_email
    appointment = (
        Appointment.objects.select_related("patient", "practitioner", "location", "type")
        .filter(pk=appointment_id)
        .first()
    )
    if not address or kind not in EMAIL_KINDS or appointment is None:
        return False
    start = timezone.localtime(appointment.start)
    day_view = (
        reverse("clinic:desk_today")
        + f"?date={appointment.local_date.isoformat()}&location={appointment.location_id}"
    )
    send_mail(
        subject=f"Visit {EMAIL_KINDS[kind]}: {appointment.patient.display_name}, "
        f"{start:%a %-d %b %H:%M}",
        message=render_to_string(
            "clinic/email/desk_notice.txt",
            {
                "appointment": appointment,
                "what": EMAIL_KINDS[kind],
                "clinic_name": settings.CLINIC_NAME,
                "day_url": settings.SITE_URL + day_view,
            },
        ),
        from_email=None,
        recipient_list=[address],
    )
    return True
