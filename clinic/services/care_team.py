"""The care team: who may open a patient's clinical record. The one check every clinical
view makes is in clinic.access (`clinical_access_check`, called by
clinic.permissions.clinical_record before the view body runs and by access_log_record for
reads): it reads the request's session, which services do not take.

A physiotherapist may open a patient's record when they are on the patient's care team
(an open CareTeamMember row) or hold a break-the-glass grant for the patient in this
session. Nothing else counts: an appointment (booked, cancelled, missed or attended), a
draft they started or an addendum they wrote grants nothing. Membership comes only from

- the front desk or a clinic admin assigning the practitioner (the patient page's "Care
  team" card, or the "add to the care team" box when booking), or
- signing an assessment or session note for the patient (the author then treated them;
  they could only have started the note from the team or under break-the-glass).

Addenda do not add their author: an addendum is written from the team or under a
break-the-glass grant, and turning an hour's emergency access into a permanent place on
the team would be the self-enrolment this model exists to stop.

A patient with no team yet is NOT open to every physiotherapist: their intake and
screening are already clinical content. The desk assigns the practitioner when it
registers or books them; until then a physiotherapist breaks the glass (with a reason the
privacy officer reviews), and their first signed note puts them on the team.

Every grant and removal writes an AccessLog row (action CARE_TEAM), listed on the
clinic-admin audit page.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from clinic.models import AccessLog, CareTeamMember, Patient, Practitioner, User
from clinic.origin import Origin


class EmergencyAccessRequired(Exception):
    """A physiotherapist asked for a record of a patient they do not treat."""

    def __init__(self, patient: Patient | int) -> None:
        patient_id = patient if isinstance(patient, int) else patient.pk
        super().__init__(f"emergency access needed for patient {patient_id}")
        self.patient_id = patient_id
        self.patient = patient if isinstance(patient, Patient) else None


def treats(user: User, patient: Patient | int) -> bool:
    """Whether `user` is on the patient's care team right now (one query)."""
    patient_id = patient if isinstance(patient, int) else patient.pk
    return care_team_membership(user, patient_id).exists()


def care_team_membership(user: User, patient_id: Any) -> QuerySet[CareTeamMember]:
    """The user's current membership of the patient's care team (no row or one): what
    `treats` asks. `patient_id` may be an OuterRef, to ask it inside another query (the
    clinical record gate reads the record's patient and this answer in one)."""
    return CareTeamMember.objects.filter(
        patient_id=patient_id, practitioner__user_id=user.pk, removed_at__isnull=True
    )


def _log_change(*, by: User, patient: Patient, what: str, origin: Origin) -> AccessLog:
    return AccessLog.objects.create(
        user=by,
        patient=patient,
        action=AccessLog.Action.CARE_TEAM,
        what=what[:200],
        path=origin.path[:500],
        ip_address=origin.ip,
        user_agent=origin.user_agent[:300],
    )


@transaction.atomic
def care_team_add(
    *,
    patient: Patient,
    practitioner: Practitioner,
    by: User,
    source: str = CareTeamMember.Source.ASSIGNED,
    origin: Origin = Origin.NONE,
) -> tuple[CareTeamMember, bool]:
    """Put `practitioner` on the patient's care team; (membership, created).

    Idempotent: a practitioner already on the team keeps their row and nothing is logged.
    A new membership writes one AccessLog CARE_TEAM row (who added whom, and why)."""
    existing = CareTeamMember.objects.filter(
        patient=patient, practitioner=practitioner, removed_at__isnull=True
    ).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            member = CareTeamMember.objects.create(
                patient=patient, practitioner=practitioner, source=source, added_by=by
            )
    except IntegrityError:
        # Another request added them a moment ago (the open-membership constraint).
        return CareTeamMember.objects.get(
            patient=patient, practitioner=practitioner, removed_at__isnull=True
        ), False
    _log_change(
        by=by,
        patient=patient,
        what=f"care team: added {practitioner} ({member.get_source_display().lower()})",
        origin=origin,
    )
    return member, True


@transaction.atomic
def care_team_remove(
    *, patient: Patient, practitioner: Practitioner, by: User, origin: Origin = Origin.NONE
) -> bool:
    """Take `practitioner` off the patient's care team (the row is closed, not deleted);
    False if they were not on it. Writes one AccessLog CARE_TEAM row."""
    member = (
        CareTeamMember.objects.select_for_update()
        .filter(patient=patient, practitioner=practitioner, removed_at__isnull=True)
        .first()
    )
    if member is None:
        return False
    member.removed_at = timezone.now()
    member.removed_by = by
    member.save(update_fields=["removed_at", "removed_by"])
    _log_change(by=by, patient=patient, what=f"care team: removed {practitioner}", origin=origin)
    return True
