"""Signing the consent to IMS."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from clinic import search
from clinic.models import Consent, ConsentVersion, Patient, User
from clinic.origin import Origin


class ConsentError(Exception):
    """The consent cannot be recorded as asked; the message is for the user."""


def typed_name_matches(patient: Patient, typed_name: str) -> bool:
    """The typed name is the patient's full legal name, ignoring case, accents, apostrophes
    and spacing (a signature, not a spelling test of the keyboard)."""
    return search.normalize(typed_name) == search.normalize(patient.legal_name)


@transaction.atomic
def consent_sign(
    *,
    patient: Patient,
    version: ConsentVersion,
    typed_name: str,
    channel: str,
    by: User,
    origin: Origin = Origin.NONE,
) -> Consent:
    """Record the patient's agreement to `version`, which must be the current published
    one. Signing the same version twice keeps the first signature."""
    Patient.objects.select_for_update().get(pk=patient.pk)
    current = ConsentVersion.objects.filter(published_at__isnull=False).order_by("-version").first()
    if current is None or current.pk != version.pk:
        raise ConsentError("A newer consent text has been published; please read that one.")
    if not typed_name_matches(patient, typed_name):
        raise ConsentError(f"Type the full legal name on the record: {patient.legal_name}.")
    existing = Consent.objects.filter(patient=patient, version=version).first()
    if existing:
        return existing
    return Consent.objects.create(
        patient=patient,
        version=version,
        typed_name=typed_name.strip(),
        channel=channel,
        recorded_by=by,
        ip_address=origin.ip,
    )


@transaction.atomic
def consent_version_publish(*, version: ConsentVersion) -> ConsentVersion:
    """Publish a draft. From now on it is the current text, and every patient who signed an
    earlier version is asked to sign again before their next needling."""
    version = ConsentVersion.objects.select_for_update().get(pk=version.pk)
    if version.is_published:
        return version
    version.published_at = timezone.now()
    version.save(update_fields=["published_at"])
    return version


def consent_version_next_number() -> int:
    latest = ConsentVersion.objects.order_by("-version").values_list("version", flat=True).first()
    return (latest or 0) + 1
