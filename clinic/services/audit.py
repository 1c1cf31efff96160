"""The access log: every read of clinical content leaves a row. Reading a chart of a patient
one does not treat needs "break-the-glass" emergency access first, with a reason, flagged
for the privacy officer's review.

Who treats whom: a physiotherapist treats a patient they have an appointment with (any
state), or whose records they wrote. The apps above clinic register what "wrote" means for
their records (`care_relation_register`), so clinic never imports them. A patient nobody
treats yet (just registered) is open to every physiotherapist: there is nothing of anyone
else's care to protect, and someone has to take them on.
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from clinic.models import AccessLog, AccessReview, Appointment, Patient, Practitioner, User
from clinic.permissions import Role

EMERGENCY_SESSION_KEY = "clinic:emergency_access"
EMERGENCY_MINUTES = 60

# (patient, practitioner) -> queryset of records that practitioner wrote for the patient.
CareRelation = Callable[[Patient, Practitioner | None], QuerySet]
_care_relations: list[CareRelation] = []


def care_relation_register(relation: CareRelation) -> None:
    """Called by apps above clinic (AppConfig.ready) to say which of their records make a
    practitioner part of a patient's care team."""
    if relation not in _care_relations:
        _care_relations.append(relation)


def _team(patient: Patient, practitioner: Practitioner | None) -> list:
    appointments = Appointment.objects.filter(patient=patient)
    if practitioner is not None:
        appointments = appointments.filter(practitioner=practitioner)
    return [appointments, *(relation(patient, practitioner) for relation in _care_relations)]


def treats(user: User, patient: Patient) -> bool:
    """Whether `user` is on the patient's care team, or the patient has no team yet."""
    practitioner = getattr(user, "practitioner", None)
    if practitioner is not None and any(q.exists() for q in _team(patient, practitioner)):
        return True
    return not any(q.exists() for q in _team(patient, None))


class EmergencyAccessRequired(Exception):
    """A physiotherapist asked for a chart of a patient they do not treat."""

    def __init__(self, patient: Patient) -> None:
        super().__init__(f"emergency access needed for patient {patient.pk}")
        self.patient = patient


def _granted(request: HttpRequest, patient: Patient) -> bool:
    grants = request.session.get(EMERGENCY_SESSION_KEY, {})
    return grants.get(str(patient.pk), 0) > time.time()


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
    physiotherapist who does not treat the patient gets EmergencyAccessRequired instead
    (the site turns it into the break-the-glass page) unless they opened it already.
    """
    user = request.user
    if (
        patient is not None
        and user.has_role(Role.PHYSIO)
        and not treats(user, patient)
        and not _granted(request, patient)
    ):
        raise EmergencyAccessRequired(patient)
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
