"""Reads about consent. `consent_current` is the one question later code asks."""

from __future__ import annotations

from django.db.models import Subquery

from clinic.models import Consent, ConsentVersion, Patient


def consent_version_current() -> ConsentVersion | None:
    """The newest published consent text; None only before a clinic publishes one."""
    return ConsentVersion.objects.filter(published_at__isnull=False).order_by("-version").first()


def consent_version_current_id() -> Subquery:
    """The id of `consent_version_current()` as a subquery, for annotations that ask about
    many patients at once without a query of its own (NULL before any version is published,
    which matches no consent)."""
    return Subquery(
        ConsentVersion.objects.filter(published_at__isnull=False)
        .order_by("-version")
        .values("pk")[:1]
    )


def consent_current(patient: Patient) -> Consent | None:
    """The patient's signature on the current consent version, or None.

    Needling records must not be signed without it (treatments.services.session_sign asks
    this). A newer published version makes older signatures stale: this returns None until
    the patient signs again.
    """
    # One query: the current version as a subquery (NULL, matching nothing, before any).
    return (
        Consent.objects.select_related("version")
        .filter(patient=patient, version_id=consent_version_current_id())
        .first()
    )


_UNREAD = object()


def consent_status(patient: Patient, *, current: Consent | None | object = _UNREAD) -> str:
    """ "current", "stale" (signed an older version) or "missing". A page that has read
    `consent_current` already (e.g. in needling_readiness) passes it as `current`."""
    if current is _UNREAD:
        current = consent_current(patient)
    if current:
        return "current"
    if Consent.objects.filter(patient=patient).exists():
        return "stale"
    return "missing"


def consent_history(patient: Patient) -> list[Consent]:
    return list(
        Consent.objects.select_related("version", "recorded_by")
        .filter(patient=patient)
        .order_by("-signed_at")
    )
