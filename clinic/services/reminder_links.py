"""The "Confirm" and "I can't come" links in a reminder e-mail (issue 20).

A link is /visit/<pk>/<action>/<token>/. The token is signed with SECRET_KEY
(django.core.signing, a salt per action) over the appointment's id, its patient's id, the
action and the visit's start, so it is unguessable, cannot be pointed at another visit or
patient, and stops working when the visit is moved. It is good until the visit starts
(checked against the start it names, and the signature's own age is capped by
LINK_MAX_AGE). It is one-time through the visit itself: a confirmed visit is not confirmed
again, a cancelled one not cancelled again, and the page says so.

Opening a link (GET) only shows the visit and one button: e-mail scanners open links, so
only the POST acts. The page shows the date, time, practitioner and location, nothing else.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from clinic.models import Appointment
from clinic.services.scheduling import (
    BookingError,
    appointment_cancel_by_patient,
    appointment_confirm,
    cancel_notice_problem,
)

ACTIONS = ("confirm", "cancel")
_SALT = "clinic.reminder-link.{action}"
# Reminders go out a day or two ahead; no link needs to live longer than this, whatever
# the visit's start says.
LINK_MAX_AGE = dt.timedelta(days=60)
CANCEL_REASON = "Cancelled by the patient (reminder e-mail link)"
CANCEL_HISTORY = "cancelled by patient from reminder link"


def _payload(appointment: Appointment, action: str) -> list:
    return [appointment.pk, appointment.patient_id, action, int(appointment.start.timestamp())]


def reminder_link_token(appointment: Appointment, action: str) -> str:
    if action not in ACTIONS:
        raise ValueError(action)
    return signing.dumps(
        _payload(appointment, action), salt=_SALT.format(action=action), compress=False
    )


def reminder_link_url(appointment: Appointment, action: str) -> str:
    path = reverse(
        f"clinic:visit_{action}", args=[appointment.pk, reminder_link_token(appointment, action)]
    )
    return settings.SITE_URL + path


@dataclass(frozen=True)
class LinkState:
    """What a link can do now. `state` is one of:
    ok: the button may act; invalid: forged, mangled, or for another visit (nothing about
    any visit is shown); expired: the visit has started or the link is too old; moved: the
    visit's time changed since the e-mail; confirmed / cancelled: already done (a second
    use); closed: the visit is no longer booked (attended, missed); too_late: a cancel
    inside the notice period (`problem` says to phone)."""

    state: str
    appointment: Appointment | None = None
    problem: str = ""

    @property
    def usable(self) -> bool:
        return self.state == "ok"


def reminder_link_check(*, pk: int, action: str, token: str) -> LinkState:
    """Read the link; writes nothing."""
    if action not in ACTIONS:
        return LinkState("invalid")
    try:
        payload = signing.loads(
            token, salt=_SALT.format(action=action), max_age=LINK_MAX_AGE.total_seconds()
        )
    except signing.SignatureExpired:
        return LinkState("expired")
    except (signing.BadSignature, TypeError, ValueError):
        return LinkState("invalid")
    if (
        not isinstance(payload, list)
        or len(payload) != 4
        or payload[0] != pk
        or payload[2] != action
        or not all(isinstance(part, int) for part in (payload[0], payload[1], payload[3]))
    ):
        return LinkState("invalid")
    appointment = (
        Appointment.objects.select_related("patient", "practitioner", "location", "type")
        .filter(pk=pk, patient_id=payload[1])
        .first()
    )
    if appointment is None:
        return LinkState("invalid")
    if appointment.status == Appointment.Status.CANCELLED:
        return LinkState("cancelled", appointment)
    if int(appointment.start.timestamp()) != payload[3]:
        return LinkState("moved", appointment)
    if timezone.now() >= appointment.start:
        return LinkState("expired", appointment)
    if appointment.status != Appointment.Status.BOOKED:
        return LinkState("closed", appointment)
    if action == "confirm" and appointment.confirmed_at is not None:
        return LinkState("confirmed", appointment)
    if action == "cancel" and (problem := cancel_notice_problem(appointment)):
        return LinkState("too_late", appointment, problem)
    return LinkState("ok", appointment)


def reminder_link_use(*, pk: int, action: str, token: str) -> LinkState:
    """Act on the link (the page's POST): confirm the visit, or cancel it through the
    patient's cancel service (notice period, history reason, the desk's notice; the slot is
    free again). Checked again under the row lock, so a double submit acts once. Returns
    the state after: "done" when this request acted, else why it did not."""
    link = reminder_link_check(pk=pk, action=action, token=token)
    if link.state == "invalid":  # not our link: no row is locked or read
        return link
    with transaction.atomic():
        Appointment.objects.select_for_update().filter(pk=pk).first()
        link = reminder_link_check(pk=pk, action=action, token=token)
        if not link.usable:
            return link
        appointment = link.appointment
        by = appointment.patient.user if appointment.patient.user_id else None
        try:
            if action == "confirm":
                done = appointment_confirm(
                    appointment=appointment, by=by, via=Appointment.ConfirmedVia.LINK
                )
            else:
                done = appointment_cancel_by_patient(
                    appointment=appointment,
                    by=by,
                    reason=CANCEL_REASON,
                    history_reason=CANCEL_HISTORY,
                )
        except BookingError as refusal:  # the check above should have said so already
            state = {"confirmed": "confirmed", "notice": "too_late"}.get(refusal.code, "closed")
            return LinkState(state, appointment, refusal.message)
        return LinkState("done", done)
