"""The access log: every read of clinical content leaves a row. Reading a record of a
patient one does not treat needs "break-the-glass" emergency access first, with a reason,
flagged for the privacy officer's review.

Who treats whom is the explicit care team (clinic.services.care_team): assigned by the
front desk or a clinic admin, or joined by signing a record; appointments and drafts grant
nothing, and a patient with no team yet is not open to every physiotherapist.
"""

from __future__ import annotations

import ipaddress
import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from clinic.models import AccessLog, AccessReview, Patient, User
from clinic.services.care_team import (
    EMERGENCY_SESSION_KEY,
    EmergencyAccessRequired,
    clinical_access_check,
    treats,
)

EMERGENCY_MINUTES = 60

__all__ = ["EMERGENCY_SESSION_KEY", "EmergencyAccessRequired", "treats"]


def emergency_access_grant(*, request: HttpRequest, patient: Patient, reason: str) -> AccessLog:
    """Open the patient's records to this user for an hour, in this session only. Writes
    one EMERGENCY row (with the reason) that the audit page lists for review."""
    reason = reason.strip()
    if len(reason) < 15:
        raise ValidationError(
            {"reason": "Say why you need this record now (at least a short sentence)."}
        )
    grants = dict(request.session.get(EMERGENCY_SESSION_KEY, {}))
    grants[str(patient.pk)] = time.time() + EMERGENCY_MINUTES * 60
    request.session[EMERGENCY_SESSION_KEY] = grants
    return _log(
        request=request,
        patient=patient,
        what="emergency access to the chart",
        action=AccessLog.Action.EMERGENCY,
        reason=reason,
    )


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, trusting X-Forwarded-For only as far as our own proxies.

    Each of the TRUSTED_PROXY_COUNT load balancers appends the address it saw, so the
    client is that many entries from the right; anything further left is client-supplied.
    """
    candidate = request.META.get("REMOTE_ADDR", "")
    hops = settings.TRUSTED_PROXY_COUNT
    if hops > 0:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        ]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= hops:
            candidate = forwarded[-hops]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


def access_log_record(
    *,
    request: HttpRequest,
    patient: Patient | None,
    what: str,
    action: AccessLog.Action = AccessLog.Action.VIEW,
) -> AccessLog:
    """Record that the signed-in user read `what` of `patient`'s records.

    Called by every view that shows or hands out clinical content once it has found the
    records and before it responds, so every read that reached the user has a row. A
    physiotherapist outside the care team gets EmergencyAccessRequired instead (the site
    turns it into the break-the-glass page) unless they opened it already.
    """
    if patient is not None:
        # Views declared with @clinical_record have passed this check already; the answer
        # is memoised per request, so asking again costs no query.
        clinical_access_check(request, patient.pk)
    return _log(request=request, patient=patient, what=what, action=action)


def _log(
    *, request: HttpRequest, patient: Patient | None, what: str, action: str, reason: str = ""
) -> AccessLog:
    return AccessLog.objects.create(
        user=request.user,
        patient=patient,
        action=action,
        what=what[:200],
        path=request.get_full_path()[:500],
        ip_address=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
        reason=reason,
    )


def access_review_record(*, log: AccessLog, by: User, note: str = "") -> bool:
    """Mark an emergency access as reviewed: a new AccessReview row (the log row itself is
    never changed). False if it was reviewed already."""
    _, created = AccessReview.objects.get_or_create(
        log=log, defaults={"reviewed_by": by, "note": note}
    )
    return created
