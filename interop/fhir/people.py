"""Patient and Consent."""

from __future__ import annotations

import base64

from interop.fhir.admin import organization_ref
from interop.fhir.base import (
    CONSENT_SCOPE,
    CS,
    IDENTIFIER_TYPE,
    LOINC,
    Resource,
    canonical,
    coding,
    concept,
    day,
    extension,
    instant,
    ref,
    resource,
)

GENDER = {"female": "female", "male": "male", "intersex": "other", "undisclosed": "unknown"}


def patient_ref(patient_id: int) -> dict[str, str]:
    return ref("Patient", str(patient_id))


def patient(row) -> Resource:
    """Demographics, with the clinic's chart number, the personal health number and the
    insurer's policy number (where recorded) as identifiers."""
    identifiers = [
        {
            "use": "usual",
            "type": concept(coding(IDENTIFIER_TYPE, "MR", "Medical record number")),
            "system": CS["identifier-patient"],
            "value": str(row.pk),
        }
    ]
    if row.health_number:
        identifiers.append(
            {
                "use": "official",
                "type": concept(coding(IDENTIFIER_TYPE, "JHN", "Jurisdictional health number")),
                "system": CS["identifier-health-number"],
                "value": row.health_number,
            }
        )
    if row.insurer_policy_number:
        identifiers.append(
            {
                "use": "secondary",
                "type": concept(coding(IDENTIFIER_TYPE, "MB", "Member Number")),
                "system": CS["identifier-insurer-policy"],
                "value": row.insurer_policy_number,
                "assigner": {"display": row.insurer} if row.insurer else None,
            }
        )
    names = [{"use": "official", "family": row.legal_last_name, "given": [row.legal_first_name]}]
    if row.preferred_name:
        names.append({"use": "usual", "family": row.legal_last_name, "given": [row.preferred_name]})
    telecom = []
    if row.phone:
        telecom.append({"system": "phone", "value": row.phone, "rank": _rank(row, "phone")})
    if row.email:
        telecom.append({"system": "email", "value": row.email, "rank": _rank(row, "email")})
    address = [
        {
            "use": "home",
            "line": [line for line in (row.address_line1, row.address_line2) if line],
            "city": row.city,
            "state": row.province,
            "postalCode": row.postal_code,
        }
    ]
    contact = []
    if row.emergency_contact_name or row.emergency_contact_phone:
        contact.append(
            {
                "relationship": [
                    concept(
                        coding("http://terminology.hl7.org/CodeSystem/v2-0131", "C",
                               "Emergency Contact"),
                        text=row.emergency_contact_relationship,
                    )
                ],
                "name": {"text": row.emergency_contact_name},
                "telecom": [{"system": "phone", "value": row.emergency_contact_phone}]
                if row.emergency_contact_phone
                else [],
            }
        )  # fmt: skip
    return resource(
        "Patient",
        str(row.pk),
        identifier=identifiers,
        active=True,
        name=names,
        telecom=telecom,
        gender=GENDER.get(row.sex, "unknown"),
        birthDate=day(row.date_of_birth),
        address=address,
        contact=contact,
        managingOrganization=organization_ref(),
    )


def _rank(row, system: str) -> int:
    preferred = "email" if row.preferred_contact == "email" else "phone"
    return 1 if system == preferred else 2


def consent(row) -> Resource:
    """A signature on one version of the IMS consent text: the version, when and how it was
    signed, and the text itself (plain text, base64, as FHIR attachments carry it)."""
    version = row.version
    text = f"{version.title}\n\n{version.body}\n\nSigned: {row.typed_name}"
    return resource(
        "Consent",
        str(row.pk),
        extension=[
            extension("consent-version", valueInteger=version.version),
            extension(
                "consent-channel",
                valueCoding=coding(CS["consent-channel"], row.channel, row.get_channel_display()),
            ),
        ],
        status="active",
        scope=concept(coding(CONSENT_SCOPE, "treatment", "Treatment")),
        category=[concept(coding(LOINC, "59284-0", "Patient Consent"))],
        patient=patient_ref(row.patient_id),
        dateTime=instant(row.signed_at),
        performer=[patient_ref(row.patient_id)],
        organization=[organization_ref()],
        sourceAttachment={
            "contentType": "text/plain; charset=utf-8",
            "language": "en",
            "data": base64.b64encode(text.encode()).decode("ascii"),
            "title": f"{version.title} (version {version.version})",
            "creation": instant(version.published_at or version.created_at),
        },
        policy=[{"uri": canonical(f"consent/ims/{version.version}")}],
    )
