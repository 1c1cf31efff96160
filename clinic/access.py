"""The clinical access gate of one web request, and the access log of what it read.

A physiotherapist may open a patient's clinical record when they are on the patient's care
team (clinic.services.care_team) or hold a break-the-glass grant for the patient in this
session. Both answers depend on the request (its session, and a per-request memo of the
care-team query), so they live here, on the web side; services take a user and an Origin.
"""

from __future__ import annotations

import time

from django.http import HttpRequest

from clinic.models import AccessLog, Patient
from clinic.origin import Origin
from clinic.permissions import Role
from clinic.services.audit import EMERGENCY_MINUTES, access_log_write
from clinic.services.care_team import EmergencyAccessRequired, treats

EMERGENCY_SESSION_KEY = "clinic:emergency_access"
# Per-request memo of the care-team answer: {patient id: bool}. Several parts of one page
# (the gate, the access log, a panel) ask the same question.
_CACHE_ATTR = "_clinic_care_team"


def emergency_access_open(request: HttpRequest, patient_id: int) -> None:
    """Open the patient's records to this session for EMERGENCY_MINUTES, after
    clinic.services.emergency_access_grant has logged the reason."""
    grants = dict(request.session.get(EMERGENCY_SESSION_KEY, {}))
    grants[str(patient_id)] = time.time() + EMERGENCY_MINUTES * 60
    request.session[EMERGENCY_SESSION_KEY] = grants


def emergency_granted(request: HttpRequest, patient_id: int) -> bool:
    grants = request.session.get(EMERGENCY_SESSION_KEY, {})
    return grants.get(str(patient_id), 0) > time.time()


def _treats_cached(request: HttpRequest, patient_id: int) -> bool:
    cache = getattr(request, _CACHE_ATTR, None)
    if cache is None:
        cache = {}
        setattr(request, _CACHE_ATTR, cache)
    if patient_id not in cache:
        cache[patient_id] = treats(request.user, patient_id)
    return cache[patient_id]


def care_team_answered(request: HttpRequest, patient_id: int, on_team: bool) -> None:
    """Remember the care-team answer a query of the caller's gave for this request (the
    clinical record gate asks it with the record's patient, in one query)."""
    cache = getattr(request, _CACHE_ATTR, None)
    if cache is None:
        cache = {}
        setattr(request, _CACHE_ATTR, cache)
    cache[patient_id] = on_team


def clinical_access_allowed(request: HttpRequest, patient_id: int) -> bool:
    """May the signed-in user open this patient's clinical record? Roles other than the
    physiotherapist's are settled by the view's role policy; a physiotherapist needs the
    care team or a live break-the-glass grant."""
    user = request.user
    if not user.has_role(Role.PHYSIO):
        return True
    return _treats_cached(request, patient_id) or emergency_granted(request, patient_id)


def clinical_access_check(request: HttpRequest, patient_id: int) -> None:
    """Raise EmergencyAccessRequired unless `clinical_access_allowed`. Writes nothing."""
    if not clinical_access_allowed(request, patient_id):
        raise EmergencyAccessRequired(patient_id)


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
    return access_log_write(
        by=request.user, origin=Origin.of(request), patient=patient, what=what, action=action
    )
