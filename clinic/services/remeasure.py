"""Re-measurement during a course of IMS: the patient fills in the plan's outcome measure in
the portal before a re-measure visit (clinic.selectors.remeasure_due says when), and is
asked once by e-mail.

Invariants: one score per plan visit (a database constraint too); the score is computed by
the measure's own instrument (clinic.outcomes), so it reads like the intake's on the chart's
outcome track; a refusal writes nothing. The e-mail carries a link to the portal page, which
asks to sign in: no token, nothing clinical in the message.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from clinic.models import CarePlan, OutcomeScore, Patient, RemeasureReminder
from clinic.queueing import send_after_commit
from clinic.selectors.care_plans import REMEASURE_ASK_DAYS, RemeasureDue, remeasure_due
from clinic.tasks import remeasure_reminder_send_task

logger = logging.getLogger(__name__)

NOT_DUE = "This questionnaire is not due now; thank you, there is nothing to fill in."


@transaction.atomic
def remeasure_submit(*, patient: Patient, answers: dict[str, int | None]) -> OutcomeScore:
    """Score the patient's answers with their plan's measure and record the score for the
    re-measure visit now due. ValidationError if nothing is due (already filled, another
    tab) or too few questions are answered to score; nothing is written then."""
    Patient.objects.select_for_update().get(pk=patient.pk)
    due = remeasure_due(patient)
    if due is None:
        raise ValidationError(NOT_DUE)
    instrument = due.instrument
    score = instrument.score(answers)
    if score is None:
        raise ValidationError(
            f"Please answer at least {instrument.min_answered} of the "
            f"{len(instrument.items)} questions, so the questionnaire can be scored."
        )
    try:
        with transaction.atomic():
            return OutcomeScore.objects.create(
                patient=patient,
                instrument=instrument.code,
                value=score.value,
                maximum=score.maximum,
                higher_is_worse=score.higher_is_worse,
                care_plan=due.plan,
                plan_visit=due.visit,
                appointment=due.appointment,
            )
    except IntegrityError as error:  # the same visit filled from another tab at once
        raise ValidationError(NOT_DUE) from error


def remeasure_reminders_send(*, now: dt.datetime | None = None) -> int:
    """Daily (beat): for every active plan whose patient owes a re-measure, write the
    reminder row once and send the e-mail after commit. Returns how many were queued."""
    now = now or timezone.now()
    horizon = now + dt.timedelta(days=REMEASURE_ASK_DAYS)
    patients = (
        CarePlan.objects.filter(
            status=CarePlan.Status.ACTIVE,
            appointments__start__gte=now,
            appointments__start__lte=horizon,
            patient__email__gt="",
        )
        .values_list("patient_id", flat=True)
        .distinct()
    )
    queued = 0
    for patient_id in list(patients):
        due = remeasure_due(patient_id, now=now)
        if due is not None and _remind(due):
            queued += 1
    return queued


@transaction.atomic
def _remind(due: RemeasureDue) -> bool:
    reminder, created = RemeasureReminder.objects.get_or_create(
        appointment=due.appointment, defaults={"plan": due.plan, "visit": due.visit}
    )
    if created:
        send_after_commit(remeasure_reminder_send_task, reminder.pk)
    return created


def remeasure_reminder_send(reminder_id: int) -> bool:
    """E-mail the patient a link to the questionnaire, if it is still owed (not filled in
    the meantime, the visit not cancelled). Once per reminder: True if it went out."""
    with transaction.atomic():
        reminder = (
            RemeasureReminder.objects.select_for_update(of=("self",))
            .select_related("appointment__patient", "plan")
            .get(pk=reminder_id)
        )
        patient = reminder.appointment.patient
        due = remeasure_due(patient)
        if reminder.sent_at or not patient.email or due is None or due.visit != reminder.visit:
            return False
        body = render_to_string(
            "clinic/email/remeasure.txt",
            {
                "patient": patient,
                "about": due.about,
                "appointment": due.appointment,
                "clinic_name": settings.CLINIC_NAME,
                "clinic_phone": settings.CLINIC_PHONE,
                "url": settings.SITE_URL + reverse("clinic:portal_remeasure"),
            },
        )
        EmailMessage(
            subject=f"Before your next visit: a short questionnaire - {settings.CLINIC_NAME}",
            body=body,
            to=[patient.email],
        ).send()
        reminder.sent_at = timezone.now()
        reminder.save(update_fields=["sent_at"])
    return True
