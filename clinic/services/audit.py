"""The access log: every read of clinical content leaves a row. Reading a record of a
patient one does not treat needs "break-the-glass" emergency access first, with a reason,
flagged for the privacy officer's review.

Who treats whom is the explicit care team (clinic.services.care_team): assigned by the
front desk or a clinic admin, or joined by signing a record; appointments and drafts grant
nothing, and a patient with no team yet is not open to every physiotherapist.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from clinic.models import AccessLog, AccessReview, Patient, User
from clinic.origin import Origin
from clinic.services.care_team import EmergencyAccessRequired, treats

EMERGENCY_MINUTES = 60

__all__ = ["EmergencyAccessRequired", "treats"]


def emergency_access_grant(
    *, by: User, patient: Patient, reason: str, origin: Origin = Origin.NONE
) -> AccessLog:
    """Record that `by` broke the glass to open the patient's records: one EMERGENCY row
    (with the reason) that the audit page lists for review. The view then opens the
    records in that user's session for EMERGENCY_MINUTES (clinic.access)."""
    reason = reason.strip()
    if len(reason) < 15:
        raise ValidationError(
            {"reason": "Say why you need this record now (at least a short sentence)."}
        )
    return access_log_write(
        by=by,
        origin=origin,
        patient=patient,
        what="emergency access to the chart",
        action=AccessLog.Action.EMERGENCY,
        reason=reason,
    )


def access_log_write(
    *,
    by: User,
    origin: Origin,
    patient: Patient | None,
    what: str,
    action: str = AccessLog.Action.VIEW,
    reason: str = "",
) -> AccessLog:
    """Write one access-log row: `by` read (or downloaded, e-mailed...) `what` of `patient`'s
    records, from `origin`. Views call clinic.access.access_log_record, which first checks
    that the request may read the patient's records at all."""
    return AccessLog.objects.create(
        user=by,
        patient=patient,
        action=action,
        what=what[:200],
        path=origin.path[:500],
        ip_address=origin.ip,
        user_agent=origin.user_agent[:300],
        reason=reason,
    )


def access_review_record(*, log: AccessLog, by: User, note: str = "") -> bool:
    """Mark an emergency access as reviewed: a new AccessReview row (the log row itself is
    never changed). False if it was reviewed already."""
    _, created = AccessReview.objects.get_or_create(
        log=log, defaults={"reviewed_by": by, "note": note}
    )
    return created
